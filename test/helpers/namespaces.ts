/**
 * Runs a bash snippet as root in private mount and network namespaces: /etc is an overlay, and
 * /run, /opt, /usr/local/lib, /var/www and /var/log/nginx are empty tmpfs. Nothing the snippet
 * writes there reaches the machine.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, RunResult, tempDir } from './tools';

export function inPrivateRoot(script: string, timeoutMs = 120_000): RunResult {
  const ov = tempDir('overlay');
  fs.mkdirSync(path.join(ov, 'up'));
  fs.mkdirSync(path.join(ov, 'work'));
  const setup = [
    'ip link set lo up',
    `mount -t overlay overlay -o lowerdir=/etc,upperdir=${ov}/up,workdir=${ov}/work /etc`,
    'for d in /run /opt /usr/local/lib /var/www /var/log/nginx; do mkdir -p "$d"; mount -t tmpfs tmpfs "$d"; done',
  ].join('\n');
  return run('unshare', ['--mount', '--net', '--fork', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c', `${setup}\n${script}`], { timeoutMs });
}
