/**
 * Every file a HardenedGoHost writes, judged by the program that consumes it (Debian packages).
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HardenedGoHostProps, MachineImage, Peer, Port } from '../../lib';
import { hostFiles, HostFiles } from '../helpers/host-files';
import { hostStack, synthJson, userDataParts } from '../helpers/stacks';
import { buildExampleApp } from '../helpers/app';
import { verifyServiceUnits } from '../helpers/units';
import { requireTool, run, tempDir } from '../helpers/tools';

const VARIANTS: Record<string, Partial<HardenedGoHostProps>> = {
  default: {},
  'watchdog + config file + arguments': {
    watchdogSec: 30,
    configFileContent: 'level = "debug"\n',
    // $ and % are expanded by systemd in command lines: the unit must carry them literally.
    args: ['--mode', 'api server', '--root=$HOME/data', '--cpu=100%'],
    gogc: 200,
    environment: { GREETING: 'hello world', RATE: '50%' },
  },
  'debian 12, admin SSH, exposed port': { machineImage: MachineImage.debian12(), adminSshCidrs: ['203.0.113.0/24'] },
};

function filesFor(props: Partial<HardenedGoHostProps>, exposed = false): HostFiles {
  const { stack, host } = hostStack(props);
  if (exposed) host.connections.allowFrom(Peer.ipv4('10.0.0.0/16'), Port.tcp(8080), 'app from VPC');
  return hostFiles(userDataParts(synthJson(stack)));
}

const all = Object.entries(VARIANTS).map(([name, props]) => ({ name, files: filesFor(props, name.includes('exposed')) }));
const UNIT = '/etc/systemd/system/orders-api.service';
const PRECHECK = '/usr/local/lib/orders-api/precheck';

let appBinary: string;
beforeAll(() => {
  for (const t of ['cloud-init', 'systemd-analyze', 'shellcheck', 'sshd', 'go', 'unshare']) requireTool(t);
  appBinary = buildExampleApp();
});

function write(dir: string, name: string, content: string, mode = 0o644): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, content, { mode });
  return p;
}

/** Runs a shell snippet in a private mount namespace where /opt and /usr/local/lib are empty tmpfs. */
function inPrivateMounts(script: string, env: Record<string, string> = {}): ReturnType<typeof run> {
  return run('unshare', ['--mount', '--propagation', 'private', 'bash', '-euo', 'pipefail', '-c',
    'mount -t tmpfs tmpfs /opt && mount -t tmpfs tmpfs /usr/local/lib && ' + script], { env: { ...process.env, ...env } });
}

