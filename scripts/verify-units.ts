/**
 * npm run verify:units -- [bookworm|trixie]
 *
 * Boots the library's unit files, not a whole host, in a Debian VM (qemu; TCG here): the Go
 * service's unit and precheck for a service behind the instance metadata fence and one that
 * opted out of it (allowInstanceMetadataAccess), each running a stand-in binary; the drop-in the
 * library puts on a package's unit; the fence probe and first boot's fence step; a worker's unit
 * (worker: true) running examples/app's worker mode: READY, first boot's wait for it, the
 * watchdog restarting a hung worker, a clean stop, and a worker that never says READY. Nothing is
 * installed, so a run takes a minute or two: it proves the mechanisms on each Debian release,
 * where verify:boot proves whole hosts on Debian 12.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { HardenedGoHost, ReleaseArtifact } from '../lib';
import { workerReadyStep } from '../lib/go-service/artifacts';
import { METADATA_FENCE_PROBE, metadataFenceDropIn, metadataFenceStep } from '../lib/host/instance-metadata';
import { renderShellScript } from '../lib/render/shell';
import { buildExampleApp, DebianSuite, ensureImage, GUEST_IP, HOST_IP, log, makeTls, sh, sha } from './boot/fixtures';
import { guest, Guest } from './boot/qemu';
import { failed, readConsole, renderReport } from './boot/report';
import { HarnessServers, startServers } from './boot/servers';

/** The service's binary: the unit's sandbox and its network, not what it runs, are under test. */
const STAND_IN = '#!/bin/sh\nexec sleep infinity\n';
/** A package's unit (nginx, an exporter) as the distribution ships it, without a User=. */
const PACKAGE_UNIT = 'stand-in-package.service';

/** A worker's timings, short so the proof is quick: the watchdog and the start timeout. */
const WORKER = { name: 'jobs-worker', watchdogSec: 4, healthTimeoutSec: 30, metricsPort: 9466 };
const SILENT_WORKER = { name: 'silent-worker', healthTimeoutSec: 10 };

function goHosts(workerSha: string) {
  const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-units-')) });
  const stack = new TerraformStack(app, 'units');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const artifact = ReleaseArtifact.fromUrl('https://artifacts.example.com/stand-in', sha(STAND_IN));
  const common = { subnetId: 'subnet-0123456789abcdef0', artifact, memoryMax: '256M', cpuQuota: '50%' };
  return [
    new HardenedGoHost(stack, 'Fenced', { ...common, serviceName: 'fenced-api' }),
    new HardenedGoHost(stack, 'Caller', { ...common, serviceName: 'aws-caller', allowInstanceMetadataAccess: true }),
    new HardenedGoHost(stack, 'Worker', {
      ...common, serviceName: WORKER.name, worker: true, args: ['worker'], watchdogSec: WORKER.watchdogSec, healthTimeoutSec: WORKER.healthTimeoutSec,
      artifact: ReleaseArtifact.fromUrl('https://artifacts.example.com/gohost-app', workerSha),
      environment: { JOB_INTERVAL: '200ms', JOB_DURATION: '50ms', METRICS_ADDR: `127.0.0.1:${WORKER.metricsPort}` },
    }),
    // The stand-in never says READY=1: its start must fail after healthTimeoutSec.
    new HardenedGoHost(stack, 'Silent', { ...common, serviceName: SILENT_WORKER.name, worker: true, healthTimeoutSec: SILENT_WORKER.healthTimeoutSec }),
  ];
}

