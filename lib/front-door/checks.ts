/** Validation of NginxFrontDoor props. Token-valued inputs are skipped. Pure: no cdktf imports. */
import type { NginxFrontDoorProps } from './props';
import { CertificateSource, LetsEncryptOptions, SecretsManagerCertificateOptions, SsmCertificateOptions } from './certificate-source';
import { DistroInfo, versionAtLeast } from '../host/distro';
import { PropChecks } from '../input/prop-checks';
import { checkPropTypes, checkUnknownProps, PropType, requireLiterals, URL_PATH_PATTERN } from '../input/validators';
import { RESERVED_LOCAL_PORTS } from '../facts';

// The last label is letters, or an internationalized TLD in punycode (xn--…).
const DOMAIN = /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;
const ONE_YEAR = 31536000;
/** An HTTP field name (RFC 9110 token) without the characters nginx's configuration treats specially. */
const HEADER_NAME = /^[A-Za-z0-9!#%&*+.^_|~-]+$/;
/** Control characters, tab aside (RFC 9110 allows it in field values). */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;

/** The props as the checks see them: with FRONT_DOOR_DEFAULTS applied (resolveFrontDoorSettings), so no check re-applies a default. */
export type FrontDoorPropsToCheck = NginxFrontDoorProps & {
  readonly instanceCount: number; readonly elasticIp: boolean; readonly deregistrationDelaySec: number; readonly allowVariablesInResponseHeaders: boolean; readonly hsts: boolean; readonly hstsMaxAgeSeconds: number;
  readonly proxyPaths: readonly string[]; readonly internalPaths: readonly string[]; readonly connectionLimitPerClient: number; readonly clientKeepaliveRequests: number; readonly clientKeepaliveTimeSec: number;
};

export interface FrontDoorCheckContext {
  /** The distribution nginx runs on. */
  readonly distro: DistroInfo;
  /** True when nginx shares the instance with a Go host. */
  readonly sameInstance: boolean;
  readonly isToken: (v: unknown) => boolean;
}

/** The types of NginxFrontDoor's props, for plain JavaScript and JSON configuration. */
export const FRONT_DOOR_PROP_TYPES: Readonly<Record<string, PropType>> = {
  domainNames: 'string[]', certificate: 'object', upstreams: 'array', host: 'object', subnetId: 'string', subnetIds: 'string[]', deregistrationDelaySec: 'number', allowVariablesInResponseHeaders: 'boolean', hostedZoneId: 'string', dnsRecordTtlSec: 'number', vpcId: 'string',
  instanceType: 'string', machineImage: 'object', instanceCount: 'number', hostName: 'string', associatePublicIpAddress: 'boolean',
  adminSshCidrs: 'string[]', keyPairName: 'string', tlsProfile: 'string', hsts: 'boolean', hstsMaxAgeSeconds: 'number',
  hstsIncludeSubdomains: 'boolean', hstsPreload: 'boolean', upstreamKeepalive: 'number', upstreamKeepaliveTimeSec: 'number',
  responseHeaders: 'Record<string, string>', internalPaths: 'string[]', elasticIp: 'boolean', persistCertificate: 'boolean',
  certificateStoreKmsKeyArn: 'string', upstreamMaxFails: 'number', upstreamFailTimeoutSec: 'number', proxyPaths: 'string[]',
  staticUrlPath: 'string', staticRootDirectory: 'string', clientMaxBodySizeMiB: 'number', proxyConnectTimeoutSec: 'number',
  proxyReadTimeoutSec: 'number', clientTimeoutSec: 'number', rateLimitPerSecond: 'number', rateLimitBurst: 'number',
  mtlsPaths: 'string[]', mtlsClientCaBundle: 'string', http3: 'boolean', connectionLimitPerClient: 'number', clientKeepaliveRequests: 'number', clientKeepaliveTimeSec: 'number',
};

const FRONT_DOOR_LITERAL_EXAMPLES: Record<string, string> = {
  hostName: '"front-door"', instanceCount: '2', deregistrationDelaySec: '70', allowVariablesInResponseHeaders: 'false', tlsProfile: '"intermediate"', hsts: 'true', hstsMaxAgeSeconds: '31536000',
  hstsIncludeSubdomains: 'false', hstsPreload: 'false', upstreamKeepalive: '128', upstreamKeepaliveTimeSec: '30',
  responseHeaders: '{ "X-Frame-Options": "DENY" }', internalPaths: '["/metrics"]', elasticIp: 'true', persistCertificate: 'true',
  upstreamMaxFails: '2', upstreamFailTimeoutSec: '15', proxyPaths: '["/"]', staticUrlPath: '"/static/"', staticRootDirectory: '"/srv/static"',
  clientMaxBodySizeMiB: '10', proxyConnectTimeoutSec: '5', proxyReadTimeoutSec: '60', clientTimeoutSec: '15', rateLimitPerSecond: '20',
  rateLimitBurst: '40', mtlsPaths: '["/admin/"]', http3: 'false', associatePublicIpAddress: 'true', connectionLimitPerClient: '100', clientKeepaliveRequests: '1000', clientKeepaliveTimeSec: '60',
};

export function checkFrontDoorPropTypes(props: unknown, c: PropChecks): void {
  checkUnknownProps(props, Object.keys(FRONT_DOOR_PROP_TYPES), (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
  checkPropTypes(props, FRONT_DOOR_PROP_TYPES, ['domainNames', 'certificate'], (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
}

export function checkFrontDoorProps(props: FrontDoorPropsToCheck, ctx: FrontDoorCheckContext, c: PropChecks, warnings: string[] = []): void {
  const known = (v: unknown) => v !== undefined && !ctx.isToken(v);
  // Settings the library renders into nginx's configuration and derives checks from.
  requireLiterals(props, FRONT_DOOR_LITERAL_EXAMPLES, Object.keys(FRONT_DOOR_LITERAL_EXAMPLES), ctx.isToken, c);

  // Domains.
  if (!props.domainNames || props.domainNames.length === 0) {
    c.fail('domainNames', props.domainNames ?? [], 'is empty', 'list the names the front door serves, e.g. ["api.example.com"]');
  }
  const seen = new Set<string>();
  (props.domainNames ?? []).forEach((d, i) => {
    if (!known(d)) return;
    if (!DOMAIN.test(d) || d.length > 253) {
      c.fail(`domainNames[${i}]`, d, 'is not a valid lower-case DNS name', 'write a name like "api.example.com"');
    } else if (seen.has(d)) {
      c.fail(`domainNames[${i}]`, d, 'is listed twice', 'list every name once');
    } else if (d.startsWith('*.') && props.certificate?.kind === 'letsencrypt') {
      c.fail(`domainNames[${i}]`, d, "is a wildcard, which Let's Encrypt's HTTP-01 (webroot) challenge cannot validate", 'list the names, or bring your own wildcard certificate (CertificateSource.fromSsmParameters)');
    }
    seen.add(d);
  });

  // Placement: on the Go host, on one instance (subnetId) or in a group (subnetIds).
  const placements = (['host', 'subnetId', 'subnetIds'] as const).filter((k) => props[k] !== undefined);
  if (placements.length > 1) {
    c.fail(placements[1], props[placements[1]], `contradicts ${placements[0]}: nginx shares the Go host's instance (host), gets one instance (subnetId) or a group (subnetIds)`, `keep one of ${placements.join(', ')}`);
  }
  if (placements.length === 0) {
    c.fail('subnetIds', undefined, 'is required for a front door on its own instances', 'pass subnetIds (public subnets in two or more zones), subnetId (one instance), or host to run nginx on a Go host');
  }
  const count = props.instanceCount;
  if (!Number.isInteger(count) || count < 1) c.fail('instanceCount', count, 'must be a positive integer', 'use 1 or more');
  if (props.host && props.instanceCount !== undefined && props.instanceCount !== 1) {
    c.fail('instanceCount', props.instanceCount, 'contradicts host (one Go host is one instance)', 'drop instanceCount or host');
  }
  if (props.subnetIds !== undefined) {
    if (count > 1) {
      // Behind the public load balancer: one Elastic IP per subnet, known at synth.
      if (ctx.isToken(props.subnetIds) || props.subnetIds.some((id) => ctx.isToken(id))) {
        c.fail('subnetIds', '(a Terraform reference)', `must be known at synth with instanceCount ${count}: the load balancer gets one Elastic IP per subnet`, 'list the subnet IDs, e.g. ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]');
      } else if (props.subnetIds.length === 1) {
        warnings.push(`subnetIds has one subnet: the ${count} front doors and the load balancer are in one Availability Zone, so a zone outage takes the site down. Pass subnets in two or more zones.`);
      }
      if (props.http3) c.fail('http3', true, 'contradicts a load-balanced front door: the Network Load Balancer forwards TCP 80 and 443 only', 'drop http3');
    }
    const delay = props.deregistrationDelaySec;
    if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 3600)) c.fail('deregistrationDelaySec', delay, 'is outside 0–3600 seconds (the load balancer\'s range)', 'use e.g. 70');
    if (!props.elasticIp) c.fail('elasticIp', false, 'contradicts subnetIds: each replacement in the group gets a new address of its own, so nothing stable would point at the front door', 'drop elasticIp: false');
    if (!ctx.isToken(props.subnetIds)) {
      if (props.subnetIds.length === 0) c.fail('subnetIds', props.subnetIds, 'is empty', 'pass public subnets, one per Availability Zone');
      props.subnetIds.forEach((id, i) => {
        if (known(id) && !/^subnet-[0-9a-f]{8,17}$/.test(id)) c.fail(`subnetIds[${i}]`, id, 'is not a subnet ID', 'pass an ID like "subnet-0123456789abcdef0" or a reference to an aws_subnet');
      });
    }
  }

  // An own instance told to have no public address, yet given an Elastic IP: in a group of one it
  // could not even boot (no egress until it claims the address, which it does only after booting).
  if (props.associatePublicIpAddress === false && props.elasticIp && count <= 1 && (props.subnetId !== undefined || props.subnetIds !== undefined)) {
    c.fail('associatePublicIpAddress', false, props.subnetIds !== undefined
      ? 'contradicts elasticIp in a group of one: the instance would have no way out of its public subnet to install packages, so it never finishes the boot after which it claims the Elastic IP'
      : 'contradicts elasticIp: the instance gets a public address all the same (the Elastic IP)',
    'drop associatePublicIpAddress: false (the instance\'s own address gives way to the Elastic IP once it has it), or set elasticIp: false for a front door reached through something else');
  }

  // Response headers: each reaches the wire as nginx prints it.
  for (const [name, value] of Object.entries(props.responseHeaders ?? {})) {
    if (!HEADER_NAME.test(name)) {
      c.fail(`responseHeaders["${name}"]`, name, 'is not an HTTP header name (letters, digits and !#%&*+.^_|~- only)', 'name the header like "X-Release-Channel"');
    } else if (typeof value === 'string' && CONTROL.test(value)) {
      c.fail(`responseHeaders["${name}"]`, value, 'holds a control character: a line break would end the header and let the value write its own headers or body (response splitting)', 'write the value on one line, without control characters');
    } else if (typeof value === 'string' && value.includes('$') && !props.allowVariablesInResponseHeaders) {
      c.fail(`responseHeaders["${name}"]`, value, 'holds "$", which nginx expands as a variable (e.g. $upstream_addr would publish the backends\' private addresses)', 'drop the "$", or set allowVariablesInResponseHeaders: true to use nginx variables on purpose');
    }
  }

  // DNS.
  if (props.hostedZoneId !== undefined) {
    if (known(props.hostedZoneId) && !/^Z[0-9A-Z]{1,32}$/.test(props.hostedZoneId)) c.fail('hostedZoneId', props.hostedZoneId, 'is not a Route 53 hosted zone ID', 'pass the zone\'s ID, e.g. "Z0123456789ABCDEFGHIJ" (not its name)');
    if (!props.elasticIp) c.fail('hostedZoneId', props.hostedZoneId, 'needs elasticIp: without it the records would point at an address that changes with every replacement', 'drop elasticIp: false');
  }
  const ttl = props.dnsRecordTtlSec;
  if (ttl !== undefined && known(ttl) && !(Number.isInteger(ttl) && ttl >= 1 && ttl <= 172800)) c.fail('dnsRecordTtlSec', ttl, 'is not a whole number of seconds from 1 to 172800', 'use e.g. 300');

  // Upstreams.
  const upstreams = props.upstreams ?? (props.host ? [props.host] : []);
  if (upstreams.length === 0) c.fail('upstreams', [], 'is empty: the front door would have nothing to proxy to', 'pass the Go hosts, e.g. upstreams: [api1, api2]');
  upstreams.forEach((u, i) => {
    if (typeof u !== 'string') return;
    if (!known(u)) return;
    const m = HOST_PORT.exec(u);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) {
      c.fail(`upstreams[${i}]`, u, 'is not address:port', 'write e.g. "10.0.1.12:8080"');
      return;
    }
    const loopback = /^(127\.|localhost$|\[::1\]$)/.test(m[1]);
    if (loopback && (m[2] === '80' || m[2] === '443')) {
      c.fail(`upstreams[${i}]`, u, `points at port ${m[2]} on this host, where nginx itself listens (a proxy loop)`, 'point it at the Go service port, e.g. "127.0.0.1:8080"');
    } else if (loopback && RESERVED_LOCAL_PORTS[Number(m[2])] !== undefined) {
      c.fail(`upstreams[${i}]`, u, `points at port ${m[2]} on this host, where stub_status or an exporter listens: the internet would read it`, 'point it at the Go service port, e.g. "127.0.0.1:8080"');
    }
  });

  // Certificate.
  const cert = props.certificate;
  if (!(cert instanceof CertificateSource)) {
    c.fail('certificate', cert, 'is required', "pass CertificateSource.letsEncrypt({ email }) or CertificateSource.fromSsmParameters({...})");
  } else if (cert.kind === 'letsencrypt') {
    const o = cert.options as LetsEncryptOptions;
    if (known(o.email) && !EMAIL.test(o.email)) c.fail('certificate.email', o.email, 'is not an email address', "give the address Let's Encrypt may contact, e.g. \"ops@example.com\"");
    if (count > 1 && props.persistCertificate === false) {
      c.fail('persistCertificate', false, `contradicts a Let's Encrypt certificate with instanceCount ${count}: the front doors share the certificate and the ACME account through that store (without it each would order its own)`, 'drop persistCertificate: false, or use one instance');
    }
  } else if (cert.kind === 'ssm') {
    const o = cert.options as SsmCertificateOptions;
    for (const key of ['certificateParameterName', 'privateKeyParameterName'] as const) {
      if (!o[key]) c.fail(`certificate.${key}`, o[key], 'is missing', 'name the SSM parameter, e.g. "/tls/api.example.com/key"');
      else if (known(o[key]) && /[*?]/.test(o[key])) c.fail(`certificate.${key}`, o[key], 'has an IAM wildcard (* or ?): the role would read every matching parameter', 'name the one parameter');
    }
    if (o.kmsKeyArn !== undefined && known(o.kmsKeyArn) && /[*?]/.test(o.kmsKeyArn)) c.fail('certificate.kmsKeyArn', o.kmsKeyArn, 'has an IAM wildcard: the role could decrypt with every matching key', 'give the key\'s ARN');
    // A warning, not an error: the parameters may already be under a key of their own that the props do not name.
    if (o.kmsKeyArn === undefined) {
      warnings.push('certificate.kmsKeyArn = (not set): the private key parameter is then under the account\'s default aws/ssm key, which every principal of the account allowed ssm:GetParameter on it can decrypt. '
        + 'Fix: encrypt it with a customer-managed key whose key policy admits only this front door\'s role, and pass that key as kmsKeyArn.');
    }
  } else {
    const o = cert.options as SecretsManagerCertificateOptions;
    if (!o.secretId) c.fail('certificate.secretId', o.secretId, 'is missing', 'name the secret or pass its ARN');
    else if (known(o.secretId) && /[*?]/.test(o.secretId)) c.fail('certificate.secretId', o.secretId, 'has an IAM wildcard (* or ?): the role would read every matching secret of the account', 'name the one secret or pass its ARN');
    if (o.kmsKeyArn !== undefined && known(o.kmsKeyArn) && /[*?]/.test(o.kmsKeyArn)) c.fail('certificate.kmsKeyArn', o.kmsKeyArn, 'has an IAM wildcard: the role could decrypt with every matching key', 'give the key\'s ARN');
  }

  if (props.certificateStoreKmsKeyArn !== undefined && known(props.certificateStoreKmsKeyArn) && /[*?]/.test(props.certificateStoreKmsKeyArn)) {
    c.fail('certificateStoreKmsKeyArn', props.certificateStoreKmsKeyArn, 'has an IAM wildcard: the role could use every matching key', 'give the key\'s ARN');
  }

  // TLS and HSTS.
  if (props.tlsProfile !== undefined && !['intermediate', 'modern'].includes(props.tlsProfile)) {
    c.fail('tlsProfile', props.tlsProfile, 'is not a TLS profile', 'use "intermediate" (TLS 1.2 + 1.3) or "modern" (TLS 1.3 only)');
  }
  const hsts = props.hsts;
  const maxAge = props.hstsMaxAgeSeconds;
  if (hsts && (!Number.isInteger(maxAge) || maxAge < ONE_YEAR)) {
    c.fail('hstsMaxAgeSeconds', maxAge, 'is below one year', 'use at least 31536000');
  }
  if (props.hstsPreload && !hsts) c.fail('hstsPreload', true, 'contradicts hsts: false', 'turn hsts on, or drop hstsPreload');
  if (props.hstsPreload && !props.hstsIncludeSubdomains) {
    c.fail('hstsPreload', true, 'requires includeSubDomains (the preload list rejects the header otherwise)', 'set hstsIncludeSubdomains: true as well — both are hard to undo');
  }
  if (props.http3 && !versionAtLeast(ctx.distro.nginxVersion, '1.25.0')) {
    c.fail('http3', true, `needs nginx ≥ 1.25, and ${ctx.distro.title} ships nginx ${ctx.distro.nginxVersion}`, 'leave HTTP/3 off (HTTP/2 is on), or run an image with nginx ≥ 1.25 from nginx.org');
  }

  // Locations.
  const paths = props.proxyPaths;
  paths.forEach((p, i) => {
    if (!URL_PATH_PATTERN.test(p)) c.fail(`proxyPaths[${i}]`, p, 'is not an absolute URL path', 'start it with "/", e.g. "/api/"');
  });
  if (new Set(paths).size !== paths.length) c.fail('proxyPaths', paths, 'lists a path twice', 'list every path once');
  const internal = props.internalPaths;
  internal.forEach((p, i) => {
    if (!URL_PATH_PATTERN.test(p) || p === '/') c.fail(`internalPaths[${i}]`, p, 'is not an absolute URL path below "/"', 'use e.g. "/metrics" or "/internal/"');
    else if (paths.includes(p)) c.fail(`internalPaths[${i}]`, p, 'is also a proxy path', 'remove it from one of proxyPaths and internalPaths');
  });
  if (props.staticRootDirectory !== undefined) {
    if (!props.staticRootDirectory.startsWith('/')) {
      c.fail('staticRootDirectory', props.staticRootDirectory, 'is not an absolute directory', 'use e.g. "/var/www/static"');
    } else if (known(props.staticRootDirectory) && !/^\/[A-Za-z0-9._\/-]*$/.test(props.staticRootDirectory)) {
      c.fail('staticRootDirectory', props.staticRootDirectory, 'has characters nginx would interpret ($ variables a request could set, spaces, quotes, semicolons)',
        'use letters, digits, ".", "_", "-" and "/" only, e.g. "/var/www/static"');
    }
    // Set with a staticRootDirectory (its default applies then).
    const staticPath = props.staticUrlPath!;
    if (!/^\/.*\/$/.test(staticPath)) c.fail('staticUrlPath', staticPath, 'must start and end with "/"', 'use e.g. "/static/"');
    if (paths.includes(staticPath)) c.fail('staticUrlPath', staticPath, 'is also a proxy path', 'serve static files and proxy on different paths');
  } else if (props.staticUrlPath !== undefined) {
    c.fail('staticUrlPath', props.staticUrlPath, 'has no effect without staticRootDirectory', 'set staticRootDirectory, or drop staticUrlPath');
  }
  const mtls = props.mtlsPaths ?? [];
  if (mtls.length > 0 && !props.mtlsClientCaBundle) c.fail('mtlsPaths', mtls, 'need a client CA bundle', 'pass mtlsClientCaBundle (PEM; concatenate old and new CAs while rotating)');
  if (mtls.length === 0 && props.mtlsClientCaBundle) c.fail('mtlsClientCaBundle', '(PEM)', 'has no effect without mtlsPaths', 'list the paths that require a client certificate');
  if (props.mtlsClientCaBundle && known(props.mtlsClientCaBundle) && !props.mtlsClientCaBundle.includes('-----BEGIN CERTIFICATE-----')) {
    c.fail('mtlsClientCaBundle', props.mtlsClientCaBundle.slice(0, 40), 'is not a PEM certificate bundle', 'paste the CA certificates in PEM form');
  }
  mtls.forEach((p, i) => {
    if (!URL_PATH_PATTERN.test(p)) c.fail(`mtlsPaths[${i}]`, p, 'is not an absolute URL path', 'start it with "/", e.g. "/internal/"');
  });

  // Limits.
  if (props.rateLimitPerSecond !== undefined && !(props.rateLimitPerSecond >= 1 && Number.isInteger(props.rateLimitPerSecond))) {
    c.fail('rateLimitPerSecond', props.rateLimitPerSecond, 'must be a whole number of requests per second, at least 1', 'use e.g. 20, or leave it out to turn rate limiting off');
  }
  if (props.rateLimitBurst !== undefined && props.rateLimitPerSecond === undefined) {
    c.fail('rateLimitBurst', props.rateLimitBurst, 'has no effect without rateLimitPerSecond', 'set rateLimitPerSecond as well');
  }
  // 0 would be no limit to nginx (limit_conn) or close every connection after one request.
  if (!(Number.isInteger(props.connectionLimitPerClient) && props.connectionLimitPerClient >= 1)) {
    c.fail('connectionLimitPerClient', props.connectionLimitPerClient, 'must be a whole number of connections, at least 1', 'use e.g. 100 (browsers open up to six per site; HTTP/2 clients one)');
  }
  if (!(Number.isInteger(props.clientKeepaliveRequests) && props.clientKeepaliveRequests >= 100 && props.clientKeepaliveRequests <= 10000)) {
    c.fail('clientKeepaliveRequests', props.clientKeepaliveRequests, 'is outside 100–10000 (fewer reconnect for nothing; more let one HTTP/2 connection reset streams for longer)', 'use e.g. 1000, nginx\'s own default');
  }
  if (!(Number.isInteger(props.clientKeepaliveTimeSec) && props.clientKeepaliveTimeSec >= 1)) {
    c.fail('clientKeepaliveTimeSec', props.clientKeepaliveTimeSec, 'must be a whole number of seconds, at least 1', 'use e.g. 60');
  } else if (props.subnetIds !== undefined && props.instanceCount > 1 && Number.isInteger(props.deregistrationDelaySec) && props.clientKeepaliveTimeSec >= props.deregistrationDelaySec) {
    c.fail('clientKeepaliveTimeSec', props.clientKeepaliveTimeSec, `is not shorter than deregistrationDelaySec (${props.deregistrationDelaySec} s): a busy client connection could still be open when the load balancer closes a leaving front door's connections`,
      `use less than ${props.deregistrationDelaySec}, or raise deregistrationDelaySec`);
  }
  for (const [key, min] of [['clientMaxBodySizeMiB', 0], ['proxyConnectTimeoutSec', 1], ['proxyReadTimeoutSec', 1], ['clientTimeoutSec', 1], ['upstreamKeepalive', 1], ['upstreamMaxFails', 0], ['upstreamFailTimeoutSec', 1]] as const) {
    const v = props[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) c.fail(key, v, `must be a whole number ≥ ${min}`, 'use the documented default or a larger value');
  }
}
