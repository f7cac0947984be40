/**
 * npm run verify:boot -- <stack> [<host>]
 *
 * Boots the user data synthesized for one host in a Debian 12 VM (qemu; KVM when it works, TCG
 * otherwise) and checks, from inside the guest, that it became the hardened host it should be.
 * The guest reaches nothing but this harness: a local Debian repository with exactly the packages
 * the user data asks for, an emulated instance metadata service, the release artifact (built from
 * examples/app) over HTTPS, and a backend for a front door's upstreams.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { renderMultipart, MimePart } from '../lib/render/mime';
import {
  AUTOSCALING_HOST, buildExampleApp, DATA_VOLUME_ID, DebianSuite, EC2_HOST, SERVICE_SECRET, ensureImage, ensureRepo, Expectations, expectations, findHost, HARNESS_IP, log, LOG_TOKEN, makeTls, NLB_NAME, resolveForGuest, SECRETS_HOST, sh, sha, BACKEND_IP,
} from './boot/fixtures';
import { guest, Guest } from './boot/qemu';
import { failed, readConsole, renderReport } from './boot/report';
import { HarnessServers, startServers } from './boot/servers';

// Generous: TCG on a busy 2-core machine installs the packages in minutes; the run stops as soon as the guest says it is done.
const BUDGET_MS = Number(process.env.BOOT_BUDGET_SEC ?? 1200) * 1000;

/**
 * The harness-only parts, after the library's: a cloud-config that replaces `apt` (third-party
 * sources such as Grafana's cannot be reached; the boothook's local repository stands in), and a
 * boothook (runs every boot, early) that wires the guest to the harness.
 */
