/** systemd-analyze verify on Go service units, with the binary and the precheck in place. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { run, RunResult, tempDir } from './tools';

/**
 * Verifies units of the service `serviceName` (each file under its own name) in a private mount
 * namespace where /opt and /usr/local/lib are empty tmpfs holding `binary` and `precheck`.
 */
export function verifyServiceUnits(units: readonly string[], precheck: string, binary = '/bin/true', serviceName = 'orders-api'): RunResult {
  const dir = tempDir('units');
  const names = units.map((unit, i) => {
    const name = units.length === 1 ? `${serviceName}.service` : `${serviceName}-${i}.service`;
    fs.writeFileSync(path.join(dir, name), unit);
    return name;
  });
  fs.writeFileSync(path.join(dir, 'precheck'), precheck, { mode: 0o755 });
  return run('unshare', ['--mount', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c',
    'mount -t tmpfs tmpfs /opt && mount -t tmpfs tmpfs /usr/local/lib && ' +
      `mkdir -p /opt/${serviceName}/current /usr/local/lib/${serviceName} && cp ${binary} /opt/${serviceName}/current/${serviceName} && ` +
      `cp ${dir}/precheck /usr/local/lib/${serviceName}/precheck && cd ${dir} && systemd-analyze verify ${names.join(' ')}`],
  { timeoutMs: 600_000 });
}
