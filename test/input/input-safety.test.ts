/**
 * Input safety (a first part of issue 10): control characters cannot reach a unit, a sysctl file
 * or chrony; `$` and `%` reach the service literally; a health path is never expanded by bash;
 * SSH is not opened to the whole internet by any set of CIDRs or route into the port model.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, NginxFrontDoor, Peer, Port, ReleaseArtifact } from '../../lib';
import { environmentAssignment } from '../../lib/render/systemd';
import { validationError } from '../helpers/errors';
import { fdBaseProps } from '../helpers/front-door';
import { hostFiles } from '../helpers/host-files';
import { baseProps, hostStack, newStack, synthJson, userDataParts } from '../helpers/stacks';
import { terraformValidate, withCloudinitAsLocals } from '../helpers/terraform';
import { run, tempDir } from '../helpers/tools';

const messageFor = (props: Parameters<typeof hostStack>[0]) => validationError(() => hostStack(props)).message;

describe('control characters never reach a unit, sysctl.d or chrony', () => {
  it.each([
    ['NUL', 'a\u0000User=root'],
    ['line feed', 'a\nExecStartPre=+/bin/sh -c id'],
    ['carriage return', 'a\rUser=root'],
    ['tab', 'a\tb'],
    ['DEL', 'a\u007f'],
  ])('an environment value with a %s', (_, value) => {
    expect(messageFor({ environment: { FOO: value } })).toContain(
      'environment.FOO = ' + JSON.stringify(value) + ': contains a control character (a line break, tab or NUL), which would end the Environment= line and could start a new directive',
    );
  });

  it('an argument with a NUL', () => {
    expect(messageFor({ args: ['--ok', 'x\u0000User=root'] })).toContain('args[1] = "x\\u0000User=root": contains a control character');
  });

  it('a sysctl value with a line break (it would write another key)', () => {
    expect(messageFor({ sysctlOverrides: { 'net.core.netdev_max_backlog': '5000\nnet.ipv4.tcp_tw_recycle = 1' } })).toContain(
      'sysctlOverrides["net.core.netdev_max_backlog"] = "5000\\nnet.ipv4.tcp_tw_recycle = 1": contains a control character: a line break would write another sysctl key',
    );
  });

  it('an NTP server that is not a host name or address (it would become chrony directives)', () => {
    expect(messageFor({ ntpServers: ['169.254.169.123\npool evil.example iburst'] })).toContain('ntpServers[0] = "169.254.169.123\\npool evil.example iburst": is not a host name or IP address');
  });

  it('the unit printer refuses a control character even if a check were missed', () => {
    expect(() => environmentAssignment('FOO', 'a\u0000b')).toThrow('the value of FOO contains a control character');
  });
});

describe('values reach the service literally', () => {
  it('$ and % in arguments are escaped for systemd ($$, %%)', () => {
    const { stack } = hostStack({ args: ['--root=$HOME/data', '--cpu=100%'] });
    const unit = hostFiles(userDataParts(synthJson(stack))).file('/etc/systemd/system/orders-api.service');
    expect(unit).toMatch(/^ExecStart=\/opt\/orders-api\/current\/orders-api "--root=\$\$HOME\/data" --cpu=100%%$/m);
  });

  it('a health path with shell syntax is printed, not run, when the service does not become healthy', () => {
    const healthPath = "/$(touch$IFS'MARKER')";
    const { stack } = hostStack({ healthPath });
    const script = hostFiles(userDataParts(synthJson(stack))).script;
    const line = script.split('\n').find((l) => l.includes('did not answer'))!;
    const dir = tempDir('marker');
    const r = run('bash', ['-c', `log() { printf '%s\\n' "$*"; }\n${line.trim()}`], { cwd: dir });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`orders-api did not answer ${healthPath} within 60 s\n`);
    expect(fs.existsSync(path.join(dir, 'MARKER'))).toBe(false);
  });
});

describe('SSH is never opened to the whole internet without allowSshFromAnywhere', () => {
  it.each([
    [['0.0.0.0/00'], 'adminSshCidrs[0] = "0.0.0.0/00": opens SSH to the whole internet'],
    [['::/0'], 'adminSshCidrs[0] = "::/0": opens SSH to the whole internet'],
    [['0.0.0.0/1', '128.0.0.0/1'], 'adminSshCidrs = ["0.0.0.0/1","128.0.0.0/1"]: together cover the whole internet, which opens SSH to everyone'],
    [['::/1', '8000::/1'], 'adminSshCidrs = ["::/1","8000::/1"]: together cover the whole internet'],
  ])('adminSshCidrs %j', (cidrs, message) => {
    expect(messageFor({ adminSshCidrs: cidrs })).toContain(message);
  });

  it('accepts ranges that leave addresses out', () => {
    expect(() => synthJson(hostStack({ adminSshCidrs: ['0.0.0.0/1', '203.0.113.0/24'] }).stack)).not.toThrow();
  });

  it('through the port model: connections.allowFrom(Peer.anyIpv4(), Port.SSH)', () => {
    const { stack, host } = hostStack();
    host.connections.allowFrom(Peer.anyIpv4(), Port.SSH, 'ssh');
    expect(() => synthJson(stack)).toThrow(/connections = SSH \(tcp\/22\) from 0\.0\.0\.0\/0: opens SSH to the whole internet/);
  });

  it('through the port model in pieces, and through a port range that contains 22', () => {
    const { stack, host } = hostStack();
    host.connections.allowFrom(Peer.ipv4('0.0.0.0/1'), Port.tcpRange(20, 30), 'low half');
    host.connections.allowFrom(Peer.ipv4('128.0.0.0/1'), Port.SSH, 'high half');
    expect(() => synthJson(stack)).toThrow(/connections = SSH \(tcp\/22\) from 0\.0\.0\.0\/1, 128\.0\.0\.0\/1: opens SSH to the whole internet/);
  });

  it('allowSshFromAnywhere accepts it knowingly', () => {
    const { stack, host } = hostStack({ adminSshCidrs: ['0.0.0.0/0'], allowSshFromAnywhere: true });
    host.connections.allowFrom(Peer.anyIpv6(), Port.SSH, 'ssh v6');
    expect(() => synthJson(stack)).not.toThrow();
  });
});

describe('nginx arguments', () => {
  it('a static root with a $ (a request could choose the directory) is refused', () => {
    const { stack } = newStack();
    const e = validationError(() => new NginxFrontDoor(stack, 'FrontDoor', {
      ...fdBaseProps, certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }), staticRootDirectory: '/srv/$http_x_root',
    }));
    expect(e.message).toContain('staticRootDirectory = "/srv/$http_x_root": has characters nginx would interpret');
  });
});

describe('reserved local ports and secrets', () => {
  it('a listenPort on nginx\'s stub_status port (8088) is refused', () => {
    expect(messageFor({ listenPort: 8088 })).toContain("listenPort = 8088: collides with nginx's stub_status (127.0.0.1) on the same host");
  });

  it.each(['127.0.0.1:8088', '127.0.0.1:9100', 'localhost:9113'])('an upstream %s (stub_status or an exporter) is refused: the internet would read it', (upstream) => {
    const { stack } = newStack();
    const e = validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, upstreams: [upstream] }));
    expect(e.message).toContain(`upstreams[0] = "${upstream}": points at port ${upstream.split(':')[1]} on this host, where stub_status or an exporter listens`);
  });

  it.each(['DB_PASS', 'DATABASE_URL', 'SENTRY_DSN', 'STRIPE_KEY'])('warns about an environment variable named %s', (name) => {
    const { host } = hostStack({ environment: { [name]: 'x' } });
    expect(host.node.metadata.map((m) => String(m.data)).join('\n')).toContain(`environment.${name} has a name that looks like a secret`);
  });

  it('warns about a URL with credentials in an environment value', () => {
    const { host } = hostStack({ environment: { UPSTREAM: 'https://user:token@api.example.com/' } });
    expect(host.node.metadata.map((m) => String(m.data)).join('\n')).toContain('environment.UPSTREAM is a URL with credentials, which looks like a secret');
  });

  it('refuses them with allowSecretsInUserData: false, masking the credentials of an artifact URL', () => {
    const e = validationError(() => hostStack({
      allowSecretsInUserData: false,
      environment: { DB_PASS: 'x' },
      artifact: ReleaseArtifact.fromUrl('https://deploy:s3cr3t@releases.example.com/orders-api', 'a'.repeat(64)),
    }));
    expect(e.failures.map((f) => f.prop).sort()).toEqual(['artifact.url', 'environment.DB_PASS']);
    expect(e.message).toContain('artifact.url = "https://***@releases.example.com/orders-api": carries credentials');
    expect(e.message).not.toContain('s3cr3t');
  });
});

describe('IAM documents and tags are Terraform strings', () => {
  it('a literal ${…} in an S3 key stays text in the role policy and the tags, and terraform validate accepts the stack', () => {
    const { stack } = hostStack({
      artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'a/${path.cwd}/orders-api' }, 'a'.repeat(64)),
      tags: { team: '${path.root}', '%{if true}x%{endif}': 'y' },
    });
    const tf = synthJson(stack);
    const policy = Object.values<any>(tf.resource.aws_iam_role_policy).find((p) => p.name === 'read-release-artifact');
    expect(policy.policy).toContain('s3:::releases/a/$${path.cwd}/orders-api');
    expect(policy.policy).toMatch(/"Resource":"arn:\$\{data\.aws_partition\.[A-Za-z0-9_]+\.partition\}:s3:::/);
    const instance = Object.values<any>(tf.resource.aws_instance)[0];
    expect(instance.tags).toMatchObject({ team: '$${path.root}', '%%{if true}x%%{endif}': 'y' });
    const result = terraformValidate(withCloudinitAsLocals(tf));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('an IAM wildcard in the artifact key is refused', () => {
    expect(messageFor({ artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'releases/*' }, 'a'.repeat(64)) })).toContain(
      'artifact.key = "releases/*": has an IAM wildcard (* or ?): the role would read every matching object',
    );
  });

  it.each([
    [{ secretId: '*' }, 'certificate.secretId = "*": has an IAM wildcard'],
    [{ secretId: 'tls/api', kmsKeyArn: '*' }, 'certificate.kmsKeyArn = "*": has an IAM wildcard'],
  ])('a bring-your-own certificate with %j is refused', (options, message) => {
    const { stack } = newStack();
    const e = validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, certificate: CertificateSource.fromSecretsManager(options) }));
    expect(e.message).toContain(message);
  });

  it('an SSM parameter pattern is refused', () => {
    const { stack } = newStack();
    const e = validationError(() => new NginxFrontDoor(stack, 'FrontDoor', {
      ...fdBaseProps, certificate: CertificateSource.fromSsmParameters({ certificateParameterName: '/tls/*', privateKeyParameterName: '/tls/key' }),
    }));
    expect(e.message).toContain('certificate.certificateParameterName = "/tls/*": has an IAM wildcard (* or ?): the role would read every matching parameter');
  });
});

describe('props the library computes with must be literals', () => {
  it.each([
    ['instanceType', 'string'], ['memoryMax', 'string'], ['cpuQuota', 'string'], ['healthPath', 'string'], ['serviceName', 'string'],
    ['listenPort', 'number'], ['timeoutStopSec', 'number'], ['limitNofile', 'number'],
  ] as const)('%s from a Terraform variable is refused with a clear message (it used to crash or render NaN)', (prop, type) => {
    const { stack } = newStack();
    const variable = new TerraformVariable(stack, 'v', { type });
    const value = type === 'number' ? variable.numberValue : variable.stringValue;
    const e = validationError(() => new HardenedGoHost(stack, 'Api', { ...baseProps, [prop]: value }));
    expect(e.message).toContain(`${prop} = "(a Terraform reference)": must be known at synth: the library derives settings and files from it`);
  });

  it('props that may be references still accept them (subnet, VPC, artifact, environment, SSH CIDRs) and pass terraform validate', () => {
    const { stack } = newStack();
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    new HardenedGoHost(stack, 'Api', {
      ...baseProps, subnetId: v('subnet'), vpcId: v('vpc'), artifact: ReleaseArtifact.fromS3({ bucket: v('bucket'), key: v('key') }, v('sha')),
      environment: { DB_HOST: v('db') }, adminSshCidrs: [v('cidr')],
    });
    const result = terraformValidate(withCloudinitAsLocals(synthJson(stack)));
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });
});

describe('wrong types from plain JavaScript or JSON configuration', () => {
  const plain = (props: Record<string, unknown>) => validationError(() => hostStack(props as any));

  it('names every prop with a wrong type and the type it needs, instead of crashing', () => {
    const e = plain({ serviceName: 123, listenPort: '8080', environment: 'APP_ENV=production', adminSshCidrs: '203.0.113.0/24', tags: 'team=api', keyPairName: null, memoryMax: 2048 });
    expect(e.failures.map((f) => `${f.prop}: ${f.problem}`).sort()).toEqual([
      'adminSshCidrs: must be a list of strings, not a string',
      'environment: must be a map of string, not a string',
      'listenPort: must be a number, not a string',
      'memoryMax: must be a string, not a number',
      'serviceName: must be a string, not a number',
      'tags: must be a map of string, not a string',
    ]);
  });

  it('a missing serviceName is refused, not turned into a service called "undefined"', () => {
    expect(plain({ serviceName: undefined }).message).toContain('serviceName = (not set): is required');
  });

  it('Port.tcp("8080") and Peer.ipv4(undefined) say what is wrong', () => {
    expect(() => Port.tcp('8080' as any)).toThrow('Port.tcp: a port must be a number, not "8080" (write Port.tcp(8080))');
    expect(() => Peer.ipv4(undefined as any)).toThrow('Peer: a CIDR must be a string like "203.0.113.0/24", not undefined');
  });
});
