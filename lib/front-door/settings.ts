/**
 * The front door's settings: every default (the only place it lives; each prop's `@default` says
 * the same) and the pure function that applies them for one nginx host. Pure: no cdktf imports.
 */
import type { CertificateSettings, FrontDoorSettings } from './artifacts';
import type { NginxFrontDoorProps } from './props';

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
  upstreamKeepalive: 32,
  upstreamKeepaliveTimeSec: 30,
  upstreamMaxFails: 2,
  upstreamFailTimeoutSec: 15,
  internalPaths: ['/metrics', '/debug/'],
  elasticIp: true,
  persistCertificate: true,
  proxyPaths: ['/'],
  staticUrlPath: '/static/',
  clientMaxBodySizeMiB: 10,
  proxyConnectTimeoutSec: 5,
  proxyReadTimeoutSec: 60,
  clientTimeoutSec: 30,
  /** The burst is this many times rateLimitPerSecond. */
  rateLimitBurstFactor: 2,
  http3: false,
  letsEncryptStaging: false,
} as const;

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
  readonly bind: (value: string, boundary: 'dnsName' | 'fileContent', prop: string) => string;
  /** The front door's construct path, for the names of plan-time checks. */
  readonly path: string;
}

/** One nginx host's front-door settings, every default applied. */
export function resolveFrontDoorSettings(props: NginxFrontDoorProps, c: FrontDoorContext): FrontDoorSettings {
  const d = FRONT_DOOR_DEFAULTS;
  const caIsReference = props.mtlsClientCaBundle !== undefined && c.isToken(props.mtlsClientCaBundle);
  return {
    domainNames: props.domainNames.map((name, i) => c.bind(name, 'dnsName', `domainNames[${i}] (of ${c.path})`)),
    tlsProfile: props.tlsProfile ?? d.tlsProfile,
    certificate: c.certificate,
    upstreams: [...c.upstreams],
    upstreamKeepalive: props.upstreamKeepalive ?? d.upstreamKeepalive,
    upstreamKeepaliveTimeSec: c.upstreamKeepaliveTimeSec,
    upstreamMaxFails: props.upstreamMaxFails ?? d.upstreamMaxFails,
    upstreamFailTimeoutSec: props.upstreamFailTimeoutSec ?? d.upstreamFailTimeoutSec,
    proxyPaths: props.proxyPaths ?? d.proxyPaths,
    staticUrlPath: props.staticRootDirectory ? props.staticUrlPath ?? d.staticUrlPath : undefined,
    staticRootDirectory: props.staticRootDirectory,
    clientMaxBodySizeMiB: props.clientMaxBodySizeMiB ?? d.clientMaxBodySizeMiB,
    proxyConnectTimeoutSec: props.proxyConnectTimeoutSec ?? d.proxyConnectTimeoutSec,
    proxyReadTimeoutSec: props.proxyReadTimeoutSec ?? d.proxyReadTimeoutSec,
    clientTimeoutSec: props.clientTimeoutSec ?? d.clientTimeoutSec,
    rateLimitPerSecond: props.rateLimitPerSecond,
    rateLimitBurst: props.rateLimitBurst ?? (props.rateLimitPerSecond === undefined ? 0 : props.rateLimitPerSecond * d.rateLimitBurstFactor),
    mtlsPaths: props.mtlsPaths ?? [],
    ...(caIsReference
      ? { mtlsClientCaBundle: c.bind(props.mtlsClientCaBundle!, 'fileContent', 'mtlsClientCaBundle'), mtlsClientCaBundleEncoding: 'b64' as const }
      : { mtlsClientCaBundle: props.mtlsClientCaBundle }),
    hsts: props.hsts ?? d.hsts,
    hstsMaxAgeSeconds: props.hstsMaxAgeSeconds ?? d.hstsMaxAgeSeconds,
    hstsIncludeSubdomains: props.hstsIncludeSubdomains ?? d.hstsIncludeSubdomains,
    hstsPreload: props.hstsPreload ?? d.hstsPreload,
    http3: props.http3 ?? d.http3,
    responseHeaders: props.responseHeaders ?? {},
    internalPaths: props.internalPaths ?? d.internalPaths,
    remoteUpstreams: !props.host,
    backlog: c.backlog,
    workerRlimitNofile: c.workerRlimitNofile,
    nginxVersion: c.nginxVersion,
    healthPath: c.healthPath,
  };
}
