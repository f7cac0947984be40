/**
 * The bad-input corpus: typos and hostile values, one test each, across every class of issue 10
 * (control characters, shell/systemd/nginx/Terraform metacharacters, IAM wildcards, policy
 * bypasses, names that take over the system, published internals, literal-only props given
 * references, wrong types, misleading refusals, secrets). A refused value must be refused with a
 * message naming the prop; an accepted value must give artifacts the real programs accept
 * (`systemd-analyze verify`, `bash -n`) with no marker command run.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TerraformStack, TerraformVariable, Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CertificateSource, HardenedGoHost, HardenedGoHostProps, HardenedGoService, inputFailures, NginxFrontDoor, NginxFrontDoorProps, ObservabilityStack,
  ObservabilityStackProps, Peer, Port, ReleaseArtifact,
} from '../../lib';
import { formatFailure } from '../../lib/input/prop-checks';
import { fdBaseProps, nginxTest } from '../helpers/front-door';
import { hostFiles } from '../helpers/host-files';
import { baseProps, newStack, synthJson, userDataParts } from '../helpers/stacks';
import { terraformValidate, withCloudinitAsLocals } from '../helpers/terraform';
import { requireTool, run, tempDir } from '../helpers/tools';
import { verifyServiceUnits } from '../helpers/units';

const MARKER = path.join(tempDir('corpus-marker'), 'ran');
const UNIT = '/etc/systemd/system/orders-api.service';
const PRECHECK = '/usr/local/lib/orders-api/precheck';

type Build = (stack: TerraformStack) => void;

/** The failure messages and warnings a stack gets (none when it is accepted). */
function outcome(build: Build): { failures: string[]; warnings: string[]; stack: TerraformStack } {
  const { stack } = newStack();
  build(stack);
  const failures = inputFailures(stack).flatMap((r) => r.failures.map((f) => `[${r.path}] ${formatFailure(f)}`));
  let synthError = '';
  try {
    Testing.synth(stack, true);
  } catch (e) {
    synthError = (e as Error).message;
  }
  const warnings = stack.node.findAll().flatMap((c) => c.node.metadata.filter((m) => m.type === '@cdktf/warn').map((m) => String(m.data)));
  return { failures: failures.length ? failures : synthError ? [synthError] : [], warnings, stack };
}

const goHost = (props: Partial<HardenedGoHostProps>): Build => (stack) => void new HardenedGoHost(stack, 'Api', { ...baseProps, ...props } as HardenedGoHostProps);
const frontDoor = (props: Partial<NginxFrontDoorProps>): Build => (stack) => void new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, ...props } as NginxFrontDoorProps);
const observability = (props: Partial<ObservabilityStackProps>): Build => (stack) => {
  const api = new HardenedGoHost(stack, 'Api', baseProps);
  new ObservabilityStack(stack, 'Obs', { hosts: [api], ...props } as ObservabilityStackProps);
};
/** A prop from a Terraform variable. */
const fromVariable = (prop: string, type = 'string'): Build => (stack) => {
  const v = new TerraformVariable(stack, 'input', { type });
  const value = type === 'number' ? v.numberValue : v.stringValue;
  new HardenedGoHost(stack, 'Api', { ...baseProps, [prop]: value } as HardenedGoHostProps);
};

const CONTROL = { NUL: '\u0000', LF: '\n', CR: '\r', TAB: '\t', ESC: '\u001b', DEL: '\u007f' };

