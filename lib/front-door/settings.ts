/**
 * The front door's settings: every default (the only place it lives; each prop's `@default` says
 * the same) and the pure function that applies them for one nginx host. Pure: no cdktf imports.
 */
import type { CertificateSettings, FrontDoorSettings } from './render-input';
import { CertificateSource } from './certificate-source';
import { checkFrontDoorProps, checkFrontDoorPropTypes } from './checks';
import type { NginxFrontDoorProps } from './props';
import type { DistroInfo } from '../host/distro';
import { checkProps } from '../input/check';
import { WithDefaults, withDefaults } from '../input/defaults';
import type { PropFailure } from '../input/prop-checks';

/** Every default of NginxFrontDoor (the only place it lives; each prop's `@default` says the same). */
export const FRONT_DOOR_DEFAULTS = {
  instanceType: 't3.small',
  instanceCount: 1,
  hostName: 'front-door',
  associatePublicIpAddress: true,
  tlsProfile: 'intermediate',
  hsts: true,
  hstsMaxAgeSeconds: 31536000,
  hstsIncludeSubdomains: false,
  hstsPreload: false,
  upstreamKeepalive: 128,
  upstreamKeepaliveTimeSec: 30,
  upstreamMaxFails: 2,
  upstreamFailTimeoutSec: 15,
  internalPaths: ['/metrics', '/debug/'],
  elasticIp: true,
  dnsRecordTtlSec: 300,
  allowVariablesInResponseHeaders: false,
  deregistrationDelaySec: 70,
  persistCertificate: true,
  proxyPaths: ['/'],
  staticUrlPath: '/static/',
  clientMaxBodySizeMiB: 10,
  proxyConnectTimeoutSec: 5,
  proxyReadTimeoutSec: 60,
  clientTimeoutSec: 30,
  /** The burst is this many times rateLimitPerSecond. */
  rateLimitBurstFactor: 2,
  connectionLimitPerClient: 100,
  clientKeepaliveRequests: 1000,
  clientKeepaliveTimeSec: 60,
  http3: false,
  letsEncryptStaging: false,
} as const;

/**
 * NginxFrontDoor's props with FRONT_DOOR_DEFAULTS applied: what its construct, checks and
 * artifacts read. `staticUrlPath` has its default only with a `staticRootDirectory`.
 */
export type FrontDoorPropSettings = Omit<WithDefaults<NginxFrontDoorProps, typeof FRONT_DOOR_DEFAULTS>, 'staticUrlPath'> & { readonly staticUrlPath?: string };

function applyFrontDoorDefaults(p: NginxFrontDoorProps): FrontDoorPropSettings {
  const s = withDefaults(p, FRONT_DOOR_DEFAULTS);
  return p.staticRootDirectory === undefined ? { ...s, staticUrlPath: p.staticUrlPath } : s;
}

/** Stand-ins for required props that failed (the stack then does not synthesize). */
const FRONT_DOOR_PLACEHOLDERS: Partial<NginxFrontDoorProps> = {
  domainNames: ['invalid.example'],
  certificate: CertificateSource.letsEncrypt({ email: 'invalid@invalid.example' }),
};

/** What the front door's checks depend on beyond its props. */
export interface FrontDoorCheckInput {
  readonly isToken: (v: unknown) => boolean;
  /** The distribution nginx runs on for these props (the Go host's, or the machine image's). */
  readonly distroOf: (props: NginxFrontDoorProps) => DistroInfo;
  /** Whether `host` is a Go service placement (the construct classes live outside this pure module). */
  readonly isGoHost: (host: unknown) => boolean;
}

/**
 * Checks the props (types first, then values with every default applied) and applies the
 * defaults; props that failed are left out (required ones replaced by a placeholder).
 */
export function resolveFrontDoorSettings(
  rawProps: NginxFrontDoorProps,
  c: FrontDoorCheckInput,
): { settings: FrontDoorPropSettings; failures: readonly PropFailure[]; warnings: readonly string[] } {
  const checked = checkProps<NginxFrontDoorProps>(rawProps, FRONT_DOOR_PLACEHOLDERS,
    (p, checks) => {
      checkFrontDoorPropTypes(p, checks);
      if (p.host !== undefined && !c.isGoHost(p.host)) checks.fail('host', String(p.host), 'is not a HardenedGoHost or HardenedGoService', 'pass the Go host or group of one nginx shares an instance with, or drop host');
    },
    (p, checks, warnings) => checkFrontDoorProps(applyFrontDoorDefaults(p), { distro: c.distroOf(p), sameInstance: !!p.host, isToken: c.isToken }, checks, warnings));
  return { settings: applyFrontDoorDefaults(checked.props), failures: checked.failures, warnings: checked.warnings };
}

