/**
 * verify:boot's fixtures: the Debian image and local repository (cached), the harness's TLS
 * material, the host under test with its settings taken from the synthesized constructs, the user
 * data resolved as Terraform would hand it to EC2, and what the guest must find.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultTokenResolver, StringConcat, TerraformStack, Tokenization } from 'cdktf';
import { buildExamples } from '../../examples/main';
import { PORTS } from '../../lib/facts';
import { HardenedGoHost, HardenedGoService, HardenedHostBase, ObservabilityStack } from '../../lib';
import { hostsOf } from '../../lib/readiness/report';
import { GRAFANA_PACKAGES } from '../../lib/observability/artifacts';
import { systemdMiB } from '../../lib/go-service/units';
import { ufwAllowRules } from '../../lib/render/ufw';
import { MimePart } from '../../lib/render/mime';

export const ROOT = path.resolve(__dirname, '..', '..');
// Every entry is named by the hash of what makes it: kept outside the work tree, a fresh clone reuses it.
export const CACHE = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'cdktf-gohost', 'boot');
export const GUEST_NET = '169.254.169.0/24';
/** qemu's own address on the guest network, and the first (only) address its DHCP hands out. */
export const HOST_IP = '169.254.169.2';
export const GUEST_IP = '169.254.169.15';
export const HARNESS_IP = '169.254.169.100';
export const BACKEND_IP = '169.254.169.101';
export const IMDS_IP = '169.254.169.254';
/** The names the guest resolves to the harness: the internal load balancer and Secrets Manager. */
export const NLB_NAME = 'gohost-internal-nlb.harness';
export const SECRETS_HOST = 'secretsmanager.eu-west-1.amazonaws.com';
/** EC2 and Auto Scaling (Query APIs), emulated for the calls a group's instance makes when it is ready. */
export const EC2_HOST = 'ec2.eu-west-1.amazonaws.com';
export const AUTOSCALING_HOST = 'autoscaling.eu-west-1.amazonaws.com';
/** The monitoring host's data volume, as Terraform hands it to the user data (the guest's third disk). */
export const DATA_VOLUME_ID = 'vol-0123456789abcdef0';
/** The front door's Elastic IP allocation, as Terraform hands it to the user data. */
export const EIP_ALLOCATION_ID = 'eipalloc-0123456789abcdef0';
/** A secret's ARN as AWS would make it for the construct `id` (the harness tells the secrets apart by it). */
export const secretArn = (id: string) => `arn:aws:secretsmanager:eu-west-1:111122223333:secret:${id}-AbCdEf`;
/** The log credential the harness's Secrets Manager holds for a watched host. */
export const LOG_TOKEN = 'harness-log-token-0123456789abcdef';
/**
 * The Go service's secret the harness's Secrets Manager holds (by name, a JSON field): the first
 * read gets the first canary, every later read (a rotation) the second. Neither is anywhere else.
 */
export const SERVICE_SECRET = { id: 'orders-api/db', field: 'password', first: 'canary-7f3c9e1a-first', rotated: 'canary-2b8d4f60-rotated' } as const;

export const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const T0 = Date.now();
export const log = (msg: string) => console.log(`verify:boot [${((Date.now() - T0) / 1000).toFixed(1)} s]: ${msg}`);

export function sh(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20, ...opts });
}

/** Debian releases the harness boots: 12 (bookworm, the default) and 13 (trixie, the current stable). */
export type DebianSuite = 'bookworm' | 'trixie';

/** examples/app built into `dir` (the release artifact and the worker the proofs run): its path. */
export function buildExampleApp(dir: string): string {
  const binary = path.join(dir, 'gohost-app');
  sh('go', ['build', '-trimpath', '-o', binary, '.'], { cwd: path.join(ROOT, 'examples', 'app'), env: { ...process.env, CGO_ENABLED: '0', GOPROXY: 'off', GOCACHE: path.join(CACHE, 'gocache') } });
  return binary;
}