/** [name, build, a substring of the refusal]. */
const REFUSED: Array<[string, Build, string]> = [
  // Control characters end lines in units, sysctl.d, chrony and nginx files.
  ...Object.entries(CONTROL).flatMap(([c, ch]): Array<[string, Build, string]> => [
    [`environment value with ${c}`, goHost({ environment: { FOO: `a${ch}User=root` } }), 'environment.FOO = '],
    [`argument with ${c}`, goHost({ args: [`x${ch}ExecStartPre=+/bin/sh`] }), 'args[0] = '],
    [`sysctl value with ${c}`, goHost({ sysctlOverrides: { 'net.core.netdev_max_backlog': `5000${ch}net.ipv4.ip_forward = 1` } }), 'sysctlOverrides["net.core.netdev_max_backlog"] = '],
    [`NTP server with ${c}`, goHost({ ntpServers: [`time.aws.com${ch}allow all`] }), 'ntpServers[0] = '],
    [`health path with ${c}`, goHost({ healthPath: `/healthz${ch}x` }), 'healthPath = '],
    [`domain name with ${c}`, frontDoor({ domainNames: [`shop.example.com${ch}`] }), 'domainNames[0] = '],
  ]),
  // Shell, nginx and systemd syntax where a name or a path is expected.
  ...['$(id)', '`id`', 'a;b', 'a b', 'a|b', '../etc', 'A-Upper', 'x', 'a'.repeat(40), '-leading', 'trailing-', 'under_score'].map((name): [string, Build, string] =>
    [`serviceName ${JSON.stringify(name)}`, goHost({ serviceName: name }), 'serviceName = ']),
  ...['/a b', 'healthz', '/a"b', '/a\\b', '/a{b}', '/a#b', '/a?b=1'].map((p): [string, Build, string] => [`healthPath ${JSON.stringify(p)}`, goHost({ healthPath: p }), 'healthPath = ']),
  ...['Shop.Example.com', 'shop example.com', 'shop.example.com;', 'shop.example.com}', '-shop.example.com', 'shop..example.com', 'localhost', 'a.b'].map((d): [string, Build, string] =>
    [`domain ${JSON.stringify(d)}`, frontDoor({ domainNames: [d] }), 'domainNames[0] = ']),
  ['staticRootDirectory with a variable', frontDoor({ staticRootDirectory: '/srv/$http_x_root' }), 'staticRootDirectory = '],
  ['staticRootDirectory relative', frontDoor({ staticRootDirectory: 'srv/static' }), 'staticRootDirectory = '],
  ['staticRootDirectory with a brace', frontDoor({ staticRootDirectory: '/srv/{a}' }), 'staticRootDirectory = '],
  ['proxyPaths with a space', frontDoor({ proxyPaths: ['/a b'] }), 'proxyPaths'],
  ['upstream with a semicolon', frontDoor({ upstreams: ['127.0.0.1:8080; return 200'] }), 'upstreams[0] = '],
  ['upstream without a port', frontDoor({ upstreams: ['10.0.0.5'] }), 'upstreams[0] = '],
  ['response header value with CR/LF (response splitting)', frontDoor({ responseHeaders: { 'X-A': 'ok\r\nSet-Cookie: session=attacker' } }), 'responseHeaders["X-A"] = '],
  ['response header value with a NUL', frontDoor({ responseHeaders: { 'X-A': 'a\u0000b' } }), 'responseHeaders["X-A"] = '],
  ['response header name with a colon', frontDoor({ responseHeaders: { 'X-A: b': 'c' } }), 'responseHeaders["X-A: b"] = '],
  ['response header name with a space', frontDoor({ responseHeaders: { 'X A': 'c' } }), 'responseHeaders["X A"] = '],
  ['response header naming a private address ($upstream_addr)', frontDoor({ responseHeaders: { 'X-Backend': '$upstream_addr' } }), 'responseHeaders["X-Backend"] = "$upstream_addr": holds "$"'],
  ['upstream on stub_status (8088)', frontDoor({ upstreams: ['127.0.0.1:8088'] }), 'upstreams[0] = "127.0.0.1:8088"'],
  ['upstream on node_exporter (9100)', frontDoor({ upstreams: ['127.0.0.1:9100'] }), 'upstreams[0] = "127.0.0.1:9100"'],
  ['upstream on the nginx exporter (9113)', frontDoor({ upstreams: ['localhost:9113'] }), 'upstreams[0] = "localhost:9113"'],
  ['wildcard domain with Let\'s Encrypt', frontDoor({ domainNames: ['*.example.com'] }), 'is a wildcard'],
  ['email without a domain', frontDoor({ certificate: CertificateSource.letsEncrypt({ email: 'ops' }) }), 'email'],
  ['HSTS max-age negative', frontDoor({ hstsMaxAgeSeconds: -1 }), 'hstsMaxAgeSeconds = -1'],
  ['rate limit zero', frontDoor({ rateLimitPerSecond: 0 }), 'rateLimitPerSecond = 0'],
  ['HTTP/3 on a distribution without it', frontDoor({ http3: true }), 'http3'],
  // IAM: wildcards and patterns where exactly one resource is meant.
  ...['releases/*', 'releases/?', '*'].map((key): [string, Build, string] => [`artifact key ${key}`, goHost({ artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key }, 'a'.repeat(64)) }), 'artifact.key = ']),
  ['artifact bucket wildcard', goHost({ artifact: ReleaseArtifact.fromS3({ bucket: 'rel*', key: 'a' }, 'a'.repeat(64)) }), 'artifact.bucket = '],
  ['secret ID wildcard', frontDoor({ certificate: CertificateSource.fromSecretsManager({ secretId: '*' }) }), 'secretId'],
  ['SSM parameter pattern', frontDoor({ certificate: CertificateSource.fromSsmParameters({ certificateParameterName: '/tls/*', privateKeyParameterName: '/tls/key' }) }), 'certificateParameterName'],
  ['KMS key wildcard for the certificate store', frontDoor({ certificateStoreKmsKeyArn: '*' }), 'certificateStoreKmsKeyArn = "*"'],
  // Policy bypasses: SSH to the world in any spelling.
  ...[['0.0.0.0/0'], ['::/0'], ['0.0.0.0/1', '128.0.0.0/1'], ['0.0.0.0/00'], ['0.0.0.0/2', '64.0.0.0/2', '128.0.0.0/1']].map((cidrs): [string, Build, string] =>
    [`SSH from ${cidrs.join(' + ')}`, goHost({ adminSshCidrs: cidrs }), 'adminSshCidrs']),
  // CIDRs as written: the family a rule is for, no bits below the prefix; port 0 is no port.
  ['an SSH range with host bits', goHost({ adminSshCidrs: ['10.0.0.1/8'] }), 'adminSshCidrs[0] = "10.0.0.1/8": has address bits set below its prefix length (AWS and UFW would take the whole network it is in). Fix: write the network, "10.0.0.0/8"'],
  ['an IPv6 SSH range with host bits', goHost({ adminSshCidrs: ['2001:db8::1/32'] }), 'adminSshCidrs[0] = "2001:db8::1/32": has address bits set below its prefix length'],
  ['an IPv6 range as an IPv4 peer', (stack) => new HardenedGoHost(stack, 'Api', baseProps).connections.allowFrom(Peer.ipv4('::/0'), Port.tcp(9000)), 'peer = "::/0": is an IPv6 range where an IPv4 one is expected'],
  ['an IPv4 range as an IPv6 peer', (stack) => new HardenedGoHost(stack, 'Api', baseProps).connections.allowFrom(Peer.ipv6('10.0.0.0/8'), Port.tcp(9000)), 'peer = "10.0.0.0/8": is an IPv4 range where an IPv6 one is expected'],
  ['a peer with host bits', (stack) => new HardenedGoHost(stack, 'Api', baseProps).connections.allowFrom(Peer.ipv4('10.1.2.3/16'), Port.tcp(9000)), 'Fix: write the network, "10.1.0.0/16"'],
  ['port 0', (stack) => new HardenedGoHost(stack, 'Api', baseProps).connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(0)), 'port = "tcp/0": is outside 1–65535'],
  ['sysctl tcp_tw_recycle', goHost({ sysctlOverrides: { 'net.ipv4.tcp_tw_recycle': 1 } }), 'was removed in Linux 4.12'],
  ['sysctl bbr2', goHost({ sysctlOverrides: { 'net.ipv4.tcp_congestion_control': 'bbr2' } }), 'is not in mainline kernels'],
  ['sysctl key with a space', goHost({ sysctlOverrides: { 'net.core x': 1 } }), 'is not a sysctl key'],
  ['sysctl strict overcommit by the back door', goHost({ sysctlOverrides: { 'vm.overcommit_memory': 2 } }), 'strict overcommit'],
  ['ephemeral range over the service port', goHost({ listenPort: 20000 }), 'ephemeralPortRangeStart'],
  ['metadata hop limit 0', goHost({ metadataHopLimit: 0 }), 'metadataHopLimit = 0'],
  ['root volume too small', goHost({ rootVolumeSizeGiB: 4 }), 'rootVolumeSizeGiB = 4'],
  // Names that take over the system.
  ...['ssh', 'sshd', 'systemd-journald', 'systemd-networkd', 'cron', 'backup', 'www-data', 'root', 'nobody', 'ubuntu', 'snapd', 'chrony', 'nginx', 'prometheus', 'auditd', 'ufw'].map((name): [string, Build, string] =>
    [`serviceName ${name}`, goHost({ serviceName: name }), `serviceName = "${name}": is the name of a distribution unit or system account`]),
  // Published internals and reserved local ports.
  ...[8088, 9100, 9113, 22, 0, 70000].map((port): [string, Build, string] => [`listenPort ${port}`, goHost({ listenPort: port }), `listenPort = ${port}`]),
  ['appMetricsPort on node_exporter', observability({ appMetricsPort: 9100 }), 'appMetricsPort = 9100'],
  // Literal-only props given Terraform references.
  ...['healthPath', 'memoryMax', 'cpuQuota', 'instanceType', 'journalSystemMaxUse', 'serviceName'].map((prop): [string, Build, string] =>
    [`${prop} from a variable`, fromVariable(prop), `${prop} = "(a Terraform reference)": must be known at synth`]),
  ...['listenPort', 'limitNofile', 'tasksMax', 'timeoutStopSec', 'somaxconn', 'rootVolumeSizeGiB'].map((prop): [string, Build, string] =>
    [`${prop} from a variable`, fromVariable(prop, 'number'), `${prop} = "(a Terraform reference)": must be known at synth`]),
  // Wrong types from plain JavaScript or JSON configuration.
  ...([
    ['serviceName', 42], ['serviceName', null], ['listenPort', '8080'], ['healthPath', 7], ['environment', 'FOO=1'], ['environment', { FOO: 1 }],
    ['args', '--flag'], ['args', [1]], ['memoryMax', 1536], ['adminSshCidrs', '10.0.0.0/8'], ['ntpServers', 'time.aws.com'], ['tags', ['a']],
    ['detailedMonitoring', 'yes'], ['somaxconn', '4096'], ['sysctlOverrides', 'a=1'], ['artifact', 'https://x/y'], ['instanceType', 3], ['gogc', {}],
  ] as Array<[string, unknown]>).map(([prop, value]): [string, Build, string] => [`${prop} as ${JSON.stringify(value)}`, goHost({ [prop]: value } as any), `${prop} = `]),
  ...([['domainNames', 'shop.example.com'], ['hsts', 'true'], ['upstreams', '127.0.0.1:8080'], ['responseHeaders', 'X-A: 1'], ['instanceCount', '2']] as Array<[string, unknown]>)
    .map(([prop, value]): [string, Build, string] => [`front door ${prop} as ${JSON.stringify(value)}`, frontDoor({ [prop]: value } as any), `${prop} = `]),
  ...([['retentionDays', '15'], ['monitoringHost', 'yes'], ['alarmEmail', 5]] as Array<[string, unknown]>)
    .map(([prop, value]): [string, Build, string] => [`observability ${prop} as ${JSON.stringify(value)}`, observability({ [prop]: value } as any), `${prop} = `]),
  // Secrets refused when asked to.
  ['env DB_PASSWORD with allowSecretsInUserData false', goHost({ allowSecretsInUserData: false, environment: { DB_PASSWORD: 'x' } }), 'environment.DB_PASSWORD = '],
  ['env DATABASE_URL with allowSecretsInUserData false', goHost({ allowSecretsInUserData: false, environment: { DATABASE_URL: 'postgres://db/app' } }), 'environment.DATABASE_URL = '],
  ['URL credentials with allowSecretsInUserData false', goHost({ allowSecretsInUserData: false, environment: { UPSTREAM: 'https://user:token@api.example.com' } }), 'environment.UPSTREAM = '],
  ['webhook token with allowSecretsInUserData false', observability({ monitoringHost: true, subnetId: baseProps.subnetId, allowSecretsInUserData: false, alertWebhookUrl: 'https://hooks.example.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX1' }), 'alertWebhookUrl = '],
  ['webhook with credentials, allowSecretsInUserData false', observability({ monitoringHost: true, subnetId: baseProps.subnetId, allowSecretsInUserData: false, alertWebhookUrl: 'https://am:secret@hooks.example.com/am' }), 'alertWebhookUrl = '],
  ['Loki URL with a token parameter, allowSecretsInUserData false', observability({ allowSecretsInUserData: false, lokiPushUrl: 'https://loki.example.com/loki/api/v1/push?token=abc' }), 'lokiPushUrl = '],
  // Managed variables cannot be overridden by hand.
  ...['GOMAXPROCS', 'GOMEMLIMIT', 'PORT', 'LISTEN_ADDR'].map((name): [string, Build, string] => [`environment.${name} by hand`, goHost({ environment: { [name]: '1' } }), `environment.${name} = `]),
  ['environment name with a dash', goHost({ environment: { 'MY-VAR': '1' } }), 'environment.MY-VAR'],
  ['environment name with =', goHost({ environment: { 'A=B': '1' } }), 'environment.A=B'],
  // The Auto Scaling group's own props.
  ...([['subnetIds', 'subnet-0123456789abcdef0', 'subnetIds = "subnet-0123456789abcdef0": must be a list of strings'], ['minCapacity', '2', 'minCapacity = "2": must be a number'],
    ['subnetIds', undefined, 'subnetIds = (not set): is required'], ['maxCapacity', -1, 'maxCapacity = -1'], ['cpuTargetUtilizationPercent', 0, 'cpuTargetUtilizationPercent = 0'],
    ['deregistrationDelaySec', 5, 'deregistrationDelaySec = 5: is shorter than timeoutStopSec']] as Array<[string, unknown, string]>)
    .map(([prop, value, expected]): [string, Build, string] => [`group ${prop} = ${JSON.stringify(value)}`,
      (stack) => void new HardenedGoService(stack, 'Svc', { ...baseProps, subnetId: undefined, subnetIds: [baseProps.subnetId, 'subnet-0123456789abcdef1'], [prop]: value } as any), expected]),
  ['group minCapacity from a variable', (stack) => void new HardenedGoService(stack, 'Svc', { ...baseProps, subnetId: undefined, subnetIds: [baseProps.subnetId], minCapacity: new TerraformVariable(stack, 'min', { type: 'number' }).numberValue } as any),
    'minCapacity = "(a Terraform reference)": must be known at synth'],
  // Operational sanity: values that synthesize but cannot work.
  ['artifact SHA-256 left out (plain JavaScript)', goHost({ artifact: ReleaseArtifact.fromUrl('https://releases.example.com/api', undefined as unknown as string) }), 'artifact.sha256 = (not set): is required'],
  ['artifact S3 key left out (plain JavaScript)', goHost({ artifact: ReleaseArtifact.fromS3({ bucket: 'releases' } as any, 'a'.repeat(64)) }), 'artifact.key = (not set): is required'],
  ['an Elastic IP on a front door told to have no public address', frontDoor({ associatePublicIpAddress: false }), 'associatePublicIpAddress = false: contradicts elasticIp'],
  ['a group of one without a public address, which claims its Elastic IP only after booting', frontDoor({ subnetId: undefined, subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], associatePublicIpAddress: false }),
    'associatePublicIpAddress = false: contradicts elasticIp in a group of one'],
  // Construct IDs end up in names, tags and descriptions (Terraform strings).
  ['a host ID with ${…}', (stack) => void new HardenedGoHost(stack, 'Api${path.cwd}', baseProps), 'id = "test/Api${path.cwd}": holds Terraform template syntax'],
  ['a front door ID with %{…}', (stack) => void new NginxFrontDoor(stack, 'Door%{if}', fdBaseProps), 'id = "test/Door%{if}": holds Terraform template syntax'],
];