function harnessParts(ca: string, s3Host: string, exp: Expectations): MimePart[] {
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

function boothook(ca: string, s3Host: string, exp: Expectations): MimePart {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  const checks = fs.readFileSync(path.join(__dirname, 'boot', 'guest-checks.sh'), 'utf8');
  const lib = fs.readFileSync(path.join(__dirname, 'boot', 'guest-lib.sh'), 'utf8');
  const envFile = Object.entries(exp.env).map(([k, v]) => `${k}='${v}'`).join('\n') + '\n';
  const unit = '[Unit]\nDescription=cdktf-gohost verify:boot checks (harness only)\nAfter=cloud-final.service\n\n[Service]\nType=oneshot\nExecStart=/usr/local/sbin/gohost-harness-checks\n';
  const content = [
    '#cloud-boothook',
    '#!/bin/bash',
    '# HARNESS-ONLY PART (cdktf-gohost verify:boot), not part of the library\'s user data: it points apt',
    '# at the harness\'s local repository, trusts the harness CA, names the harness servers and queues the checks.',
    'set -eu',
    `grep -q ${s3Host} /etc/hosts || echo "${HARNESS_IP} ${s3Host} ${SECRETS_HOST} ${EC2_HOST} ${AUTOSCALING_HOST}" >> /etc/hosts`,
    `grep -q ${NLB_NAME} /etc/hosts || echo "${BACKEND_IP} ${NLB_NAME}" >> /etc/hosts`,
    `echo '${b64(ca)}' | base64 -d > /usr/local/share/ca-certificates/gohost-harness.crt`,
    '# Appended to the bundle curl reads: update-ca-certificates rehashes every CA, ~25 s per boot under TCG.',
    '# The copy above keeps it if a package regenerates the bundle.',
    'grep -q "$(sed -n 2p /usr/local/share/ca-certificates/gohost-harness.crt)" /etc/ssl/certs/ca-certificates.crt || cat /usr/local/share/ca-certificates/gohost-harness.crt >> /etc/ssl/certs/ca-certificates.crt',
    `echo "deb [trusted=yes] http://${HARNESS_IP}/debian ./" > /etc/apt/sources.list`,
    '# The data volume (the third disk) under the name a Nitro instance gives an EBS volume.',
    `[[ -b /dev/vdc ]] && ln -sfn ../../vdc /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${DATA_VOLUME_ID.replace('-', '')}`,
    '# The repository holds the packages and their dependencies, not their recommendations.',
    'echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/99gohost-harness',
    'mkdir -p /etc/gohost-harness',
    `echo '${b64(envFile)}' | base64 -d > /etc/gohost-harness/expect.sh`,
    `echo '${b64(exp.sysctl)}' | base64 -d > /etc/gohost-harness/sysctl.expect`,
    `echo '${b64(exp.ufw)}' | base64 -d > /etc/gohost-harness/ufw.expect`,
    'mkdir -p /usr/local/lib/gohost-harness',
    `echo '${b64(lib)}' | base64 -d > /usr/local/lib/gohost-harness/lib.sh`,
    `echo '${b64(checks)}' | base64 -d > /usr/local/sbin/gohost-harness-checks`,
    'chmod 0755 /usr/local/sbin/gohost-harness-checks',
    '# Written on the first boot only: the second finds the unit loaded and skips a daemon-reload.',
    `[[ -e /etc/systemd/system/gohost-harness.service ]] || { echo '${b64(unit)}' | base64 -d > /etc/systemd/system/gohost-harness.service; systemctl daemon-reload; }`,
    'systemctl --no-block start gohost-harness.service',
  ].join('\n') + '\n';
  return { contentType: 'text/cloud-boothook', filename: 'harness-only-boothook.sh', content };
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  // --poisoned-certificate: the stored certificate is broken (a corrupt second block); the front door must refuse it.
  const poisoned = args.includes('--poisoned-certificate');
  const [stack, hostArg] = args.filter((a) => !a.startsWith('--'));
  if (!stack) throw new Error('usage: npm run verify:boot -- <stack> [<host>] [--poisoned-certificate]');
  if (process.getuid?.() !== 0) throw new Error('verify:boot needs root (mmdebstrap, chroot)');
  const started = Date.now();
  const W = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-boot-'));
  const host = findHost(stack, hostArg);
  log(`${stack}/${host.id}: work directory ${W}`);

  // The release artifact, built from examples/app.
  const binary = buildExampleApp(W);
  const artifact = fs.readFileSync(binary);
  const artifactSha = sha(artifact);

  const svc = host.facts.service;
  const parts = host.parts.map((p) => ({ ...p, content: resolveForGuest(p.content, artifactSha, svc?.artifactSha256) }));
  const cc = YAML.parse(parts[0].content, { version: '1.1' });
  const packages = [...new Set<string>([...(cc.packages ?? []), ...(cc.ntp ? ['chrony'] : [])])].sort();
  const artifactHost = svc?.s3HostPrefix ? `${svc.s3HostPrefix}eu-west-1.amazonaws.com` : new URL(svc?.artifactUrl ?? 'https://artifact.invalid/').host;

  const exp = expectations(host.facts, cc);
  // BOOT_SUITE=trixie boots the same user data on Debian 13 (the CI proofs boot Debian 12).
  const image = ensureImage((process.env.BOOT_SUITE ?? 'bookworm') as DebianSuite);
  const repo = ensureRepo(image, packages);
  // A front door that keeps its certificate in Secrets Manager boots as a replacement would: one is stored.
  const restores = cc.write_files.some((f: any) => f.path === '/usr/local/lib/gohost/restore-certificate');
  const tls = makeTls(W, artifactHost, restores ? exp.env.DOMAIN : undefined, poisoned);
  if (tls.stored) exp.env[poisoned ? 'POISONED_CERT_SHA256' : 'STORED_CERT_SHA256'] = tls.stored.fingerprint;
  // A watched host reads its log credential: the token the harness's Secrets Manager holds must reach Alloy.
  if (cc.write_files.some((f: any) => f.path === '/usr/local/lib/gohost/log-credential')) exp.env.LOG_TOKEN = LOG_TOKEN;
  // A group's instance claims its address and completes its launch hook, in that order, after its checks.
  if (parts[1].content.includes('Action=AssociateAddress')) exp.env.CLAIMS_ADDRESS = '1';
  if (parts[1].content.includes('Action=CompleteLifecycleAction')) exp.env.LAUNCH_HOOK = '1';
  // A service with the harness's secret: it must reach the service as a credential, and a rotation too.
  const secret = svc && cc.write_files.find((f: any) => f.path === `/usr/local/lib/${svc.name}/fetch-secrets`);
  const credential = secret && new RegExp(`^fetch (\\S+) secretsmanager '?${SERVICE_SECRET.id}'? '?${SERVICE_SECRET.field}'?$`, 'm').exec(secret.content)?.[1];
  if (credential) Object.assign(exp.env, { SECRET_NAME: credential, SECRET_FIRST: SERVICE_SECRET.first, SECRET_ROTATED: SERVICE_SECRET.rotated });
  const userData = renderMultipart([...parts, ...harnessParts(tls.ca, artifactHost, exp)]);
  fs.writeFileSync(path.join(W, 'user-data'), userData);
  fs.writeFileSync(path.join(W, 'meta-data'), `instance-id: gohost-${sha(userData).slice(0, 12)}\nlocal-hostname: ${host.id.toLowerCase().replace(/[^a-z0-9-]/g, '-')}\n`);
  sh('cloud-localds', [path.join(W, 'seed.img'), path.join(W, 'user-data'), path.join(W, 'meta-data')]);
  sh('qemu-img', ['create', '-q', '-f', 'qcow2', '-F', 'raw', '-b', path.join(image, 'root.img'), path.join(W, 'disk.qcow2')]);

  let servers: HarnessServers | undefined;
  let vm: Guest | undefined;
  try {
    servers = await startServers({ repoDir: repo.dir, tls, artifact, binary, signedArtifact: !!svc?.s3HostPrefix });
    // The monitoring host's data volume: sparse, the size the stack gives it.
    let dataDisk: string | undefined;
    if (host.facts.monitoring && parts[1].content.includes(DATA_VOLUME_ID)) {
      dataDisk = path.join(W, 'data.img');
      fs.writeFileSync(dataDisk, '');
      fs.truncateSync(dataDisk, host.facts.monitoring.dataVolumeSizeGiB * 1024 ** 3);
    }
    vm = guest({ image, workDir: W, ports: servers.ports, dataDisk });
    const run = await vm.run(BUDGET_MS);
    const done = run.seen['GOHOST-DONE'] !== undefined;
    const healthyAt = run.seen['GOHOST-HEALTHY 1'];
    const reading = readConsole(run.console);
    const ended = Date.now();
    console.log('\n' + renderReport({
      title: `${stack}/${host.id} booted with ${run.accel.toUpperCase()}; ${packages.length} packages from the local repository`,
      skipped: repo.skipped, reading, done, started, bootStart: run.bootStart, seen: run.seen, ended, console: run.console,
    }));
    if (run.qemuError !== undefined) console.log(`qemu: ${run.qemuError}`);
    const { checks, stages } = reading;
    const { secretCalls, queryCalls } = servers;
    fs.writeFileSync(path.join(W, 'result.json'), JSON.stringify({ stack, host: host.id, accel: run.accel, healthySec: healthyAt && (healthyAt - run.bootStart) / 1000, wholeRunSec: (ended - started) / 1000, stages, checks, done, skipped: repo.skipped, secretCalls, queryCalls }, null, 2));
    if (queryCalls.length > 0) console.log(`EC2 and Auto Scaling calls: ${queryCalls.map((c) => c.action).join(', ')}`);
    if (restores) console.log(`Secrets Manager calls: ${secretCalls.join(', ') || 'none'}`);
    console.log(`result: ${path.join(W, 'result.json')}`);
    return failed({ reading, done }) ? 1 : 0;
  } finally {
    // Whatever happened: no VM, server or backend outlives the run.
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
