/**
 * npm run verify:boot -- <stack> [<host>]
 *
 * Boots the user data synthesized for one host in a Debian 12 VM (qemu; KVM when it works, TCG
 * otherwise) and checks, from inside the guest, that it became the hardened host it should be.
 * The guest reaches nothing but this harness: a local Debian repository with exactly the packages
 * the user data asks for, an emulated instance metadata service, the release artifact (built from
 * examples/app) over HTTPS, and a backend for a front door's upstreams.
 */
import { ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { buildExamples } from '../examples/main';
import { PORTS } from '../lib/facts';
import { renderMultipart, MimePart } from '../lib/render/mime';
import { failed, Marker, MARKERS, readConsole, renderReport } from './boot/report';

const ROOT = path.resolve(__dirname, '..');
const CACHE = path.join(ROOT, '.cache', 'boot');
const GUEST_NET = '169.254.169.0/24';
const HARNESS_IP = '169.254.169.100';
const BACKEND_IP = '169.254.169.101';
const IMDS_IP = '169.254.169.254';
/** The names the guest resolves to the harness: the internal load balancer and Secrets Manager. */
const NLB_NAME = 'gohost-internal-nlb.harness';
const SECRETS_HOST = 'secretsmanager.eu-west-1.amazonaws.com';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:gohost-front-door-certificate-AbCdEf';
// Generous: TCG on a busy 2-core machine installs the packages in minutes; the run stops as soon as the guest says it is done.
const BUDGET_MS = Number(process.env.BOOT_BUDGET_SEC ?? 1200) * 1000;

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const T0 = Date.now();
const log = (msg: string) => console.log(`verify:boot [${((Date.now() - T0) / 1000).toFixed(1)} s]: ${msg}`);

function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, ...opts });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The image, built once per recipe and cached under .cache/boot (gitignored). */
function ensureImage(): string {
  const recipe = fs.readFileSync(path.join(__dirname, 'boot', 'build-image.sh'), 'utf8');
  const dir = path.join(CACHE, `image-${sha(recipe).slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'root.img'))) {
    log(`building the Debian 12 image (mmdebstrap) into ${path.relative(ROOT, dir)}`);
    sh('bash', [path.join(__dirname, 'boot', 'build-image.sh'), dir]);
  }
  return dir;
}

function ensureRepo(image: string, packages: string[]): { dir: string; skipped: string[] } {
  const dir = path.join(CACHE, `repo-${sha(image + packages.join(' ')).slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'Packages.gz'))) {
    log(`building the local repository for: ${packages.join(' ')}`);
    sh('bash', [path.join(__dirname, 'boot', 'build-repo.sh'), image, dir, ...packages]);
  }
  const skipped = fs.readFileSync(path.join(dir, 'skipped'), 'utf8').split('\n').filter(Boolean);
  return { dir, skipped };
}

interface HostUnderTest {
  readonly id: string;
  readonly parts: MimePart[];
}

function findHost(stack: string, host?: string): HostUnderTest {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-boot-synth-'));
  const app = buildExamples(out);
  app.synth();
  const file = path.join(out, 'stacks', stack, 'cdk.tf.json');
  if (!fs.existsSync(file)) throw new Error(`no stack "${stack}"; stacks: ${fs.readdirSync(path.join(out, 'stacks')).join(', ')}`);
  const tf = JSON.parse(fs.readFileSync(file, 'utf8'));
  const entries = Object.entries<any>(tf.data?.cloudinit_config ?? {});
  const pick = host ? entries.find(([k]) => k.startsWith(host)) : entries.find(([, v]) => v.part[0].content.includes('Go service unit'));
  if (!pick) throw new Error(`no host "${host}" in ${stack}; hosts: ${entries.map(([k]) => k.replace(/_UserData_.*/, '')).join(', ')}`);
  return {
    id: pick[0].replace(/_UserData_.*/, ''),
    parts: pick[1].part.map((p: any) => ({ contentType: p.content_type, filename: p.filename, mergeType: p.merge_type, content: p.content })),
  };
}