/** Values that are accepted: they must reach the host only through their boundary. [name, props]. */
const ACCEPTED: Array<[string, Partial<HardenedGoHostProps>]> = [
  ...[
    `$(touch ${MARKER})`, `\`touch ${MARKER}\``, `'; touch ${MARKER}; '`, `"; touch ${MARKER}; "`, '$HOME ${HOME} $$', '%n %H %%', '${path.cwd} %{ if true }',
    'back\\slash', 'a "quoted" value', '@@gohost-late-0@@ looks like a placeholder', 'semi;colon & amp | pipe', 'unicode ✓ ü', '   spaces around   ',
  ].flatMap((value): Array<[string, Partial<HardenedGoHostProps>]> => [
    [`environment value ${JSON.stringify(value)}`, { environment: { GREETING: value } }],
    [`argument ${JSON.stringify(value)}`, { args: ['--greeting', value] }],
  ]),
  ...[`/$(touch$IFS${MARKER})`, `/a'b`, "/a;b&c", '/$HOME', '/%2e%2e/x', "/it's"].map((p): [string, Partial<HardenedGoHostProps>] => [`healthPath ${JSON.stringify(p)}`, { healthPath: p }]),
  ['configFileContent with YAML and shell', { configFileContent: `runcmd: [touch ${MARKER}]\n\${x} %{y}\n--- |\n` }],
  ['a literal ${path.cwd} in the S3 key', { artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'a/${path.cwd}/b' }, 'a'.repeat(64)) }],
  ['a tag with ${…}', { tags: { team: '${var.x}', 'cost-center': '%{if}' } }],
];

