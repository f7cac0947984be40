/**
 * npm run bench:synth — synthesizes N Go hosts (default N = 10, 100, 1000) twice in the same run:
 * with the library, and as the same resources and user data written with cdktf's plain provider
 * classes (the user data text taken from a one-host library synthesis). Each side runs in its own
 * process, so its peak RSS is its own. Prints seconds, peak RSS and the ratios library/plain; writes
 * them to bench-results/synth.json. Each figure is the median of BENCH_SYNTH_RUNS (5) alternating runs. The library is built first and loaded from dist/, as a user's
 * program loads it from the package. `BENCH_SYNTH_N="10 100"` picks other sizes.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

interface Side { seconds: number; peakRssMiB: number; resources: number }
interface Template { parts: Array<{ content_type: string; filename: string; content: string }>; policy: string; serviceName: string }

const SUBNET = 'subnet-0123456789abcdef0';
const VPC = 'vpc-0123456789abcdef0';
const SHA = 'a'.repeat(64);
// The compiled library, as users load it from the package (built by the parent first).
const LIBRARY = path.join(__dirname, '..', 'dist', 'lib');

export function libraryStack(n: number, outdir: string): { synth: () => void } {
  /* eslint-disable @typescript-eslint/no-var-requires */
  const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
  const { AwsProvider } = require('@cdktf/provider-aws/lib/provider') as typeof import('@cdktf/provider-aws/lib/provider');
  const { HardenedGoHost, ReleaseArtifact } = require(LIBRARY) as typeof import('../lib');
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  for (let i = 0; i < n; i++) {
    new HardenedGoHost(stack, `Api${i}`, {
      serviceName: `api-${i}`,
      subnetId: SUBNET,
      vpcId: VPC,
      artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: `api-${i}/v1/api` }, SHA),
    });
  }
  return { synth: () => app.synth() };
}

