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

/** A CA (`root.crt`) and a certificate (`aws.crt`, `aws.key`) for the AWS endpoints `hosts`, in `dir`. */
export function standInAwsTls(dir: string, hosts: readonly string[]): void {
  const o = (f: string) => path.join(dir, f);
  const ssl = (...args: string[]) => run('openssl', args);
  for (const n of ['root', 'aws']) ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', o(`${n}.key`));
  ssl('req', '-x509', '-key', o('root.key'), '-subj', '/CN=root', '-days', '2', '-out', o('root.crt'));
  ssl('req', '-new', '-key', o('aws.key'), '-subj', '/CN=aws', '-out', o('aws.csr'));
  fs.writeFileSync(o('aws.ext'), `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')}\n`);
  ssl('x509', '-req', '-in', o('aws.csr'), '-CA', o('root.crt'), '-CAkey', o('root.key'), '-CAcreateserial', '-days', '2', '-extfile', o('aws.ext'), '-out', o('aws.crt'));
  fs.copyFileSync(path.resolve(__dirname, '../integration/fake-aws.py'), o('fake-aws.py'));
}

/**
 * Bash for inPrivateRoot: `hosts` resolve to loopback, the stand-in's CA is trusted, and
 * test/integration/fake-aws.py (IMDSv2 and the AWS APIs, over `dir`'s standInAwsTls) runs until
 * the snippet ends, its pid in $fake_aws, logging calls to `log`.
 */
export function startFakeAws(dir: string, hosts: readonly string[], secretsJson: string, log: string, env = ''): string {
  return [
    'ip addr add 169.254.169.254/32 dev lo',
    `printf '127.0.0.1 %s\\n' ${hosts.join(' ')} >> /etc/hosts`,
    `cat ${dir}/root.crt >> /etc/ssl/certs/ca-certificates.crt`,
    launchFakeAws(dir, secretsJson, log, env),
  ].join('\n');
}

/** Bash that (re)starts fake-aws.py, its pid in $fake_aws, and waits until it answers (after startFakeAws set the namespace up). */
export function launchFakeAws(dir: string, secretsJson: string, log: string, env = ''): string {
  return [
    `${env} python3 ${dir}/fake-aws.py ${secretsJson} ${dir}/aws.crt ${dir}/aws.key ${log} 127.0.0.1 >/dev/null 2>&1 &`,
    'fake_aws=$!',
    'for _ in $(seq 1 50); do curl -s -o /dev/null -X PUT http://169.254.169.254/latest/api/token && break; sleep 0.1; done',
  ].join('\n');
}