/** Front-door values that are accepted: nginx -t must accept the configuration. */
const ACCEPTED_FRONT_DOOR: Array<[string, Partial<NginxFrontDoorProps>]> = [
  ['a punycode TLD', { domainNames: ['shop.xn--p1ai'] }],
  ['several names', { domainNames: ['shop.example.com', 'www.shop.example.com'] }],
  ['an IPv6 upstream', { upstreams: ['[2001:db8::5]:8080'] }],
  // nginx resolves upstream names when it loads the configuration: a name the test machine resolves.
  ['an upstream by host name', { upstreams: ['localhost:18080'] }],
  ['static files', { staticRootDirectory: '/srv/static-files', staticUrlPath: '/assets/' }],
  ['proxy paths', { proxyPaths: ['/api/', '/v1/'] }],
  ['response headers with parentheses, commas and semicolons', { responseHeaders: { 'Permissions-Policy': 'geolocation=(), camera=()', 'X-Note': 'a;b' } }],
  ['internal paths', { internalPaths: ['/metrics', '/internal/'] }],
  ['a response header with a tab and an nginx variable, opted in', { responseHeaders: { 'X-Request': 'id\t$request_id' }, allowVariablesInResponseHeaders: true }],
  ['HSTS with subdomains and preload', { hstsIncludeSubdomains: true, hstsPreload: true }],
  ['a rate limit', { rateLimitPerSecond: 20, rateLimitBurst: 40 }],
];