export function plainStack(n: number, outdir: string, t: Template): { synth: () => void } {
  const { App, TerraformStack } = require('cdktf') as typeof import('cdktf');
  const { AwsProvider } = require('@cdktf/provider-aws/lib/provider') as typeof import('@cdktf/provider-aws/lib/provider');
  const { CloudinitProvider } = require('@cdktf/provider-cloudinit/lib/provider') as typeof import('@cdktf/provider-cloudinit/lib/provider');
  const { DataCloudinitConfig } = require('@cdktf/provider-cloudinit/lib/data-cloudinit-config') as typeof import('@cdktf/provider-cloudinit/lib/data-cloudinit-config');
  const aws = {
    ...(require('@cdktf/provider-aws/lib/data-aws-ami') as typeof import('@cdktf/provider-aws/lib/data-aws-ami')),
    ...(require('@cdktf/provider-aws/lib/data-aws-partition') as typeof import('@cdktf/provider-aws/lib/data-aws-partition')),
    ...(require('@cdktf/provider-aws/lib/data-aws-region') as typeof import('@cdktf/provider-aws/lib/data-aws-region')),
    ...(require('@cdktf/provider-aws/lib/security-group') as typeof import('@cdktf/provider-aws/lib/security-group')),
    ...(require('@cdktf/provider-aws/lib/vpc-security-group-egress-rule') as typeof import('@cdktf/provider-aws/lib/vpc-security-group-egress-rule')),
    ...(require('@cdktf/provider-aws/lib/iam-role') as typeof import('@cdktf/provider-aws/lib/iam-role')),
    ...(require('@cdktf/provider-aws/lib/iam-role-policy') as typeof import('@cdktf/provider-aws/lib/iam-role-policy')),
    ...(require('@cdktf/provider-aws/lib/iam-role-policy-attachment') as typeof import('@cdktf/provider-aws/lib/iam-role-policy-attachment')),
    ...(require('@cdktf/provider-aws/lib/iam-instance-profile') as typeof import('@cdktf/provider-aws/lib/iam-instance-profile')),
    ...(require('@cdktf/provider-aws/lib/instance') as typeof import('@cdktf/provider-aws/lib/instance')),
    ...(require('@cdktf/provider-aws/lib/cloudwatch-metric-alarm') as typeof import('@cdktf/provider-aws/lib/cloudwatch-metric-alarm')),
  };
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'bench');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const cloudinit = new CloudinitProvider(stack, 'cloudinit', { alias: 'gohost' });
  const partition = new aws.DataAwsPartition(stack, 'Partition');
  const region = new aws.DataAwsRegion(stack, 'Region');
  const ami = new aws.DataAwsAmi(stack, 'Ami', {
    mostRecent: true,
    owners: ['099720109477'],
    filter: [
      { name: 'name', values: ['ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*'] },
      { name: 'state', values: ['available'] },
      { name: 'virtualization-type', values: ['hvm'] },
    ],
  });
  const name = (i: number, s: string) => s.split(t.serviceName).join(`api-${i}`);
  for (let i = 0; i < n; i++) {
    const id = `Api${i}`;
    const tags = { Name: `bench-${id}`, 'gohost:host': `api-${i}` };
    const sg = new aws.SecurityGroup(stack, `${id}-SecurityGroup`, {
      namePrefix: `api-${i}-`, description: `cdktf-gohost api-${i}: rules are standalone resources`, vpcId: VPC, tags, lifecycle: { createBeforeDestroy: true },
    });
    for (const port of [80, 443]) {
      for (const cidr of ['0.0.0.0/0', '::/0']) {
        new aws.VpcSecurityGroupEgressRule(stack, `${id}-Egress-${port}-${cidr.length}`, {
          securityGroupId: sg.id, ipProtocol: 'tcp', fromPort: port, toPort: port,
          ...(cidr.includes(':') ? { cidrIpv6: cidr } : { cidrIpv4: cidr }), description: `port ${port} out`,
        });
      }
    }
    const role = new aws.IamRole(stack, `${id}-Role`, {
      namePrefix: `api-${i}-`, description: `cdktf-gohost api-${i} instance role`, tags,
      assumeRolePolicy: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] }),
    });
    new aws.IamRolePolicy(stack, `${id}-Policy`, { role: role.id, name: 'read-artifact', policy: name(i, t.policy) });
    new aws.IamRolePolicyAttachment(stack, `${id}-SsmCore`, { role: role.name, policyArn: `arn:${partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` });
    const profile = new aws.IamInstanceProfile(stack, `${id}-InstanceProfile`, { namePrefix: `api-${i}-`, role: role.name, tags });
    const userData = new DataCloudinitConfig(stack, `${id}-UserData`, {
      provider: cloudinit, gzip: true, base64Encode: true,
      part: t.parts.map((p) => ({ contentType: p.content_type, filename: p.filename, content: name(i, p.content) })),
    });
    const instance = new aws.Instance(stack, `${id}-Instance`, {
      ami: ami.id, instanceType: 't3.small', subnetId: SUBNET, associatePublicIpAddress: false, iamInstanceProfile: profile.name,
      vpcSecurityGroupIds: [sg.id], userDataBase64: userData.rendered, userDataReplaceOnChange: true, monitoring: true,
      metadataOptions: { httpEndpoint: 'enabled', httpTokens: 'required', httpPutResponseHopLimit: 1, instanceMetadataTags: 'disabled' },
      rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: 20, deleteOnTermination: true },
      tags, volumeTags: tags, lifecycle: { createBeforeDestroy: true, ignoreChanges: ['ami'] },
    });
    new aws.CloudwatchMetricAlarm(stack, `${id}-RecoverAlarm`, {
      alarmName: `bench-${id}-system-status-recover`, namespace: 'AWS/EC2', metricName: 'StatusCheckFailed_System',
      dimensions: { InstanceId: instance.id }, statistic: 'Maximum', period: 60, evaluationPeriods: 2, threshold: 1,
      comparisonOperator: 'GreaterThanOrEqualToThreshold', alarmActions: [`arn:${partition.partition}:automate:${region.name}:ec2:recover`],
    });
  }
  return { synth: () => app.synth() };
}

function countResources(outdir: string): number {
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
  return Object.values<Record<string, unknown>>(tf.resource ?? {}).reduce((sum, r) => sum + Object.keys(r).length, 0);
}

