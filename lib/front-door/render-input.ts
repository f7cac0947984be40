/**
 * What the front door's artifacts are rendered from: its settings with every default applied and
 * every reference bound for its destination (the stage after resolveFrontDoorSettings). Pure.
 */
import type { TlsProfileName } from './tls-profiles';

export type CertificateSettings =
  | {
      readonly kind: 'letsencrypt';
      readonly email: string;
      readonly staging: boolean;
      /** ARN of the Secrets Manager secret the issued certificate and key are kept in (restored at boot). */
      readonly store?: string;
    }
  | { readonly kind: 'ssm'; readonly certificateParameter: string; readonly privateKeyParameter: string }
  | { readonly kind: 'secretsmanager'; readonly secretId: string };

export interface FrontDoorSettings {
  readonly domainNames: readonly string[];
  readonly tlsProfile: TlsProfileName;
  readonly certificate: CertificateSettings;
  /** `address:port` of every backend: a load balancer's DNS name, or 127.0.0.1 on the same instance. */
  readonly upstreams: readonly string[];
  readonly upstreamKeepalive: number;
  /** nginx `keepalive_time`: an upstream connection is closed after this long, between requests (nginx ≥ 1.21.3). */
  readonly upstreamKeepaliveTimeSec: number;
  /** Extra response headers on every HTTPS response. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** Paths of the backends that are never proxied (metrics, debug handlers): answered 404 by nginx. */
  readonly internalPaths: readonly string[];
  /** The backends are on other instances (booting at the same time): first boot checks nginx, not the backend. */
  readonly remoteUpstreams: boolean;
  /**
   * Behind a public load balancer: 80 and 443 take proxy protocol, whose client address is trusted
   * from the load balancer's subnets only; nginx answers the health check on NGINX.healthCheckPort.
   */
  readonly behindLoadBalancer?: { readonly trustedCidrs: readonly string[] };
  /**
   * How the public address reaches this host: claimed by the host itself once every first-boot
   * check passed (a group), associated by Terraform (one instance), or none (no Elastic IP).
   */
  readonly publicAddress: 'claimed-when-healthy' | 'associated-by-terraform' | 'load-balancer' | 'none';
  readonly upstreamMaxFails: number;
  readonly upstreamFailTimeoutSec: number;
  readonly proxyPaths: readonly string[];
  readonly staticUrlPath?: string;
  readonly staticRootDirectory?: string;
  readonly clientMaxBodySizeMiB: number;
  readonly proxyConnectTimeoutSec: number;
  readonly proxyReadTimeoutSec: number;
  readonly clientTimeoutSec: number;
  readonly rateLimitPerSecond?: number;
  readonly rateLimitBurst: number;
  /** Open connections per client (an IPv4 address or an IPv6 /64). */
  readonly connectionLimitPerClient: number;
  /** Requests (HTTP/2: streams) per client connection. */
  readonly clientKeepaliveRequests: number;
  readonly clientKeepaliveTimeSec: number;
  readonly mtlsPaths: readonly string[];
  readonly mtlsClientCaBundle?: string;
  /** `b64` when the bundle is base64 (a Terraform reference, encoded by Terraform). */
  readonly mtlsClientCaBundleEncoding?: 'b64';
  readonly hsts: boolean;
  readonly hstsMaxAgeSeconds: number;
  readonly hstsIncludeSubdomains: boolean;
  readonly hstsPreload: boolean;
  readonly http3: boolean;
  /** Listen backlog: the host's somaxconn. */
  readonly backlog: number;
  readonly workerRlimitNofile: number;
  readonly nginxVersion: string;
  /** Where the health check goes through the front door at first boot. */
  readonly healthPath: string;
}

/** Let's Encrypt kept in a store: one ACME account for every front door, challenges answered by any of them. */
export function sharedAcmeAccount(s: FrontDoorSettings): boolean {
  return s.certificate.kind === 'letsencrypt' && s.certificate.store !== undefined;
}