function cloudInitSchema(cloudConfig: string): string {
  const file = path.join(tempDir('corpus-cc'), 'user-data.yaml');
  fs.writeFileSync(file, cloudConfig);
  const r = run('cloud-init', ['schema', '--config-file', file]);
  return r.stdout + r.stderr;
}

beforeAll(() => {
  for (const t of ['systemd-analyze', 'unshare', 'cloud-init', 'nginx', 'openssl', 'terraform']) requireTool(t);
});

describe(`refused, with a message naming the prop (${REFUSED.length} cases)`, () => {
  it.each(REFUSED)('%s', (_, build, expected) => {
    const { failures } = outcome(build);
    expect(failures.join('\n')).toContain(expected);
  });
});

describe(`accepted, reaching the host only through its boundary (${ACCEPTED.length} cases)`, () => {
  it.each(ACCEPTED)('%s', (_, props) => {
    const { failures, stack } = outcome(goHost(props));
    expect(failures).toEqual([]);
    const files = hostFiles(userDataParts(synthJson(stack)));
    // systemd loads the unit (binary and precheck in place, in a private mount namespace).
    expect(verifyServiceUnits([files.file(UNIT)], files.file(PRECHECK)).stderr).toBe('');
    // bash parses the first-boot script; its health step runs (curl failing) and prints the path as text.
    expect(run('bash', ['-n'], { input: files.script }).status).toBe(0);
    const health = files.script.split('\n# --- wait for ')[1].split('\n# --- ')[0].split('\n').slice(1).join('\n');
    run('bash', ['-c', `curl() { return 1; }; sleep() { :; }; systemctl() { :; }; log() { printf '%s\\n' "$*"; }\n${health}`]);
    expect(fs.existsSync(MARKER)).toBe(false);
    expect(cloudInitSchema(files.cloudConfig)).toContain('Valid cloud-config');
  });

  it('terraform validate accepts one stack holding every accepted value, references intact', () => {
    const { stack } = newStack();
    ACCEPTED.forEach(([, props], i) => new HardenedGoHost(stack, `Api${i}`, { ...baseProps, serviceName: `svc-${i}`, ...props }));
    const r = terraformValidate(withCloudinitAsLocals(synthJson(stack)));
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.valid).toBe(true);
  });
});