describe.each(all)('host artifacts ($name)', ({ files }) => {
  it('cloud-init schema accepts the cloud-config', () => {
    const dir = tempDir('cc');
    const r = run('cloud-init', ['schema', '--config-file', write(dir, 'user-data.yaml', files.cloudConfig)]);
    expect(r.stderr + r.stdout).toContain('Valid cloud-config');
    expect(r.status).toBe(0);
  });

  it('shellcheck finds nothing in the bootstrap script', () => {
    const r = run('shellcheck', ['--shell=bash', '-'], { input: files.script });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('shellcheck finds nothing in the precheck script', () => {
    const r = run('shellcheck', ['-'], { input: files.file(PRECHECK) });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });

  it('systemd-analyze verify reports nothing for the unit (binaries in place, in a private mount namespace)', () => {
    const r = verifyServiceUnits([files.file(UNIT)], files.file(PRECHECK), appBinary);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('systemd-analyze security rates the unit at exposure 2.0 or better', () => {
    const dir = tempDir('sec');
    const r = run('systemd-analyze', ['security', '--offline=true', '--no-pager', write(dir, 'orders-api.service', files.file(UNIT))]);
    const m = /Overall exposure level for orders-api\.service: (\d+\.\d)/.exec(r.stdout);
    expect(m, r.stdout + r.stderr).not.toBeNull();
    expect(Number(m![1])).toBeLessThanOrEqual(2.0);
  });

  it('every sysctl key it sets exists under /proc/sys on this kernel', () => {
    const keys = files
      .file('/etc/sysctl.d/60-gohost.conf')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split('=')[0].trim());
    expect(keys.length).toBeGreaterThan(30);
    const missing = keys.filter((k) => !fs.existsSync(path.join('/proc/sys', k.replace(/\./g, '/'))));
    expect(missing).toEqual([]);
  });

  it('sshd -t accepts the hardening drop-in', () => {
    const dir = tempDir('sshd');
    const dropin = write(dir, '10-gohost.conf', files.file('/etc/ssh/sshd_config.d/10-gohost-hardening.conf'));
    run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
    const cfg = write(dir, 'sshd_config', `Include ${dropin}\nHostKey ${path.join(dir, 'host_key')}\nPidFile ${path.join(dir, 'pid')}\n`);
    fs.mkdirSync('/run/sshd', { recursive: true }); // sshd checks its privilege-separation directory exists
    const r = run(requireTool('sshd'), ['-T', '-f', cfg]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('permitrootlogin no');
    expect(r.stdout).toContain('passwordauthentication no');
    // H1 and H2: what an audit against dev-sec's ssh baseline looks for.
    for (const line of ['maxauthtries 3', 'maxsessions 2', 'clientalivecountmax 2', 'allowtcpforwarding no', 'allowstreamlocalforwarding no',
      'permittunnel no', 'tcpkeepalive no', 'loglevel VERBOSE', 'banner /etc/issue.net']) {
      expect(r.stdout.split('\n'), line).toContain(line);
    }
  });

  it('modprobe refuses the blacklisted protocols and storage modules (H3)', () => {
    const dir = tempDir('modprobe');
    const conf = write(dir, 'blacklist.conf', files.file('/etc/modprobe.d/60-gohost-blacklist.conf'));
    for (const module of ['dccp', 'sctp', 'rds', 'tipc', 'usb-storage', 'firewire-core']) {
      const r = run(requireTool('modprobe'), ['--dry-run', '--verbose', '--config', conf, module]);
      expect(r.stdout.trim(), module).toBe('install /bin/false');
    }
  });

  it('the login defaults step sets UMASK 027 and hash rounds in Debian\'s login.defs, and changes nothing when run again (H5)', () => {
    const dir = tempDir('logindefs');
    const copy = write(dir, 'login.defs', fs.readFileSync('/etc/login.defs', 'utf8'));
    const step = files.script.split('# --- login defaults')[1].split('\n# --- ')[0].replace(/\/etc\/login\.defs/g, copy);
    const once = run('bash', ['-euo', 'pipefail', '-c', `log() { :; }\n${step}`]);
    expect(once.status, once.stderr).toBe(0);
    const after = fs.readFileSync(copy, 'utf8');
    expect(after).toMatch(/^UMASK\t\t027$/m);
    expect(after).toMatch(/^SHA_CRYPT_MIN_ROUNDS 5000$/m);
    expect(after).toMatch(/^SHA_CRYPT_MAX_ROUNDS 10000$/m);
    run('bash', ['-euo', 'pipefail', '-c', `log() { :; }\n${step}`]);
    expect(fs.readFileSync(copy, 'utf8')).toBe(after);
  });

  it('no core dumps from PAM sessions (H4)', () => {
    expect(files.file('/etc/security/limits.d/60-gohost-core.conf')).toMatch(/^\* hard core 0$/m);
  });

  it('auditd watches accounts, privileges and sshd, and records module loads and clock steps (H6; loaded in verify:boot)', () => {
    expect(files.doc.packages).toEqual(expect.arrayContaining(['auditd', 'needrestart']));
    expect(files.file('/etc/audit/rules.d/60-gohost.rules')).toBe([
      '# cdktf-gohost (H6): who changed accounts, privileges or sshd, loaded a kernel module or stepped the clock.',
      '-w /etc/passwd -p wa -k identity', '-w /etc/group -p wa -k identity', '-w /etc/shadow -p wa -k identity', '-w /etc/gshadow -p wa -k identity',
      '-w /etc/sudoers -p wa -k privileges', '-w /etc/sudoers.d -p wa -k privileges', '-w /etc/ssh/sshd_config -p wa -k sshd', '-w /etc/ssh/sshd_config.d -p wa -k sshd',
      '-a always,exit -F arch=b64 -S init_module,finit_module,delete_module -k modules',
      '-a always,exit -F arch=b64 -S settimeofday,clock_settime -k time-change',
      '',
    ].join('\n'));
    // journald turns auditing off when it restarts: the rules are loaded and auditing enabled after that.
    const journal = files.script.indexOf('systemctl restart systemd-journald.service');
    const audit = files.script.indexOf('augenrules --load >/dev/null\nauditctl -e 1 >/dev/null\n');
    expect(journal).toBeGreaterThan(0);
    expect(audit).toBeGreaterThan(journal);
  });

  it('perl (needrestart reads its configuration as Perl) reads restart mode "a" and no kernel hints (H7)', () => {
    const dir = tempDir('needrestart');
    const conf = write(dir, '60-gohost.conf', files.file('/etc/needrestart/conf.d/60-gohost.conf'));
    const r = run('perl', ['-e', 'our %nrconf; do $ARGV[0]; die $@ if $@; print "$nrconf{restart} $nrconf{kernelhints}"', conf]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('a 0');
  });

  it('apt-config reads the unattended-upgrades settings', () => {
    const dir = tempDir('apt');
    const f = write(dir, '20auto-upgrades', files.file('/etc/apt/apt.conf.d/20auto-upgrades'));
    const r = run('apt-config', ['-c', f, 'dump']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('APT::Periodic::Unattended-Upgrade "1";');
  });
});

describe('precheck (ExecStartPre) run for real', () => {
  const files = all[0].files;
  const runPrecheck = (setup: string) => {
    const dir = tempDir('pre');
    const pre = write(dir, 'precheck', files.file(PRECHECK), 0o755);
    return inPrivateMounts(`mkdir -p /opt/orders-api/current /usr/local/lib/orders-api && ${setup} && cp ${pre} ${PRECHECK} && ${PRECHECK}`);
  };

  it('refuses a binary whose SHA-256 is not the pinned one', () => {
    const r = runPrecheck(`cp ${appBinary} /opt/orders-api/current/orders-api`);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/has SHA-256 [0-9a-f]{64}, expected a{64}/);
  });

  it('refuses a missing binary', () => {
    const r = runPrecheck('true');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('/opt/orders-api/current/orders-api is missing or not executable');
  });

  it('passes the pinned binary on a free port and refuses it when the port is taken', async () => {
    const sha = run('sha256sum', [appBinary]).stdout.split(' ')[0];
    const { stack } = hostStack({
      artifact: (await import('../../lib')).ReleaseArtifact.fromUrl('https://example.com/app', sha),
      listenPort: 18080,
      ephemeralPortRangeStart: 20000,
    });
    const pre = hostFiles(userDataParts(synthJson(stack))).file(PRECHECK);
    const dir = tempDir('pre2');
    const script = write(dir, 'precheck', pre, 0o755);
    const setup = `mkdir -p /opt/orders-api/current /usr/local/lib/orders-api && cp ${appBinary} /opt/orders-api/current/orders-api && cp ${script} ${PRECHECK}`;
    expect(inPrivateMounts(`${setup} && ${PRECHECK}`).status).toBe(0);

    const server = net.createServer().listen(18080, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const taken = inPrivateMounts(`${setup} && ${PRECHECK}`);
      expect(taken.status).toBe(1);
      expect(taken.stderr).toContain('port 18080 is already in use');
    } finally {
      server.close();
    }
  });
});