/** Child: build and synthesize one side, print its figures as JSON. */
function child(side: string, n: number, templateFile: string): void {
  // tsx turns source maps on; cdktf captures a stack trace per token, which they make several times dearer.
  process.setSourceMapsEnabled(false);
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `gohost-bench-${side}-`));
  const start = process.hrtime.bigint();
  const app = side === 'library' ? libraryStack(n, outdir) : plainStack(n, outdir, JSON.parse(fs.readFileSync(templateFile, 'utf8')));
  app.synth();
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const figures: Side = { seconds, peakRssMiB: process.resourceUsage().maxRSS / 1024, resources: countResources(outdir) };
  fs.rmSync(outdir, { recursive: true, force: true });
  process.stdout.write(JSON.stringify(figures));
}

/** The one-host library synthesis whose user data and policy the plain side reuses. */
function template(file: string): void {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-bench-template-'));
  libraryStack(1, outdir).synth();
  const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'bench', 'cdk.tf.json'), 'utf8'));
  const config = Object.values<any>(tf.data.cloudinit_config)[0];
  const policy = Object.values<any>(tf.resource.aws_iam_role_policy)[0].policy as string;
  const t: Template = { parts: config.part, policy, serviceName: 'api-0' };
  fs.writeFileSync(file, JSON.stringify(t));
  fs.rmSync(outdir, { recursive: true, force: true });
}

function run(side: string, n: number, templateFile: string): Side {
  const r = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--child', side, String(n), templateFile], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${side} N=${n} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

function median(sides: Side[]): Side {
  const mid = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  return { seconds: mid(sides.map((s) => s.seconds)), peakRssMiB: mid(sides.map((s) => s.peakRssMiB)), resources: sides[0].resources };
}

function main(): void {
  const args = process.argv.slice(2);
  if (args[0] === '--child') return child(args[1], Number(args[2]), args[3]);
  if (args[0] === '--template') return template(args[1]);
  const sizes = (process.env.BENCH_SYNTH_N ?? '10 100 1000').split(/\s+/).filter(Boolean).map(Number);
  const build = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { encoding: 'utf8', cwd: path.join(__dirname, '..') });
  if (build.status !== 0) throw new Error(`build failed:\n${build.stdout}${build.stderr}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-bench-synth-'));
  const templateFile = path.join(dir, 'template.json');
  const t = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--template', templateFile], { encoding: 'utf8' });
  if (t.status !== 0) throw new Error(`template failed:\n${t.stderr}`);
  // Five: the plain side's peak RSS falls in two groups (about 440 and 500 MiB at 1,000 hosts) with the moment of its last full GC.
  const runs = Number(process.env.BENCH_SYNTH_RUNS ?? 5);
  const rows = sizes.map((n) => {
    // Alternating runs, the median of each side: one run on a busy machine says little.
    const samples: Record<string, Side[]> = { library: [], plain: [] };
    for (let r = 0; r < runs; r++) for (const side of ['library', 'plain']) samples[side].push(run(side, n, templateFile));
    const library = median(samples.library);
    const plain = median(samples.plain);
    return { n, library, plain, timeRatio: library.seconds / plain.seconds, memoryRatio: library.peakRssMiB / plain.peakRssMiB, samples };
  });
  console.log(`${os.cpus().length} CPUs, node ${process.version}, median of ${runs} runs per side`);
  console.log('hosts | library s | plain s | time ratio | library MiB | plain MiB | memory ratio | resources (library/plain)');
  for (const r of rows) {
    console.log([r.n, r.library.seconds.toFixed(2), r.plain.seconds.toFixed(2), `${r.timeRatio.toFixed(2)}×`,
      r.library.peakRssMiB.toFixed(0), r.plain.peakRssMiB.toFixed(0), `${r.memoryRatio.toFixed(2)}×`, `${r.library.resources}/${r.plain.resources}`].join(' | '));
  }
  fs.mkdirSync('bench-results', { recursive: true });
  fs.writeFileSync(path.join('bench-results', 'synth.json'), JSON.stringify(rows, null, 2));
  fs.rmSync(dir, { recursive: true, force: true });
}

if (require.main === module) main();