/** What Terraform would hand EC2: escapes undone, references resolved to the harness's values. */
function resolveForGuest(text: string, artifactSha: string, pinnedSha: string | undefined): string {
  let t = text
    .replace(/\$\{aws_instance\.[A-Za-z0-9_]+\.private_ip\}/g, BACKEND_IP)
    .replace(/\$\{aws_lb\.[A-Za-z0-9_]+\.dns_name\}/g, NLB_NAME)
    // The monitoring host's stable address (Loki); Alloy is a stand-in here.
    .replace(/\$\{aws_network_interface\.[A-Za-z0-9_]+\.private_ip\}/g, HARNESS_IP)
    .replace(/\$\{aws_secretsmanager_secret\.[A-Za-z0-9_]+\.arn\}/g, SECRET_ARN)
    .replace(/\$\{aws_sns_topic\.[^}]+\.arn\}/g, 'arn:aws:sns:eu-west-1:111122223333:gohost-alarms')
    .replace(/\$\{data\.aws_region\.[^}]+\.name\}/g, 'eu-west-1');
  if (/\$\{(?!\{)[a-z]/.test(t.replace(/\$\$\{/g, ''))) throw new Error(`unresolved Terraform reference in user data: ${/\$\{[^}]*\}/.exec(t.replace(/\$\$\{/g, ''))?.[0]}`);
  t = t.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  // The example pins a placeholder digest; the harness serves a binary it just built, so it pins that one.
  return pinnedSha ? t.split(pinnedSha).join(artifactSha) : t;
}

function expectations(cc: any, script: string): { env: Record<string, string>; sysctl: string; ufw: string } {
  const files = new Map<string, string>(cc.write_files.map((f: any) => [f.path, f.content]));
  const unitPath = [...files.keys()].find((p) => /^\/etc\/systemd\/system\/[a-z0-9-]+\.service$/.test(p) && files.get(p)!.includes('Go service unit'));
  const unit = unitPath ? files.get(unitPath)! : '';
  const get = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(unit)?.[1] ?? '';
  const env = (name: string) => new RegExp(`^Environment="?${name}=([^"\\n]*)`, 'm').exec(unit)?.[1] ?? '';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-unit-'));
  const service = unitPath ? path.basename(unitPath, '.service') : '';
  let exposure = '';
  if (service) {
    fs.writeFileSync(path.join(dir, `${service}.service`), unit);
    exposure = /Overall exposure level for .*: (\d+\.\d)/.exec(spawnSync('systemd-analyze', ['security', '--offline=true', path.join(dir, `${service}.service`)], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
  }
  const nginx = cc.write_files.find((f: any) => f.path === '/etc/nginx/gohost/nginx.conf');
  const domain = nginx ? /server_name ([^ ;]+)/.exec(nginx.content.split('listen 443 ssl')[2] ?? nginx.content)?.[1] ?? '' : '';
  const sysctl = files.get('/etc/sysctl.d/60-gohost.conf')!
    .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\s*=\s*/, ' ').replace(/\s+/g, ' ')).join('\n') + '\n';
  // "protocol source port" per rule, as the guest reads them back from `ufw show added`.
  const ufw = script.split('\n').map((l) => /^ufw allow proto (\w+) from (\S+) to any port (\S+)/.exec(l)).filter((m): m is RegExpExecArray => !!m)
    // "from any" is one rule in each of ufw's tables.
    .flatMap((m) => (m[2] === 'any' ? ['0.0.0.0/0', '::/0'] : [m[2]]).map((from) => `${m[1]} ${from} ${m[3]}`)).sort().join('\n') + '\n';
  return {
    env: {
      SERVICE: service,
      PORT: /:(\d+)$/.exec(env('LISTEN_ADDR'))?.[1] ?? '8080',
      HEALTH_PATH: service ? env('HEALTH_PATH') : /--resolve '[^']+' 'https:\/\/[^/']+(\/[^']*)'/.exec(script)?.[1] ?? '/',
      MEMORY_MAX_BYTES: String(Number(get('MemoryMax').replace(/M$/, '')) * 1024 * 1024),
      CPU_QUOTA_USEC: `${(Number(get('CPUQuota').replace('%', '')) / 100).toFixed(6)}s`,
      LIMIT_NOFILE: get('LimitNOFILE'),
      RESTART_SEC: get('RestartSec'),
      EXPOSURE: exposure,
      DOMAIN: domain,
      // The port node_exporter answers on, when the host is watched.
      NODE_EXPORTER: script.includes('/etc/default/prometheus-node-exporter') ? String(PORTS.nodeExporter) : '',
    },
    sysctl,
    ufw,
  };
}