/** What one nginx host's settings depend on beyond the props. */
export interface FrontDoorContext {
  readonly certificate: CertificateSettings;
  /** `host:port` of every upstream, as this host reaches it. */
  readonly upstreams: readonly string[];
  readonly upstreamKeepaliveTimeSec: number;
  /** The host's somaxconn (nginx's listen backlog matches it). */
  readonly backlog: number;
  readonly workerRlimitNofile: number;
  readonly nginxVersion: string;
  /** The Go backends' health path. */
  readonly healthPath: string;
  readonly isToken: (v: unknown) => boolean;
  /** A value for the host's text: itself, or a reference quoted for `boundary`. */
  readonly bind: (value: string, boundary: 'dnsName' | 'exactDnsName' | 'fileContent', prop: string) => string;
  /** The front door's construct path, for the names of plan-time checks. */
  readonly path: string;
  readonly publicAddress: FrontDoorSettings['publicAddress'];
  readonly behindLoadBalancer?: FrontDoorSettings['behindLoadBalancer'];
}

/** What one nginx host's artifacts need: the settings, that host's context and references bound for their destinations. */
export function frontDoorArtifactSettings(props: FrontDoorPropSettings, c: FrontDoorContext): FrontDoorSettings {
  const d = FRONT_DOOR_DEFAULTS;
  const caIsReference = props.mtlsClientCaBundle !== undefined && c.isToken(props.mtlsClientCaBundle);
  return {
    // Let's Encrypt's HTTP-01 cannot validate a wildcard: refused for a reference too, at plan.
    domainNames: props.domainNames.map((name, i) => c.bind(name, props.certificate.kind === 'letsencrypt' ? 'exactDnsName' : 'dnsName', `domainNames[${i}] (of ${c.path})`)),
    tlsProfile: props.tlsProfile,
    certificate: c.certificate,
    upstreams: [...c.upstreams],
    upstreamKeepalive: props.upstreamKeepalive,
    upstreamKeepaliveTimeSec: c.upstreamKeepaliveTimeSec,
    upstreamMaxFails: props.upstreamMaxFails,
    upstreamFailTimeoutSec: props.upstreamFailTimeoutSec,
    proxyPaths: props.proxyPaths,
    staticUrlPath: props.staticRootDirectory ? props.staticUrlPath : undefined,
    staticRootDirectory: props.staticRootDirectory,
    clientMaxBodySizeMiB: props.clientMaxBodySizeMiB,
    proxyConnectTimeoutSec: props.proxyConnectTimeoutSec,
    proxyReadTimeoutSec: props.proxyReadTimeoutSec,
    clientTimeoutSec: props.clientTimeoutSec,
    rateLimitPerSecond: props.rateLimitPerSecond,
    rateLimitBurst: props.rateLimitBurst ?? (props.rateLimitPerSecond === undefined ? 0 : props.rateLimitPerSecond * d.rateLimitBurstFactor),
    connectionLimitPerClient: props.connectionLimitPerClient,
    clientKeepaliveRequests: props.clientKeepaliveRequests,
    clientKeepaliveTimeSec: props.clientKeepaliveTimeSec,
    mtlsPaths: props.mtlsPaths ?? [],
    ...(caIsReference
      ? { mtlsClientCaBundle: c.bind(props.mtlsClientCaBundle!, 'fileContent', 'mtlsClientCaBundle'), mtlsClientCaBundleEncoding: 'b64' as const }
      : { mtlsClientCaBundle: props.mtlsClientCaBundle }),
    hsts: props.hsts,
    hstsMaxAgeSeconds: props.hstsMaxAgeSeconds,
    hstsIncludeSubdomains: props.hstsIncludeSubdomains,
    hstsPreload: props.hstsPreload,
    http3: props.http3,
    responseHeaders: props.responseHeaders ?? {},
    internalPaths: props.internalPaths,
    remoteUpstreams: !props.host,
    publicAddress: c.publicAddress,
    ...(c.behindLoadBalancer ? { behindLoadBalancer: c.behindLoadBalancer } : {}),
    backlog: c.backlog,
    workerRlimitNofile: c.workerRlimitNofile,
    nginxVersion: c.nginxVersion,
    healthPath: c.healthPath,
  };
}