/** The image of `suite`, built once per recipe and cached (CACHE); runs that need it at once wait for one build. */
export function ensureImage(suite: DebianSuite = 'bookworm'): string {
  const recipe = fs.readFileSync(path.join(__dirname, 'build-image.sh'), 'utf8');
  const dir = path.join(CACHE, `image-${suite}-${sha(recipe).slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'root.img'))) {
    log(`building the Debian ${suite} image (mmdebstrap) into ${dir}, unless another run is`);
    locked(`${dir}.lock`, `[[ -e ${dir}/root.img ]] || bash ${path.join(__dirname, 'build-image.sh')} ${dir} ${suite}`);
  }
  return dir;
}

/** The package repository for one set of packages; repositories of one image are built one at a time (they share its rootfs). */
export function ensureRepo(image: string, packages: string[]): { dir: string; skipped: string[] } {
  const recipe = fs.readFileSync(path.join(__dirname, 'build-repo.sh'), 'utf8');
  const dir = path.join(CACHE, `repo-${sha(image + recipe + GRAFANA_PACKAGES.join(' ') + packages.join(' ')).slice(0, 12)}`);
  if (!fs.existsSync(path.join(dir, 'Packages.gz'))) {
    log(`building the local repository for: ${packages.join(' ')}`);
    locked(`${image}.repo.lock`, `[[ -e ${dir}/Packages.gz ]] || STAND_INS='${GRAFANA_PACKAGES.join(' ')}' bash ${path.join(__dirname, 'build-repo.sh')} ${image} ${dir} ${packages.join(' ')}`);
  }
  const skipped = fs.readFileSync(path.join(dir, 'skipped'), 'utf8').split('\n').filter(Boolean);
  return { dir, skipped };
}

/** Runs a bash command holding an exclusive lock on `lockFile` (util-linux flock): parallel boot proofs share the cache. */
function locked(lockFile: string, command: string): void {
  fs.mkdirSync(path.dirname(lockFile), { recursive: true });
  execFileSync('flock', [lockFile, 'bash', '-euo', 'pipefail', '-c', command], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/** What the harness knows about the host from its construct, not from its rendered text. */
export interface HostFacts {
  readonly service?: {
    readonly name: string;
    readonly listenPort: number;
    readonly healthPath: string;
    readonly memoryMaxBytes: number;
    readonly cpuQuotaPercent: number;
    readonly limitNofile: number;
    readonly restartSec: number;
    readonly artifactSha256: string;
    /** `<bucket>.s3.` when the artifact is an S3 object. */
    readonly s3HostPrefix?: string;
    readonly artifactUrl?: string;
  };
  readonly frontDoor?: { readonly domain: string; readonly healthPath: string };
  /** The monitoring host: Prometheus's retention by size, Loki's file system, both on the data volume. */
  readonly monitoring?: { readonly prometheusRetentionSizeGiB: number; readonly lokiStorageSizeGiB: number; readonly dataVolumeSizeGiB: number };
  readonly ufw: ReturnType<typeof ufwAllowRules>;
  /** Units fenced off the instance metadata service, and the library's units that keep it. */
  readonly metadataDenied: readonly string[];
  readonly metadataAllowed: readonly string[];
}

export interface HostUnderTest {
  readonly id: string;
  readonly parts: MimePart[];
  readonly facts: HostFacts;
}

/**
 * The host of `stack` whose construct path (below the stack, `_`-joined) starts with `host`, or
 * the first Go service host; its user data as synthesized and its facts from its settings.
 */
export function findHost(stackName: string, host?: string): HostUnderTest {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-boot-synth-'));
  const app = buildExamples(out);
  app.synth();
  const stack = app.node.children.find((c): c is TerraformStack => c instanceof TerraformStack && c.node.id === stackName);
  if (!stack) throw new Error(`no stack "${stackName}"`);
  const below = (h: HardenedHostBase) => h.node.path.split('/').slice(1).join('_');
  const hosts = hostsOf(stack);
  const isGo = (h: HardenedHostBase): h is HardenedGoHost | HardenedGoService => h instanceof HardenedGoHost || h instanceof HardenedGoService;
  const picked = host ? hosts.find((h) => below(h).startsWith(host)) : hosts.find(isGo);
  if (!picked) throw new Error(`no host "${host}" in ${stackName}; hosts: ${hosts.map(below).join(', ')}`);
  const tf = JSON.parse(fs.readFileSync(path.join(out, 'stacks', stackName, 'cdk.tf.json'), 'utf8'));
  const entry = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith(`${below(picked)}_UserData_`));
  if (!entry) throw new Error(`no user data for ${picked.node.path}`);
  const s = isGo(picked) ? picked.settings : undefined;
  const fd = picked.frontDoorOnHost;
  const observability = stack.node.findAll().find((c): c is ObservabilityStack => c instanceof ObservabilityStack && c.monitoringHost === picked);
  const obs = observability?.settings;
  const metadata = [...picked.provisioning().instanceMetadataAccess];
  const units = (access: string) => metadata.filter(([, a]) => a.access === access).map(([unit]) => unit);
  return {
    id: below(picked),
    parts: entry[1].part.map((p: any) => ({ contentType: p.content_type, filename: p.filename, mergeType: p.merge_type, content: p.content })),
    facts: {
      service: s && {
        name: s.serviceName,
        // Workers are proven by verify:units (READY, watchdog); whole-host boots are of HTTP services.
        ...(s.http ? { listenPort: s.http.listenPort, healthPath: s.http.healthPath } : (() => { throw new Error(`${below(picked)} is a worker: boot it with verify:units`); })()),
        memoryMaxBytes: s.memoryMaxBytes,
        cpuQuotaPercent: s.cpuQuotaPercent,
        limitNofile: s.limitNofile,
        restartSec: s.restartSec,
        artifactSha256: s.artifact.sha256,
        s3HostPrefix: s.artifact.s3 && `${s.artifact.s3.bucket}.s3.`,
        artifactUrl: s.artifact.url,
      },
      frontDoor: fd && { domain: fd.domainName, healthPath: fd.healthPath },
      monitoring: obs && { prometheusRetentionSizeGiB: obs.prometheusRetentionSizeGiB, lokiStorageSizeGiB: obs.lokiStorageSizeGiB, dataVolumeSizeGiB: obs.dataVolumeSizeGiB },
      // Sources that are references (the VPC's CIDR, the monitoring host's address) as the guest gets them.
      ufw: ufwAllowRules(picked.baseSettings.ufwRules).map((r) => ({ ...r, from: resolveForGuest(terraformText(stack, picked._finish(r.from)), '', undefined) })),
      // nginx's master runs as root, its workers as www-data: both are tried.
      metadataDenied: units('denied').flatMap((u) => (u === 'nginx.service' ? [u, `${u}:www-data`] : [u])),
      // The library's boot-time units run once and are gone; only long-running ones can be tried from inside
      // (an opted-in service; on the monitoring host, Prometheus's EC2 discovery and Alertmanager's SNS).
      metadataAllowed: units('allowed').filter((u) => [`${s?.serviceName}.service`, 'prometheus.service', 'prometheus-alertmanager.service'].includes(u)),
    },
  };
}

/** Text holding cdktf tokens as the synthesized JSON has it (`${aws_….…}` references). */
function terraformText(stack: TerraformStack, text: string): string {
  return Tokenization.resolve(text, { scope: stack, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/** What Terraform would hand EC2: escapes undone, references resolved to the harness's values. */
export function resolveForGuest(text: string, artifactSha: string, pinnedSha: string | undefined): string {
  let t = text
    .replace(/\$\{aws_instance\.[A-Za-z0-9_]+\.private_ip\}/g, BACKEND_IP)
    .replace(/\$\{aws_lb\.[A-Za-z0-9_]+\.dns_name\}/g, NLB_NAME)
    // The monitoring host's stable address (Loki); Alloy is a stand-in here.
    .replace(/\$\{aws_network_interface\.[A-Za-z0-9_]+\.private_ip\}/g, HARNESS_IP)
    .replace(/\$\{aws_secretsmanager_secret\.([A-Za-z0-9_-]+)\.arn\}/g, (_, id: string) => secretArn(id))
    .replace(/\$\{aws_eip\.[A-Za-z0-9_]+\.allocation_id\}/g, EIP_ALLOCATION_ID)
    .replace(/\$\{aws_ebs_volume\.[A-Za-z0-9_]+\.id\}/g, DATA_VOLUME_ID)
    .replace(/\$\{aws_sns_topic\.[^}]+\.arn\}/g, 'arn:aws:sns:eu-west-1:111122223333:gohost-alarms')
    .replace(/\$\{data\.aws_region\.[^}]+\.name\}/g, 'eu-west-1')
    // The VPC the hosts run in: the harness's guest network.
    .replace(/\$\{data\.aws_vpc\.[^}]+\.cidr_block\}/g, GUEST_NET);
  if (/\$\{(?!\{)[a-z]/.test(t.replace(/\$\$\{/g, ''))) throw new Error(`unresolved Terraform reference in user data: ${/\$\{[^}]*\}/.exec(t.replace(/\$\$\{/g, ''))?.[0]}`);
  t = t.replace(/\$\$\{/g, '${').replace(/%%\{/g, '%{');
  // The example pins a placeholder digest; the harness serves a binary it just built, so it pins that one.
  return pinnedSha ? t.split(pinnedSha).join(artifactSha) : t;
}

export interface Expectations {
  readonly env: Record<string, string>;
  readonly sysctl: string;
  readonly ufw: string;
}

/** What the guest must read back, from the host's facts (and the unit and sysctl file it is given). */
export function expectations(facts: HostFacts, cc: any): Expectations {
  const files = new Map<string, string>(cc.write_files.map((f: any) => [f.path, f.content]));
  const svc = facts.service;
  let exposure = '';
  if (svc) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-unit-'));
    const unit = path.join(dir, `${svc.name}.service`);
    fs.writeFileSync(unit, files.get(`/etc/systemd/system/${svc.name}.service`) ?? '');
    exposure = /Overall exposure level for .*: (\d+\.\d)/.exec(spawnSync('systemd-analyze', ['security', '--offline=true', unit], { encoding: 'utf8' }).stdout)?.[1] ?? '?';
  }
  const sysctl = (files.get('/etc/sysctl.d/60-gohost.conf') ?? '')
    .split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.replace(/\s*=\s*/, ' ').replace(/\s+/g, ' ')).join('\n') + '\n';
  // "protocol source ports" per rule as `ufw show added` lists them; "from any" is one rule in each of ufw's tables.
  // ufw keeps a single address without its /32 (or /128).
  // Two peers in one network (the Go group and the front door in one VPC) are one rule to ufw.
  const ufw = [...new Set(facts.ufw.flatMap((r) => (r.from === 'any' ? ['0.0.0.0/0', '::/0'] : [r.from.replace(/\/(32|128)$/, '')]).map((from) => `${r.protocol} ${from} ${r.ports}`)))].sort().join('\n') + '\n';
  return {
    env: {
      SERVICE: svc?.name ?? '',
      PORT: String(svc?.listenPort ?? 8080),
      HEALTH_PATH: svc?.healthPath ?? facts.frontDoor?.healthPath ?? '/',
      MEMORY_MAX_BYTES: svc ? String(Number(systemdMiB(svc.memoryMaxBytes).replace(/M$/, '')) * 1024 * 1024) : '0',
      CPU_QUOTA_USEC: svc ? `${(svc.cpuQuotaPercent / 100).toFixed(6)}s` : '0.000000s',
      LIMIT_NOFILE: svc ? String(svc.limitNofile) : '',
      RESTART_SEC: svc ? String(svc.restartSec) : '',
      EXPOSURE: exposure,
      DOMAIN: facts.frontDoor?.domain ?? '',
      // The port node_exporter answers on, when the host is watched.
      NODE_EXPORTER: (cc.packages ?? []).includes('prometheus-node-exporter') ? String(PORTS.nodeExporter) : '',
      IMDS_DENIED: facts.metadataDenied.join(' '),
      // The monitoring host: Prometheus's size retention as its flag reads, Loki's file system in MiB.
      MONITORING: facts.monitoring ? '1' : '',
      // Prometheus's GB are 2^30 bytes; its flags API prints them so.
      PROMETHEUS_RETENTION_SIZE: facts.monitoring ? `${facts.monitoring.prometheusRetentionSizeGiB}GiB` : '',
      LOKI_SIZE_MIB: facts.monitoring ? String(facts.monitoring.lokiStorageSizeGiB * 1024) : '',
      IMDS_ALLOWED: facts.metadataAllowed.join(' '),
    },
    sysctl,
    ufw,
  };
}

export interface HarnessTls {
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
  /** The certificate a predecessor front door kept in Secrets Manager. */
  readonly stored?: { readonly cert: string; readonly key: string; readonly fingerprint: string };
}

/**
 * The harness CA and the HTTPS servers' certificate; with `domain`, the certificate a predecessor
 * front door kept — `poisoned`: a valid leaf followed by a corrupt second block, which the front
 * door must refuse.
 */
export function makeTls(dir: string, host: string, domain?: string, poisoned = false): HarnessTls {
  const o = (f: string) => path.join(dir, f);
  sh('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=cdktf-gohost harness CA', '-keyout', o('ca.key'), '-out', o('ca.crt')]);
  sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${host}`, '-keyout', o('s3.key'), '-out', o('s3.csr')]);
  fs.writeFileSync(o('ext'), `subjectAltName=DNS:${host},DNS:${SECRETS_HOST},DNS:${EC2_HOST},DNS:${AUTOSCALING_HOST}\n`);
  sh('openssl', ['x509', '-req', '-in', o('s3.csr'), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', o('ext'), '-out', o('s3.crt')]);
  let stored;
  if (domain) {
    // The certificate a predecessor front door kept in Secrets Manager: 90 days, for the front door's name.
    sh('openssl', ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-subj', `/CN=${domain}`, '-keyout', o('fd.key'), '-out', o('fd.csr')]);
    fs.writeFileSync(o('fd.ext'), `subjectAltName=DNS:${domain}\n`);
    sh('openssl', ['x509', '-req', '-in', o('fd.csr'), '-CA', o('ca.crt'), '-CAkey', o('ca.key'), '-CAcreateserial', '-days', '90', '-extfile', o('fd.ext'), '-out', o('fd.crt')]);
    const fingerprint = sh('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', o('fd.crt')]).trim().split('=')[1];
    const leaf = fs.readFileSync(o('fd.crt'), 'utf8');
    const ca = fs.readFileSync(o('ca.crt'), 'utf8');
    stored = { cert: poisoned ? leaf + ca.replace(/\n([A-Za-z0-9+/]{20})/, '\n!!!!$1') : leaf, key: fs.readFileSync(o('fd.key'), 'utf8'), fingerprint };
  }
  return { ca: fs.readFileSync(o('ca.crt'), 'utf8'), key: fs.readFileSync(o('s3.key'), 'utf8'), cert: fs.readFileSync(o('s3.crt'), 'utf8'), stored };
}