describe(`front-door values accepted, and nginx -t accepts the result (${ACCEPTED_FRONT_DOOR.length} cases)`, () => {
  it.each(ACCEPTED_FRONT_DOOR)('%s', (_, props) => {
    const { failures, stack } = outcome(frontDoor(props));
    expect(failures).toEqual([]);
    const ci = Object.entries<any>(synthJson(stack).data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const r = nginxTest(hostFiles(ci.part));
    expect(r.stderr).toContain('test is successful');
    expect(r.stderr).not.toMatch(/\[emerg\]/);
  });
});

describe('warnings, not errors, by default', () => {
  it.each([
    ['env DB_PASS', goHost({ environment: { DB_PASS: 'x' } }), 'environment.DB_PASS has a name that looks like a secret'],
    ['URL credentials in the artifact URL', goHost({ artifact: ReleaseArtifact.fromUrl('https://u:p@releases.example.com/api', 'a'.repeat(64)) }), 'artifact.url'],
    ['webhook with a key in its path', observability({ monitoringHost: true, subnetId: baseProps.subnetId, alertWebhookUrl: 'https://hooks.example.com/services/T0000/B0000/XXXXXXXXXXXXXXXXXXXXXXXX1' }), 'alertWebhookUrl carries a secret'],
    // The URL is the credential of these services, whatever its token looks like.
    ...[
      'https://hooks.slack.com/services/TABCDEFGH/BABCDEFGH/abcdefghijklmnopqrstuvwx',
      'https://discord.com/api/webhooks/1234/abcdefghij',
      'https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi',
      'https://api.telegram.org/bot123:ABC-def/sendMessage',
      'https://events.pagerduty.com/integration/abcdef/enqueue',
    ].map((url): [string, Build, string] => [`webhook of a chat or paging service: ${new URL(url).hostname}`, observability({ monitoringHost: true, subnetId: baseProps.subnetId, alertWebhookUrl: url }), 'alertWebhookUrl carries a secret']),
    ['strict overcommit, opted into', goHost({ strictOvercommit: true }), 'strictOvercommit is on'],
    ['a load-balancer grace shorter than a first boot', (stack) => void new HardenedGoService(stack, 'Svc', { ...baseProps, subnetId: undefined, subnetIds: [baseProps.subnetId, 'subnet-0123456789abcdef1'], healthCheckGracePeriodSec: 60 } as any),
      'healthCheckGracePeriodSec = 60: shorter than a first boot on EC2'],
    ['a group that can scale in to nothing and never out again', (stack) => void new HardenedGoService(stack, 'Svc', { ...baseProps, subnetId: undefined, subnetIds: [baseProps.subnetId, 'subnet-0123456789abcdef1'], minCapacity: 0, maxCapacity: 2 } as any),
      'minCapacity = 0: once the CPU policy scales the group in'],
  ] as Array<[string, Build, string]>)('%s', (_, build, expected) => {
    const { failures, warnings } = outcome(build);
    expect(failures).toEqual([]);
    expect(warnings.join('\n')).toContain(expected);
  });
});

describe('values that used to be refused wrongly are accepted', () => {
  it.each([
    ['u-6tb1.112xlarge with explicit limits', goHost({ instanceType: 'u-6tb1.112xlarge', memoryMax: '2G', cpuQuota: '100%' })],
    ['a punycode TLD', frontDoor({ domainNames: ['shop.xn--p1ai'] })],
    ['an IPv6 admin CIDR', goHost({ adminSshCidrs: ['2001:db8::/48'] })],
    ['SSH from half the internet', goHost({ adminSshCidrs: ['0.0.0.0/1'] })],
  ] as Array<[string, Build]>)('%s', (_, build) => {
    expect(outcome(build).failures).toEqual([]);
  });
});
