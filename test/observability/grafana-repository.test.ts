/**
 * Grafana's apt repository on the monitoring host and the watched hosts, judged by apt itself in a
 * private root: two local repositories stand in for apt.grafana.com and the distribution (its
 * Release says Origin: Debian), each carrying a `loki` and a system package. With the library's
 * preferences apt takes Loki from Grafana only and the system package from the distribution only;
 * unattended-upgrades' origins include Grafana's site. And Grafana's drop-in passes systemd-analyze.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { GRAFANA_ADMIN } from '../../lib/observability/artifacts';
import { fleetFiles } from '../helpers/observability';
import { inPrivateRoot } from '../helpers/namespaces';
import { requireTool, run, RunResult, tempDir } from '../helpers/tools';

const fleet = fleetFiles();
const mon = fleet.host('Observability');
let W: string;

/** A flat repository of empty packages, with a Release naming its origin. */
function repository(dir: string, origin: string, packages: Array<[string, string]>): void {
  fs.mkdirSync(dir, { recursive: true });
  for (const [name, version] of packages) {
    const d = tempDir('deb');
    fs.mkdirSync(path.join(d, 'DEBIAN'));
    fs.writeFileSync(path.join(d, 'DEBIAN', 'control'), `Package: ${name}\nVersion: ${version}\nArchitecture: all\nMaintainer: test\nDescription: stand-in\n`);
    run('dpkg-deb', ['--build', '--root-owner-group', d, path.join(dir, `${name}_${version.replace(/:/g, '%3a')}_all.deb`)]);
  }
  const scan = run('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: dir });
  fs.writeFileSync(path.join(dir, 'Packages'), scan.stdout);
  const sha = crypto.createHash('sha256').update(scan.stdout).digest('hex');
  fs.writeFileSync(path.join(dir, 'Release'), `Origin: ${origin}\nLabel: ${origin}\nSuite: stable\nSHA256:\n ${sha} ${Buffer.byteLength(scan.stdout)} Packages\n`);
}

/** apt's candidates with the library's preference file (or without it), its sources on loopback. */
function candidates(withPreferences: boolean, sources: string[]): RunResult {
  return inPrivateRoot([
    'ip addr add 127.0.0.1/8 dev lo 2>/dev/null || true',
    'echo "127.0.0.1 apt.grafana.com deb.example.test" >> /etc/hosts',
    `cd ${W} && python3 -c 'import http.server as h, os
class H(h.SimpleHTTPRequestHandler):
    def translate_path(s, p): return os.path.join(os.getcwd(), s.headers["Host"].split(":")[0], p.lstrip("/").split("?")[0])
    def log_message(s, *a): pass
h.ThreadingHTTPServer(("127.0.0.1", 80), H).serve_forever()' >/dev/null 2>&1 &`,
    'server=$!',
    'for _ in $(seq 1 50); do curl -s -o /dev/null http://apt.grafana.com/Release && break; sleep 0.1; done',
    'rm -f /etc/apt/sources.list.d/* /etc/apt/preferences.d/*; : > /etc/apt/sources.list',
    ...sources.map((s) => `echo ${JSON.stringify(s)} >> /etc/apt/sources.list`),
    withPreferences ? `cp ${W}/grafana.pref /etc/apt/preferences.d/60-gohost-grafana.pref` : 'true',
    `rm -rf ${W}/lists ${W}/cache; mkdir -p ${W}/lists/partial ${W}/cache`,
    `apt-get -o Dir::State::Lists=${W}/lists -o Dir::Cache=${W}/cache update -qq 2>&1 | grep -v '^W:' || true`,
    `apt-cache -o Dir::State::Lists=${W}/lists -o Dir::Cache=${W}/cache policy loki gohost-system-tool`,
    'kill "$server"',
  ].join('\n'));
}

const candidate = (policy: string, pkg: string) => new RegExp(`^${pkg}:\\n  Installed: .*\\n  Candidate: (.*)$`, 'm').exec(policy)?.[1];
const BOTH = ['deb [trusted=yes] http://apt.grafana.com/ ./', 'deb [trusted=yes] http://deb.example.test/ ./'];

beforeAll(() => {
  for (const t of ['dpkg-deb', 'dpkg-scanpackages', 'apt-cache', 'python3', 'unshare', 'systemd-analyze']) requireTool(t);
  W = tempDir('grafana-repo');
  repository(path.join(W, 'apt.grafana.com'), 'Grafana', [['loki', '3.5.0'], ['gohost-system-tool', '99.0-1'], ['alloy', '1.10.0']]);
  repository(path.join(W, 'deb.example.test'), 'Debian', [['loki', '2.4.7.4-10'], ['gohost-system-tool', '1.0-1']]);
  fs.writeFileSync(path.join(W, 'grafana.pref'), mon.file('/etc/apt/preferences.d/60-gohost-grafana.pref'));
});

describe("Grafana's repository, pinned (apt in a private root)", () => {
  it('the same preferences and upgrade origins on every host that adds the repository', () => {
    for (const prefix of ['Observability', 'Api', 'FrontDoor']) {
      const files = fleet.host(prefix);
      expect(files.file('/etc/apt/preferences.d/60-gohost-grafana.pref')).toBe(mon.file('/etc/apt/preferences.d/60-gohost-grafana.pref'));
      expect(files.file('/etc/apt/apt.conf.d/52gohost-grafana-upgrades')).toContain('"site=apt.grafana.com";');
    }
  });

  it('without the preferences, Grafana\'s repository could replace system-tool (the control)', () => {
    const r = candidates(false, BOTH);
    expect(candidate(r.stdout, 'gohost-system-tool'), r.stdout + r.stderr).toBe('99.0-1');
  });

  it("with them, Loki comes from Grafana and the system package from the distribution", () => {
    const r = candidates(true, BOTH);
    expect(candidate(r.stdout, 'loki'), r.stdout + r.stderr).toBe('3.5.0');
    expect(candidate(r.stdout, 'gohost-system-tool')).toBe('1.0-1');
  });

  it("when Grafana's repository is out of reach, the distribution's unrelated loki is not installed instead", () => {
    const r = candidates(true, [BOTH[1]]);
    expect(candidate(r.stdout, 'loki'), r.stdout + r.stderr).toBe('(none)');
  });

  it("unattended-upgrades' origins include Grafana's site (apt-config)", () => {
    const f = path.join(W, 'upgrades.conf');
    fs.writeFileSync(f, mon.file('/etc/apt/apt.conf.d/52gohost-grafana-upgrades'));
    const r = run('apt-config', ['-c', f, 'dump', 'Unattended-Upgrade::Origins-Pattern']);
    expect(r.stdout).toContain('Unattended-Upgrade::Origins-Pattern:: "site=apt.grafana.com";');
  });
});

describe("Grafana's admin password", () => {
  it('reaches Grafana as a systemd credential: the drop-in passes systemd-analyze verify', () => {
    const d = tempDir('grafana-unit');
    fs.writeFileSync(path.join(d, 'grafana-server.service'), '[Service]\nExecStart=/bin/true\n');
    fs.mkdirSync(path.join(d, 'grafana-server.service.d'));
    const dropIn = mon.file('/etc/systemd/system/grafana-server.service.d/60-gohost.conf');
    fs.writeFileSync(path.join(d, 'grafana-server.service.d', '60-gohost.conf'), dropIn);
    expect(dropIn).toContain(`LoadCredential=admin-password:${GRAFANA_ADMIN.passwordFile}`);
    expect(dropIn).toContain('Environment=GF_SECURITY_ADMIN_PASSWORD__FILE=%d/admin-password');
    const r = run('systemd-analyze', ['verify', path.join(d, 'grafana-server.service')], { cwd: d });
    expect(r.stderr).toBe('');
  });

  it('is made once, root-only, and kept: the boot step run twice', () => {
    const step = mon.script.slice(mon.script.indexOf("# --- Grafana admin password"), mon.script.indexOf('# --- monitoring services'));
    const r = inPrivateRoot(['mkdir -p /srv && mount -t tmpfs tmpfs /srv', 'log() { echo "$*"; }', step, `cp ${GRAFANA_ADMIN.passwordFile} /run/first`, step,
      `stat -c '%a %U' ${GRAFANA_ADMIN.passwordFile} $(dirname ${GRAFANA_ADMIN.passwordFile}); cmp /run/first ${GRAFANA_ADMIN.passwordFile} && echo same; wc -c < /run/first`].join('\n'));
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').filter((l) => l !== 'Grafana admin password')).toEqual(['600 root', '700 root', 'same', '33']);
  });
});
