/**
 * Every prop that accepts a Terraform reference, given one from a TerraformVariable: the stack
 * passes `terraform validate` with its user-data references intact; planned with hostile but
 * admissible values, Terraform resolves each reference through its boundary (quoted for systemd,
 * for bash, base64 for a whole file) and the real tools accept the result with no marker command
 * run; planned with values outside a boundary's form, the plan fails on the preconditions, each
 * naming the construct and the prop.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, TerraformVariable } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, HardenedGoService, NginxFrontDoor, ObservabilityStack, ReleaseArtifact } from '../../lib';
import { planWithValues, ValuesPlan } from '../helpers/deployed-state';
import { hostFiles, HostFiles } from '../helpers/host-files';
import { newStack, synthJson } from '../helpers/stacks';
import { terraformValidate, withCloudinitAsLocals } from '../helpers/terraform';
import { requireTool, run, tempDir } from '../helpers/tools';
import { verifyServiceUnits } from '../helpers/units';

const MARKER_DIR = tempDir('ref-marker');
const MARKER = path.join(MARKER_DIR, 'pwned');

/** Admissible values a hostile tfvars file could hold: quotes, `$()`, `%`, backslashes, spaces, YAML. */
const GOOD: Record<string, string> = {
  env_value: `a"b\\c%d $(touch ${MARKER}) 'e'`,
  arg: `--name=$(touch ${MARKER}) "q" 50% \\n`,
  config: `key: "value"\nruncmd: [touch ${MARKER}]\n%{ if true }\n`,
  artifact_url: `https://releases.example.com/api?a=1&b=$(touch ${MARKER});x='y'`,
  sha: 'b'.repeat(64),
  bucket: 'releases.example',
  key: 'orders api/v1+2/orders-api',
  region: 'eu-central-1',
  admin_cidr: '198.51.100.0/24',
  ntp: 'time.aws.com',
  sysctl: '4096 87380 6291456',
  domain: 'shop.example.com',
  upstream: 'api.internal:8080',
  email: 'ops@example.com',
  loki: 'https://loki.example.com/loki/api/v1/push',
};

/** One value per boundary that is outside its form (each would inject into its destination). */
const BAD: Record<string, string> = {
  env_value: 'a\nUser=root',
  arg: 'x\u0000ExecStartPre=+/bin/sh',
  sha: `$(touch ${MARKER})`,
  bucket: 'releases"],"Action":"*',
  key: 'releases/*',
  region: 'eu-west-1; id',
  admin_cidr: '0.0.0.0/0; touch /tmp/x',
  ntp: 'time.aws.com\nallow all',
  sysctl: '1\nnet.ipv4.tcp_tw_recycle = 1',
  domain: 'shop.example.com; return 200 pwned',
  upstream: '127.0.0.1:8088; }',
  email: 'ops@example.com --deploy-hook id',
  loki: 'https://loki.example.com/x" } y {',
};