/**
 * The harness-only parts, after the library's: a cloud-config that replaces `apt` (third-party
 * sources such as Grafana's cannot be reached; the boothook's local repository stands in), and a
 * boothook (runs every boot, early) that wires the guest to the harness.
 */
function harnessParts(ca: string, s3Host: string, exp: ReturnType<typeof expectations>): MimePart[] {
  return [
    {
      contentType: 'text/cloud-config',
      filename: 'harness-only-apt.yaml',
      mergeType: 'dict(replace)+list()+str()',
      content: '#cloud-config\n# HARNESS-ONLY PART (cdktf-gohost verify:boot): apt uses the harness repository written by the boothook.\napt:\n  preserve_sources_list: true\n',
    },
    boothook(ca, s3Host, exp),
  ];
}

function boothook(ca: string, s3Host: string, exp: ReturnType<typeof expectations>): MimePart {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const checks = fs.readFileSync(path.join(__dirname, 'boot', 'guest-checks.sh'), 'utf8');
  const envFile = Object.entries(exp.env).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n';
  const unit = '[Unit]\nDescription=cdktf-gohost verify:boot checks (harness only)\nAfter=cloud-final.service\n\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/gohost-harness-checks\n';
  const content = [
    '#cloud-boothook',
    '#!/bin/bash',
    '# HARNESS-ONLY PART (cdktf-gohost verify:boot), not part of the library\'s user data: it points apt',
    '# at the harness\'s local repository, trusts the harness CA, names the harness servers and queues the checks.',
    'set -eu',
    `grep -q ${s3Host} /etc/hosts || echo "${HARNESS_IP} ${s3Host} ${SECRETS_HOST}" >> /etc/hosts`,
    `grep -q ${NLB_NAME} /etc/hosts || echo "${BACKEND_IP} ${NLB_NAME}" >> /etc/hosts`,
    `echo '${b64(ca)}' | base64 -d > /usr/local/share/ca-certificates/gohost-harness.crt`,
    '# Appended to the bundle curl reads: update-ca-certificates rehashes every CA, ~25 s per boot under TCG.',
    '# The copy above keeps it if a package regenerates the bundle.',
    'grep -q "$(sed -n 2p /usr/local/share/ca-certificates/gohost-harness.crt)" /etc/ssl/certs/ca-certificates.crt || cat /usr/local/share/ca-certificates/gohost-harness.crt >> /etc/ssl/certs/ca-certificates.crt',
    `echo "deb [trusted=yes] http://${HARNESS_IP}/debian ./" > /etc/apt/sources.list`,
    '# The repository holds the packages and their dependencies, not their recommendations.',
    'echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/99gohost-harness',
    'mkdir -p /etc/gohost-harness',
    `echo '${b64(envFile)}' | base64 -d > /etc/gohost-harness/expect.sh`,
    `echo '${b64(exp.sysctl)}' | base64 -d > /etc/gohost-harness/sysctl.expect`,
    `echo '${b64(exp.ufw)}' | base64 -d > /etc/gohost-harness/ufw.expect`,
    `echo '${b64(checks)}' | base64 -d > /usr/local/sbin/gohost-harness-checks`,
    'chmod 0755 /usr/local/sbin/gohost-harness-checks',
    '# Written on the first boot only: the second finds the unit loaded and skips a daemon-reload.',
    `[[ -e /etc/systemd/system/gohost-harness.service ]] || { echo '${b64(unit)}' | base64 -d > /etc/systemd/system/gohost-harness.service; systemctl daemon-reload; }`,
    'systemctl --no-block start gohost-harness.service',
  ].join('\n') + '\n';
  return { contentType: 'text/cloud-boothook', filename: 'harness-only-boothook.sh', content };
}