/** One cloud-config: the service users, the library's units and scripts as the hosts get them, the checks. */
function userData(workerSha: string): string {
  const files = new Map<string, { path: string; content: string; permissions: string }>();
  const users: unknown[] = ['default'];
  for (const host of goHosts(workerSha)) {
    const cc = YAML.parse(host.provisioning().renderCloudConfig(), { version: '1.1' });
    const name = host.serviceName;
    users.push(...cc.users.filter((u: unknown) => u !== 'default'));
    for (const f of cc.write_files) {
      if (f.path === `/etc/systemd/system/${name}.service` || f.path === `/usr/local/lib/${name}/precheck` || f.path.endsWith(METADATA_FENCE_PROBE)) files.set(f.path, f);
    }
    // The worker's binary is examples/app, fetched by the checks from the harness (too large for user data).
    if (name !== WORKER.name) files.set(`/opt/${name}/current/${name}`, { path: `/opt/${name}/current/${name}`, content: STAND_IN, permissions: '0755' });
  }
  for (const w of [WORKER, SILENT_WORKER]) {
    const step = `/usr/local/sbin/gohost-ready-step-${w.name}`;
    files.set(step, {
      path: step,
      permissions: '0755',
      content: renderShellScript({ description: [`First boot's wait for ${w.name}'s READY, as the bootstrap runs it.`], preamble: ['log() { echo "$*"; }'], steps: [workerReadyStep(w.name, w.healthTimeoutSec)] }),
    });
  }
  const probe = files.get(`/etc/systemd/system/${METADATA_FENCE_PROBE}`)!;
  files.set('/etc/systemd/system/gohost-probe-without-deny.service', { ...probe, path: '/etc/systemd/system/gohost-probe-without-deny.service', content: probe.content.replace(/^IPAddressDeny=.*\n/m, '') });
  files.set(`/etc/systemd/system/${PACKAGE_UNIT}`, { path: `/etc/systemd/system/${PACKAGE_UNIT}`, permissions: '0644', content: '[Service]\nExecStart=/bin/sleep infinity\n' });
  const dropIn = metadataFenceDropIn(PACKAGE_UNIT);
  files.set(dropIn.path, dropIn);
  const step = metadataFenceStep(['fenced-api.service', PACKAGE_UNIT]);
  files.set('/usr/local/sbin/gohost-fence-step', {
    path: '/usr/local/sbin/gohost-fence-step',
    permissions: '0755',
    content: renderShellScript({ description: ['The fence step of first boot, as the bootstrap runs it.'], preamble: ['log() { echo "$*"; }'], steps: [step] }),
  });
  files.set('/usr/local/lib/gohost-harness/lib.sh', { path: '/usr/local/lib/gohost-harness/lib.sh', permissions: '0644', content: fs.readFileSync(path.join(__dirname, 'boot', 'guest-lib.sh'), 'utf8') });
  files.set('/usr/local/sbin/gohost-unit-checks', { path: '/usr/local/sbin/gohost-unit-checks', permissions: '0755', content: fs.readFileSync(path.join(__dirname, 'boot', 'guest-unit-checks.sh'), 'utf8') });
  return '#cloud-config\n' + YAML.stringify({
    users,
    write_files: [...files.values()].map((f) => ({ path: f.path, permissions: f.permissions, content: f.content })),
    runcmd: [['/usr/local/sbin/gohost-unit-checks']],
  }, { lineWidth: 0 });
}

async function main(): Promise<number> {
  const suite = (process.argv[2] ?? 'bookworm') as DebianSuite;
  if (!['bookworm', 'trixie'].includes(suite)) throw new Error('usage: npm run verify:units -- [bookworm|trixie]');
  if (process.getuid?.() !== 0) throw new Error('verify:units needs root (mmdebstrap, chroot)');
  const started = Date.now();
  const W = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-units-'));
  const image = ensureImage(suite);
  // The worker runs examples/app in worker mode.
  const appBinary = fs.readFileSync(buildExampleApp(W));
  fs.writeFileSync(path.join(W, 'user-data'), userData(sha(appBinary)));
  fs.writeFileSync(path.join(W, 'meta-data'), `instance-id: gohost-units-${Date.now()}\nlocal-hostname: units\n`);
  // A static address: the guest needs only the metadata service, and Debian 13's dhcpcd refuses the harness's link-local lease.
  fs.writeFileSync(path.join(W, 'network-config'), YAML.stringify({
    version: 1,
    config: [{ type: 'physical', name: 'eth0', subnets: [{ type: 'static', address: `${GUEST_IP}/24`, gateway: HOST_IP }] }],
  }));
  sh('cloud-localds', ['--network-config', path.join(W, 'network-config'), path.join(W, 'seed.img'), path.join(W, 'user-data'), path.join(W, 'meta-data')]);
  sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', path.join(image, 'root.img'), path.join(W, 'disk.qcow2')]);
  fs.mkdirSync(path.join(W, 'repo'));
  let servers: HarnessServers | undefined;
  let vm: Guest | undefined;
  try {
    // The emulated metadata service is the one server the guest needs.
    servers = await startServers({ repoDir: path.join(W, 'repo'), tls: makeTls(W, 'units.invalid'), artifact: Buffer.from(STAND_IN), binary: '/bin/true', signedArtifact: false, harnessFiles: { 'gohost-app': appBinary } });
    vm = guest({ image, workDir: W, ports: servers.ports });
    log(`units on Debian ${suite}`);
    const run = await vm.run(Number(process.env.BOOT_BUDGET_SEC ?? 600) * 1000);
    const reading = readConsole(run.console);
    const done = run.seen['GOHOST-DONE'] !== undefined;
    console.log('\n' + renderReport({ title: `units on Debian ${suite}, booted with ${run.accel.toUpperCase()}`, skipped: [], reading, done, started, bootStart: run.bootStart, seen: run.seen, ended: Date.now(), console: run.console }));
    fs.writeFileSync(path.join(W, 'result.json'), JSON.stringify({ suite, accel: run.accel, done, checks: reading.checks, skipped: [] }, null, 2));
    console.log(`result: ${path.join(W, 'result.json')}`);
    return failed({ reading, done }) ? 1 : 0;
  } finally {
    vm?.stop();
    servers?.close();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