function referenceStack(): { stack: TerraformStack; tf: any } {
  const { stack } = newStack();
  const vars = new Map<string, string>();
  const v = (name: string) => vars.get(name) ?? vars.set(name, new TerraformVariable(stack, name, { type: 'string' }).stringValue).get(name)!;
  const common = { subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0' };
  const api = new HardenedGoHost(stack, 'Api', {
    ...common,
    serviceName: 'orders-api',
    artifact: ReleaseArtifact.fromS3({ bucket: v('bucket'), key: v('key'), region: v('region') }, v('sha')),
    environment: { GREETING: v('env_value') },
    args: [v('arg')],
    configFileContent: v('config'),
    adminSshCidrs: [v('admin_cidr')],
    ntpServers: [v('ntp')],
    sysctlOverrides: { 'net.ipv4.tcp_rmem': v('sysctl') },
  });
  new HardenedGoHost(stack, 'Worker', {
    ...common,
    serviceName: 'worker',
    artifact: ReleaseArtifact.fromUrl(v('artifact_url'), v('sha')),
  });
  new NginxFrontDoor(stack, 'FrontDoor', {
    ...common,
    domainNames: [v('domain')],
    certificate: CertificateSource.letsEncrypt({ email: v('email') }),
    upstreams: [v('upstream')],
    // The stored certificate's ARN is known only after apply; without it the front door's text resolves at plan.
    persistCertificate: false,
  });
  new ObservabilityStack(stack, 'Obs', { hosts: [api], lokiPushUrl: v('loki') });
  return { stack, tf: synthJson(stack) };
}

function filesOf(plan: ValuesPlan, host: string): HostFiles {
  const text = Object.entries(plan.userData).find(([k]) => k.startsWith(`${host}_`))?.[1];
  if (!text) throw new Error(`no user data for ${host}: ${Object.keys(plan.userData).join(', ')}`);
  const at = text.indexOf('\n#!/usr/bin/env bash\n');
  return hostFiles([{ content: text.slice(0, at) }, { content: text.slice(at + 1) }]);
}

let tf: any;
let good: ValuesPlan;
beforeAll(() => {
  for (const t of ['cloud-init', 'systemd-analyze', 'shellcheck', 'unshare']) requireTool(t);
  tf = referenceStack().tf;
  good = planWithValues(tf, GOOD);
}, 600_000);

describe('props from Terraform variables', () => {
  it('terraform validate accepts the stack with every user-data reference intact', () => {
    const r = terraformValidate(withCloudinitAsLocals(tf));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('admissible hostile values plan, resolved through their boundaries', () => {
    expect(good.errors).toBe('');
    expect(good.ok).toBe(true);
  });

  it('an environment value is one quoted systemd assignment, and an argument one quoted word ($ doubled)', () => {
    const unit = filesOf(good, 'Api').file('/etc/systemd/system/orders-api.service');
    expect(unit).toContain(`Environment="GREETING=a\\"b\\\\c%%d $(touch ${MARKER}) 'e'"\n`);
    expect(unit).toContain(`ExecStart=/opt/orders-api/current/orders-api "--name=$$(touch ${MARKER}) \\"q\\" 50%% \\\\n"\n`);
  });

  it('systemd-analyze verify accepts the resolved unit', () => {
    const files = filesOf(good, 'Api');
    const r = verifyServiceUnits([files.file('/etc/systemd/system/orders-api.service')], files.file('/usr/local/lib/orders-api/precheck'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('a whole configuration file is written from base64, byte for byte', () => {
    const files = filesOf(good, 'Api');
    const entry = files.doc.write_files.find((f: any) => f.path === '/etc/orders-api/orders-api.conf');
    expect(entry.encoding).toBe('b64');
    expect(Buffer.from(entry.content, 'base64').toString()).toBe(GOOD.config);
  });

  it('cloud-init schema accepts every resolved cloud-config', () => {
    for (const host of ['Api', 'Worker', 'FrontDoor_Host']) {
      const dir = tempDir('ref-cc');
      fs.writeFileSync(path.join(dir, 'user-data.yaml'), filesOf(good, host).cloudConfig);
      const r = run('cloud-init', ['schema', '--config-file', path.join(dir, 'user-data.yaml')]);
      expect(r.stderr + r.stdout, host).toContain('Valid cloud-config');
    }
  });

  it('the artifact URL is one bash word: the resolved line runs with it as one argument and runs nothing else', () => {
    const script = filesOf(good, 'Worker').script;
    const line = script.split('\n').find((l) => l.startsWith('curl -fsSL') && l.includes('releases.example.com'))!;
    const word = line.slice(line.lastIndexOf(" '"));
    const r = run('bash', ['-c', `printf '%s\\n' ${word}`]);
    expect(r.stdout).toBe(GOOD.artifact_url + '\n');
    expect(fs.existsSync(MARKER)).toBe(false);
    expect(run('bash', ['-n'], { input: script }).status).toBe(0);
    // SC2016 notes that $(…) stays literal in single quotes: exactly the point here.
    expect(run('shellcheck', ['--shell=bash', '--exclude=SC2016', '-'], { input: script }).stdout).toBe('');
  });

  it('the S3 key is percent-encoded in the request path; bucket, region, CIDR and NTP server arrive as written', () => {
    const files = filesOf(good, 'Api');
    expect(files.script).toContain('"https://releases.example.s3.$region.amazonaws.com/orders%20api/v1%2B2/orders-api"');
    expect(files.script).toContain('region=eu-central-1\n');
    expect(files.script).toContain(`ufw allow proto tcp from ${GOOD.admin_cidr} to any port 22`);
    expect(files.doc.ntp.servers).toEqual(['time.aws.com']);
    expect(files.script).not.toContain('gohost-late');
  });

  it('the front door serves the resolved domain and proxies to the resolved upstream', () => {
    const files = filesOf(good, 'FrontDoor_Host');
    const conf = files.paths().filter((p) => p.startsWith('/etc/nginx/')).map((p) => files.file(p)).join('\n');
    expect(conf).toContain('server_name shop.example.com;');
    expect(conf).toContain('server api.internal:8080');
    expect(files.script + files.paths().map((p) => files.file(p)).join('\n')).not.toContain('gohost-late');
  });

  it('values outside each boundary fail the plan, every one named by construct and prop', () => {
    const bad = planWithValues(tf, { ...GOOD, ...BAD });
    expect(bad.ok).toBe(false);
    const errors = bad.errors.replace(/\s+/g, ' ');
    for (const expected of [
      'test/Api: environment.GREETING must be text without control characters',
      'test/Api: args[0] must be text without control characters',
      'test/Api: artifact.sha256 must be 64 lower-case hex digits.',
      'test/Worker: artifact.sha256 must be 64 lower-case hex digits.',
      'test/Api: artifact.bucket must be an S3 bucket name.',
      'test/Api: artifact.key must be an S3 object key without *',
      'test/Api: artifact.region must be an AWS region',
      'test/Api: a CIDR admitted to tcp/22 must be a CIDR',
      'test/Api: ntpServers[0] must be a host name or an IP address.',
      'test/Api: sysctlOverrides["net.ipv4.tcp_rmem"] must be text without control characters',
      'test/FrontDoor/Host: domainNames[0] (of test/FrontDoor) must be a lower-case DNS name',
      'test/FrontDoor/Host: upstreams (of test/FrontDoor) must be host:port',
      'test/FrontDoor/Host: certificate email (of test/FrontDoor) must be an email address.',
      'test/Api: lokiPushUrl (of test/Obs) must be an http(s) URL',
    ]) {
      expect(errors).toContain(expected);
    }
    expect(fs.existsSync(MARKER)).toBe(false);
  });
});

/** The other props that accept references: placement, keys, tags, certificates from SSM, mTLS, the monitoring host's webhook. */
const GOOD_2: Record<string, unknown> = {
  subnet: 'subnet-0aaaaaaaaaaaaaaa1', subnets: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'], vpc: 'vpc-0123456789abcdef0',
  key_pair: 'ops', kms: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', team: 'payments ${x} %{y}',
  cert_param: '/tls/shop/cert', key_param: '/tls/shop/key', ca_bundle: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  webhook: 'https://hooks.example.com/alertmanager?team=payments&x=$(id)', otel: 'http://otel.internal:4318', email: 'oncall@example.com', sha: 'c'.repeat(64),
};

function secondStack(): any {
  const { stack } = newStack();
  const v = (name: string, type = 'string') => new TerraformVariable(stack, name, { type });
  const vars = new Map<string, string>();
  const s = (name: string) => vars.get(name) ?? vars.set(name, v(name).stringValue).get(name)!;
  const subnets = v('subnets', 'list(string)').listValue;
  const svc = new HardenedGoService(stack, 'Svc', {
    serviceName: 'orders-api', subnetIds: subnets, vpcId: s('vpc'), keyPairName: s('key_pair'), rootVolumeKmsKeyId: s('kms'), tags: { team: s('team') },
    artifact: ReleaseArtifact.fromUrl('https://releases.example.com/orders-api', s('sha')),
  });
  new NginxFrontDoor(stack, 'FrontDoor', {
    subnetId: s('subnet'), vpcId: s('vpc'), domainNames: ['shop.example.com'], upstreams: [svc],
    certificate: CertificateSource.fromSsmParameters({ certificateParameterName: s('cert_param'), privateKeyParameterName: s('key_param') }),
    mtlsPaths: ['/admin/'], mtlsClientCaBundle: s('ca_bundle'),
  });
  new ObservabilityStack(stack, 'Obs', {
    hosts: [svc], monitoringHost: true, subnetId: s('subnet'), vpcId: s('vpc'), dataVolumeKmsKeyId: s('kms'),
    alertWebhookUrl: s('webhook'), otelEndpoint: s('otel'), alarmEmail: s('email'),
  });
  return synthJson(stack);
}

describe('the other reference-capable props (group subnets, VPC, key pair, KMS keys, tags, SSM certificate, mTLS bundle, webhook, OTel endpoint, alarm email)', () => {
  let tf2: any;
  beforeAll(() => {
    tf2 = secondStack();
  });

  it('terraform validate accepts the stack with every user-data reference intact', () => {
    const r = terraformValidate(withCloudinitAsLocals(tf2));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.valid).toBe(true);
  });

  it('tags, the KMS key and the VPC stay references in the resources', () => {
    const lt = JSON.stringify(Object.values<any>(tf2.resource.aws_launch_template)[0]);
    expect(lt).toContain('${var.kms}');
    expect(lt).toContain('${var.team}');
    expect(JSON.stringify(tf2.resource.aws_security_group)).toContain('${var.vpc}');
  });

  it('values outside their form fail the plan: an SSM parameter pattern, a webhook that breaks YAML (a KMS wildcard the AWS provider refuses itself)', () => {
    const bad = planWithValues(tf2, { ...GOOD_2, cert_param: '/tls/*', webhook: 'https://h.example.com/x" y' });
    expect(bad.ok).toBe(false);
    const errors = bad.errors.replace(/\s+/g, ' ');
    expect(errors).toContain('test/FrontDoor/Host: certificateParameterName (of test/FrontDoor) must be an SSM parameter name');
    expect(errors).toContain('test/Obs/Monitoring: alertWebhookUrl (of test/Obs) must be an http(s) URL without spaces, quotes');
  });

  it('admissible values pass every precondition; the mTLS bundle is written base64 by Terraform', () => {
    const good2 = planWithValues(tf2, GOOD_2);
    expect(good2.errors).toBe('');
    expect(good2.ok).toBe(true);
    const fd = Object.entries<any>(tf2.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor_Host_'))![1];
    expect(fd.part[0].content).toMatch(/encoding: b64\n\s+content: "?\$\{base64encode\(var\.ca_bundle\)\}"?\n/);
  });
});