function makeTls(dir: string, host: string, domain?: string): { ca: string; key: string; cert: string; stored?: { cert: string; key: string; fingerprint: string } } {
  const o = (f: string) => path.join(dir, f);
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=cdktf-gohost harness CA', '-keyout', o('ca.key'), '-out', o('ca.crt')]);
  sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${host}`, '-keyout', o('s3.key'), '-out', o('s3.csr')]);
  fs.writeFileSync(o('ext'), `subjectAltName=DNS:${host},DNS:${SECRETS_HOST}\n`);
  sh('openssl', ['x509', '-req', '-in', o('s3.csr'), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', o('ext'), '-out', o('s3.crt')]);
  let stored;
  if (domain) {
    // The certificate a predecessor front door kept in Secrets Manager: 90 days, for the front door's name.
    sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${domain}`, '-keyout', o('fd.key'), '-out', o('fd.csr')]);
    fs.writeFileSync(o('fd.ext'), `subjectAltName=DNS:${domain}\n`);
    sh('openssl', ['x509', '-req', '-in', o('fd.csr'), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '90', '-extfile', o('fd.ext'), '-out', o('fd.crt')]);
    const fingerprint = sh('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', o('fd.crt')]).trim().split('=')[1];
    stored = { cert: fs.readFileSync(o('fd.crt'), 'utf8'), key: fs.readFileSync(o('fd.key'), 'utf8'), fingerprint };
  }
  return { ca: fs.readFileSync(o('ca.crt'), 'utf8'), key: fs.readFileSync(o('s3.key'), 'utf8'), cert: fs.readFileSync(o('s3.crt'), 'utf8'), stored };
}

