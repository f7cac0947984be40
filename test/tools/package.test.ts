/**
 * The package as users get it: `npm pack` (which builds first: prepack), unpacked into a fresh
 * project's node_modules as `npm install <tarball>` would, its dependencies and peers taken from
 * this repository's own node_modules (offline: nothing is fetched), a user program type-checked
 * against it and synthesized.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
let project: string;
let files: string[];

const PROGRAM = `import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CertificateSource, HardenedGoHost, NginxFrontDoor, ObservabilityStack, ReleaseArtifact, writeReadinessReports } from 'cdktf-gohost';
import { artifactsOf, gohostMatchers, readinessOf, userDataSnapshot } from 'cdktf-gohost/testing';

const app = new App({ outdir: 'cdktf.out' });
const stack = new TerraformStack(app, 'shop');
new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
const api = new HardenedGoHost(stack, 'Api', {
  serviceName: 'shop-api',
  subnetId: 'subnet-0123456789abcdef0',
  associatePublicIpAddress: true,
  artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'shop-api/v1/shop-api' }, 'a'.repeat(64)),
});
new NginxFrontDoor(stack, 'FrontDoor', { host: api, domainNames: ['shop.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
new ObservabilityStack(stack, 'Observability', { hosts: [api] });
app.synth();
writeReadinessReports(app);

// The testing kit, as a user's test would use it.
const artifacts = artifactsOf(stack, 'Api');
console.log(JSON.stringify({
  units: Object.keys(artifacts.units).sort(),
  memoryMax: artifacts.units['shop-api.service'].Service.MemoryMax,
  g24: readinessOf(stack)[0].rows.find((r) => r.id === 'G24')!.status,
  snapshotHeader: userDataSnapshot(stack).split(String.fromCharCode(10))[0],
  hasUnit: gohostMatchers.toHaveUnit(artifacts, 'shop-api.service').pass,
}));
`;

beforeAll(() => {
  const work = tempDir('package');
  const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, timeoutMs: 600_000 });
  expect(pack.status, pack.stderr).toBe(0);
  const info = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
  files = info.files.map((f: { path: string }) => f.path);
  project = path.join(work, 'user-project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user-project', version: '1.0.0', private: true }, null, 2));
  const modules = path.join(project, 'node_modules');
  fs.mkdirSync(path.join(modules, 'cdktf-gohost'), { recursive: true });
  const untar = run('tar', ['-xzf', path.join(work, info.filename), '-C', path.join(modules, 'cdktf-gohost'), '--strip-components=1']);
  expect(untar.status, untar.stderr).toBe(0);
  // The package's dependencies and peers, and the user's TypeScript, as installed for this repository.
  const needed = [...Object.keys(pkg.dependencies), ...Object.keys(pkg.peerDependencies), 'typescript', '@types/node'];
  for (const dep of needed) {
    fs.mkdirSync(path.dirname(path.join(modules, dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'node_modules', dep), path.join(modules, dep));
  }
  fs.mkdirSync(path.join(modules, '.bin'));
  fs.symlinkSync(path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), path.join(modules, '.bin', 'tsc'));
}, 1_500_000);

describe('the packed package', () => {
  it('ships the built library, its declarations, the README, the changelog, the licence and the checklist, and no sources or tests', () => {
    for (const f of ['dist/lib/index.js', 'dist/lib/index.d.ts', 'README.md', 'CHANGELOG.md', 'LICENSE', 'docs/checklist.md', 'package.json']) expect(files).toContain(f);
    expect(files.filter((f) => /^(lib|test|scripts|examples)\//.test(f) || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('a user program type-checks against it (strict, library types not skipped), synthesizes and uses cdktf-gohost/testing', () => {
    fs.writeFileSync(path.join(project, 'main.ts'), PROGRAM);
    const tsc = run(path.join(project, 'node_modules', '.bin', 'tsc'), ['--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--types', 'node', '--outDir', 'build', 'main.ts'], { cwd: project, timeoutMs: 300_000 });
    expect(tsc.stdout + tsc.stderr).toBe('');
    const synth = run('node', ['build/main.js'], { cwd: project, timeoutMs: 300_000 });
    expect(synth.status, synth.stderr).toBe(0);
    const kit = JSON.parse(synth.stdout.trim().split('\n').pop()!);
    expect(kit).toEqual({
      units: expect.arrayContaining(['shop-api.service', 'nginx.service.d/60-gohost.conf', 'gohost-certificate.timer']),
      memoryMax: ['1536M'],
      g24: 'enforced',
      snapshotHeader: '===== shop/Api: cloud-config.yaml (text/cloud-config) =====',
      hasUnit: true,
    });
    const tf = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', 'shop', 'cdk.tf.json'), 'utf8'));
    expect(Object.keys(tf.resource.aws_instance)).toHaveLength(1);
    expect(tf.provider.cloudinit).toEqual([{ alias: 'gohost' }]);
    const report = JSON.parse(fs.readFileSync(path.join(project, 'cdktf.out', 'stacks', 'shop', 'readiness.json'), 'utf8'));
    expect(report.hosts[0].rows.find((r: { id: string }) => r.id === 'G24').status).toBe('enforced');
  });
});
