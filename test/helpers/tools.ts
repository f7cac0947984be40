/**
 * Real programs the tests hand our artifacts to. A missing tool is installed from Debian when
 * the tests run as root; otherwise the test fails naming the package. Never skipped.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const DEBIAN_PACKAGES: Readonly<Record<string, string>> = {
  'cloud-init': 'cloud-init',
  'systemd-analyze': 'systemd',
  shellcheck: 'shellcheck',
  nginx: 'nginx',
  openssl: 'openssl',
  promtool: 'prometheus',
  prometheus: 'prometheus',
  'prometheus-blackbox-exporter': 'prometheus-blackbox-exporter',
  'qemu-system-x86_64': 'qemu-system-x86',
  'qemu-img': 'qemu-utils',
  mmdebstrap: 'mmdebstrap',
  'cloud-localds': 'cloud-image-utils',
  'dpkg-scanpackages': 'dpkg-dev',
  socat: 'socat',
  amtool: 'prometheus-alertmanager',
  'prometheus-node-exporter': 'prometheus-node-exporter',
  'prometheus-nginx-exporter': 'prometheus-nginx-exporter',
  testssl: 'testssl.sh',
  wrk: 'wrk',
  go: 'golang-go',
  sshd: 'openssh-server',
  unshare: 'util-linux',
  ip: 'iproute2',
  curl: 'curl',
  ufw: 'ufw',
  modprobe: 'kmod',
  losetup: 'util-linux',
};

function which(command: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const SBIN = ['/usr/sbin', '/sbin'];

/** Absolute path of a tool, installing its Debian package first if needed. */
export function requireTool(command: string): string {
  const found = which(command) ?? SBIN.map((d) => path.join(d, command)).find((p) => fs.existsSync(p));
  if (found) return found;
  const pkg = DEBIAN_PACKAGES[command];
  if (!pkg) throw new Error(`${command} is not on PATH and no Debian package is known for it`);
  if (process.getuid?.() !== 0) {
    throw new Error(`${command} is missing: install the Debian package "${pkg}" (apt-get install ${pkg})`);
  }
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', pkg], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const after = which(command) ?? SBIN.map((d) => path.join(d, command)).find((p) => fs.existsSync(p));
  if (!after) throw new Error(`installed ${pkg} but ${command} is still missing`);
  return after;
}

export interface RunResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function run(command: string, args: readonly string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): RunResult {
  const r = spawnSync(command, args, {
    encoding: 'utf8',
    input: options.input,
    // No input: stdin is /dev/null. A socket there (node's pipes are socket pairs) makes Debian's bash read /etc/bash.bashrc.
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: options.env ?? process.env,
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `gohost-${prefix}-`));
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