async function main(): Promise<void> {
  const [stack, hostArg] = process.argv.slice(2);
  if (!stack) throw new Error('usage: npm run verify:boot -- <stack> [<host>]');
  if (process.getuid?.() !== 0) throw new Error('verify:boot needs root (mmdebstrap, chroot)');
  const started = Date.now();
  const W = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-boot-'));
  const host = findHost(stack, hostArg);
  log(`${stack}/${host.id}: work directory ${W}`);

  // The release artifact, built from examples/app.
  const binary = path.join(W, 'gohost-app');
  sh('go', ['build', '-trimpath', '-o', binary, '.'], { cwd: path.join(ROOT, 'examples', 'app'), env: { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOCACHE: path.join(CACHE, 'gocache') } });
  const artifact = fs.readFileSync(binary);
  const artifactSha = sha(artifact);

  const pinnedSha = /expected_sha256=([0-9a-f]{64})/.exec(host.parts[1].content)?.[1];
  const parts = host.parts.map((p) => ({ ...p, content: resolveForGuest(p.content, artifactSha, pinnedSha) }));
  const cc = YAML.parse(parts[0].content, { version: '1.1' });
  const packages = [...new Set<string>([...(cc.packages ?? []), ...(cc.ntp ? ['chrony'] : [])])].sort();
  const s3Host = /https:\/\/([a-z0-9.-]+\.s3\.)\$region\.amazonaws\.com/.exec(parts[1].content)?.[1];
  const artifactHost = s3Host ? `${s3Host}eu-west-1.amazonaws.com` : new URL(/'(https:\/\/[^']+)'/.exec(parts[1].content)?.[1] ?? 'https://artifact.invalid/').host;

  const exp = expectations(cc, parts[1].content);
  const image = ensureImage();
  const repo = ensureRepo(image, packages);
  // A front door that keeps its certificate in Secrets Manager boots as a replacement would: one is stored.
  const restores = cc.write_files.some((f: any) => f.path === '/usr/local/lib/gohost/restore-certificate');
  const tls = makeTls(W, artifactHost, restores ? exp.env.DOMAIN : undefined);
  if (tls.stored) exp.env.STORED_CERT_SHA256 = tls.stored.fingerprint;
  const secretCalls: string[] = [];
  let secretValue = tls.stored ? JSON.stringify({ certificate: tls.stored.cert, privateKey: tls.stored.key }) : undefined;
  const userData = renderMultipart([...parts, ...harnessParts(tls.ca, artifactHost, exp)]);
  fs.writeFileSync(path.join(W, 'user-data'), userData);
  fs.writeFileSync(path.join(W, 'meta-data'), `instance-id: gohost-${sha(userData).slice(0, 12)}\nlocal-hostname: ${host.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}\n`);
  sh('cloud-localds', [path.join(W, 'seed.img'), path.join(W, 'user-data'), path.join(W, 'meta-data')]);
  sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', path.join(image, 'root.img'), path.join(W, 'disk.qcow2')]);

  // The harness's servers, each reached by the guest through a qemu guestfwd.
  const repoServer = http.createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').replace(/^\/debian\//, '').split('?')[0]);
    const f = path.join(repo.dir, path.basename(rel));
    if (rel.includes('..') || !fs.existsSync(f)) { res.writeHead(404).end(); return; }
    res.writeHead(200, { 'Content-Length': fs.statSync(f).size });
    fs.createReadStream(f).pipe(res);
  });
  const imds = http.createServer((req, res) => {
    const url = req.url ?? '';
    const body: Record<string, string> = {
      '/latest/api/token': 'harness-imds-token',
      '/latest/meta-data/iam/security-credentials/': 'gohost-harness-role',
      '/latest/meta-data/iam/security-credentials/gohost-harness-role': JSON.stringify({ Code: 'Success', AccessKeyId: 'ASIAHARNESS', SecretAccessKey: 'harness', Token: 'harness-session', Expiration: '2099-01-01T00:00:00Z' }),
      '/latest/meta-data/placement/region': 'eu-west-1',
      '/latest/meta-data/local-ipv4': '169.254.169.15',
      '/latest/meta-data/instance-id': 'i-0123456789abcdef0',
    };
    if (url === '/latest/api/token' && req.method !== 'PUT') { res.writeHead(405).end(); return; }
    if (url !== '/latest/api/token' && req.headers['x-aws-ec2-metadata-token'] !== 'harness-imds-token') { res.writeHead(401).end(); return; }
    if (body[url] === undefined) { res.writeHead(404).end(); return; }
    res.writeHead(200).end(body[url]);
  });
  const s3 = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const signed = /AWS4-HMAC-SHA256/.test(String(req.headers.authorization ?? ''));
    if (req.headers.host === SECRETS_HOST) {
      // Secrets Manager, emulated for the front door's certificate store (JSON protocol, SigV4-signed).
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const target = String(req.headers['x-amz-target'] ?? '');
        secretCalls.push(target);
        const input = JSON.parse(body || '{}');
        if (!signed || input.SecretId !== SECRET_ARN) { res.writeHead(400).end(JSON.stringify({ __type: 'AccessDeniedException' })); return; }
        if (target === 'secretsmanager.GetSecretValue') {
          if (secretValue === undefined) { res.writeHead(400).end(JSON.stringify({ __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" })); return; }
          res.writeHead(200).end(JSON.stringify({ ARN: SECRET_ARN, SecretString: secretValue }));
        } else if (target === 'secretsmanager.PutSecretValue') {
          secretValue = input.SecretString;
          res.writeHead(200).end(JSON.stringify({ ARN: SECRET_ARN, VersionId: 'harness' }));
        } else res.writeHead(400).end(JSON.stringify({ __type: 'InvalidRequestException' }));
      });
      return;
    }
    if (!signed && s3Host) { res.writeHead(403).end(); return; }
    res.writeHead(200, { 'Content-Length': artifact.length }).end(artifact);
  });
  const ports = { repo: await freePort(), imds: await freePort(), s3: await freePort(), backend: await freePort() };
  repoServer.listen(ports.repo, '127.0.0.1');
  imds.listen(ports.imds, '127.0.0.1');
  s3.listen(ports.s3, '127.0.0.1');
  const backend = spawn(binary, [], { env: { LISTEN_ADDR: `127.0.0.1:${ports.backend}`, PPROF_ADDR: 'off', INSTANCE_NAME: 'harness-backend' }, stdio: 'ignore' });

  const serial = path.join(W, 'serial.log');
  const netdev = [
    'user,id=n0,restrict=on', `net=${GUEST_NET}`, 'host=169.254.169.2', 'dns=169.254.169.3', 'dhcpstart=169.254.169.15',
    // cmd: starts one socat per guest connection (a tcp: chardev would carry a single connection).
    `guestfwd=tcp:${HARNESS_IP}:80-cmd:socat - TCP:127.0.0.1:${ports.repo}`,
    `guestfwd=tcp:${HARNESS_IP}:443-cmd:socat - TCP:127.0.0.1:${ports.s3}`,
    `guestfwd=tcp:${IMDS_IP}:80-cmd:socat - TCP:127.0.0.1:${ports.imds}`,
    `guestfwd=tcp:${BACKEND_IP}:8080-cmd:socat - TCP:127.0.0.1:${ports.backend}`,
  ].join(',');
  const qemuArgs = (accel: string) => [
    // Under TCG a plain x86-64 model: with -cpu max the guest's libraries pick AVX paths that TCG emulates slowly.
    '-accel', accel, ...(accel === 'tcg' ? ['-cpu', 'qemu64'] : ['-cpu', 'host']), '-m', '2048', '-smp', '2',
    '-display', 'none', '-monitor', 'none', '-serial', `file:${serial}`,
    '-kernel', path.join(image, 'vmlinuz'), '-initrd', path.join(image, 'initrd.img'),
    '-append', `root=/dev/vda rw console=ttyS0 net.ifnames=0 ${process.env.GOHOST_EXTRA_APPEND ?? ''}`,
    // A throw-away overlay: no need to wait for fsync (dpkg syncs a lot, and TCG makes it slow).
    '-drive', `file=${path.join(W, 'disk.qcow2')},if=virtio,format=qcow2,cache=unsafe`,
    '-drive', `file=${path.join(W, 'seed.img')},if=virtio,format=raw`,
    '-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0',
  ];

  const bootStart = Date.now();
  let accel = fs.existsSync('/dev/kvm') ? 'kvm' : 'tcg';
  let qemu: ChildProcess;
  const launch = () => {
    fs.writeFileSync(serial, '');
    log(`booting with ${accel.toUpperCase()}`);
    qemu = spawn('qemu-system-x86_64', qemuArgs(accel), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    qemu.stderr!.on('data', (d) => (stderr += d));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => qemu.on('exit', (code) => resolve({ code, stderr })));
  };
  let exited = launch();
  // Nested KVM fails here with "KVM internal error": fall back to TCG automatically.
  if (accel === 'kvm') {
    const early = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
    const text = fs.readFileSync(serial, 'utf8');
    if (early !== null || !/Linux version/.test(text)) {
      qemu!.kill('SIGKILL');
      await exited;
      log(`KVM did not boot (${early?.stderr.split('\n').find((l) => /KVM|kvm/.test(l)) ?? 'no kernel output'}); falling back to TCG`);
      accel = 'tcg';
      exited = launch();
    }
  }

  // When each marker first appeared on the console: the phases of the run.
  const seen: Partial<Record<Marker, number>> = {};
  const deadline = Date.now() + BUDGET_MS;
  while (Date.now() < deadline && !seen['GOHOST-DONE']) {
    const text = fs.readFileSync(serial, 'utf8');
    for (const m of MARKERS) if (!seen[m] && text.includes(m)) seen[m] = Date.now();
    const finished = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 500))]);
    if (finished) break;
  }
  const done = seen['GOHOST-DONE'] !== undefined;
  const healthyAt = seen['GOHOST-HEALTHY 1'];
  // Every check has been read back by now; the guest's own poweroff would only add time.
  qemu!.kill('SIGKILL');
  backend.kill('SIGKILL');
  repoServer.close(); imds.close(); s3.close();

  const text = fs.readFileSync(serial, 'utf8');
  const reading = readConsole(text);
  const ended = Date.now();
  console.log('\n' + renderReport({
    title: `${stack}/${host.id} booted with ${accel.toUpperCase()}; ${packages.length} packages from the local repository`,
    skipped: repo.skipped, reading, done, started, bootStart, seen, ended, console: text,
  }));
  if (!done) console.log(`qemu: ${(await exited).stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const { checks, stages } = reading;
  fs.writeFileSync(path.join(W, 'result.json'), JSON.stringify({ stack, host: host.id, accel, healthySec: healthyAt && (healthyAt - bootStart) / 1000, wholeRunSec: (ended - started) / 1000, stages, checks, done, skipped: repo.skipped, secretCalls }, null, 2));
  if (restores) console.log(`Secrets Manager calls: ${secretCalls.join(', ') || 'none'}`);
  console.log(`result: ${path.join(W, 'result.json')}`);
  process.exit(failed({ reading, done }) ? 1 : 0);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(2);
});
