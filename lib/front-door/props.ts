/** The props of NginxFrontDoor (their defaults: FRONT_DOOR_DEFAULTS in settings.ts). */
import type { HardenedGoHost } from '../go-service/hardened-go-host';
import type { HardenedGoService } from '../go-service/hardened-go-service';
import type { MachineImage } from '../host/machine-image';
import type { CertificateSource } from './certificate-source';
import type { TlsProfileName } from './tls-profiles';

export interface NginxFrontDoorProps {
  /** Names the front door serves (certificate SANs and nginx server_name). */
  readonly domainNames: readonly string[];
  /** Where the certificate comes from. A private key never appears in user data, state or the synthesized JSON. */
  readonly certificate: CertificateSource;
  /**
   * Backends: Go services on Auto Scaling (their internal load balancer's address), Go hosts
   * (put behind an internal load balancer the front door creates, so no front-door user data
   * names an instance's address) or `address:port` strings. Security groups admit the app port
   * from the front door's group only, through the load balancer's.
   * @default - [host] when host is given
   */
  readonly upstreams?: ReadonlyArray<HardenedGoService | HardenedGoHost | string>;
  /**
   * Run nginx beside this Go service (80/443 there, the service stays on 127.0.0.1): a
   * HardenedGoHost, or a HardenedGoService group of one without a load balancer (minCapacity 1,
   * internalLoadBalancer: false), whose replacement boots beside its predecessor and claims the
   * Elastic IP only once it serves.
   * @default - nginx gets its own instance(s) in subnetId or subnetIds
   */
  readonly host?: HardenedGoHost | HardenedGoService;
  /** Subnet for the front door's own instance(s), normally public. @default - required unless host or subnetIds is given */
  readonly subnetId?: string;
  /**
   * Public subnets, one per Availability Zone: the front door's instance runs in an Auto Scaling
   * group over them (one instance, replaced in another zone if its zone fails). A replacement
   * boots beside its predecessor and claims the Elastic IP itself only after nginx answers and
   * every first-boot check passed, so a front-door change or release interrupts for the seconds
   * the address takes to move, not for a boot. May be a Terraform reference (a list).
   * @default - one aws_instance in subnetId
   */
  readonly subnetIds?: readonly string[];
  /**
   * With subnetIds and an instanceCount above 1: seconds a front door leaving the group (a roll, a
   * scale-in) keeps serving its open connections behind the public load balancer (its target
   * groups' deregistration delay). Longer than nginx's 65 s keep-alive timeout, so idle client
   * connections end on their own first.
   * @default 70
   */
  readonly deregistrationDelaySec?: number;
  /** @default - looked up from the subnet */
  readonly vpcId?: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  /** @default - Ubuntu 24.04 LTS */
  readonly machineImage?: MachineImage;
  /**
   * Identical front door instances (bring-your-own certificate only). With subnetIds and more than
   * one: a group behind a public Network Load Balancer with an Elastic IP per subnet.
   * @default 1
   */
  readonly instanceCount?: number;
  /** Name prefix of the front door's own instances. @default "front-door" */
  readonly hostName?: string;
  /** Own instances get a public IP so they are reachable. @default true */
  readonly associatePublicIpAddress?: boolean;
  /** SSH into the front door's own instances. @default - none (SSM) */
  readonly adminSshCidrs?: readonly string[];
  /** @default - none */
  readonly keyPairName?: string;
  /** `intermediate` = Mozilla TLS 1.2 + 1.3 with AEAD suites; `modern` = TLS 1.3 only. @default "intermediate" */
  readonly tlsProfile?: TlsProfileName;
  /** Strict-Transport-Security on every HTTPS response. @default true */
  readonly hsts?: boolean;
  /** @default 31536000 (one year, the minimum accepted) */
  readonly hstsMaxAgeSeconds?: number;
  /** Hard to undo: every subdomain must then serve HTTPS. @default false */
  readonly hstsIncludeSubdomains?: boolean;
  /** Hard to undo: browsers ship the name in their preload lists. @default false */
  readonly hstsPreload?: boolean;
  /**
   * Idle upstream connections kept per worker. Below the requests a worker has in flight, nginx
   * closes the overflow after each response and opens new connections (64 clients on 2 workers
   * with 32: hundreds of new backend connections a second; with 128: none after the first).
   * @default 128
   */
  readonly upstreamKeepalive?: number;
  /**
   * nginx `keepalive_time`: an upstream connection is closed after this long, between two
   * requests. Shorter than the services' deregistration delay, so no connection outlives a
   * draining instance (nginx ≥ 1.21.3; Ubuntu 22.04's 1.18 ignores it).
   * @default 30
   */
  readonly upstreamKeepaliveTimeSec?: number;
  /**
   * Extra headers on every HTTPS response (`add_header … always`). Names are HTTP tokens; values
   * have no control characters (a line break would split the response) and no `$` (nginx would
   * expand it as a variable) unless allowVariablesInResponseHeaders.
   * @default - none
   */
  readonly responseHeaders?: Readonly<Record<string, string>>;
  /**
   * Let responseHeaders values use nginx variables (`$request_id`, …). Some leak what the internet
   * should not see (`$upstream_addr`: the backends' private addresses).
   * @default false
   */
  readonly allowVariablesInResponseHeaders?: boolean;
  /**
   * Backend paths never proxied to the internet: nginx answers 404 (an exact path also covers
   * what lies below it). Add your metrics path here if it is not `/metrics`.
   * @default FRONT_DOOR_DEFAULTS.internalPaths (["/metrics", "/debug/"]: Prometheus metrics and pprof)
   */
  readonly internalPaths?: readonly string[];
  /**
   * An Elastic IP for each front-door instance (or the Go host nginx runs on), so DNS keeps
   * pointing at the front door when its instance is replaced.
   * @default true
   */
  readonly elasticIp?: boolean;
  /**
   * A Route 53 hosted zone that holds the domain names: the stack creates an A record per name
   * pointing at the Elastic IP, so a new stack is reachable without hand work (each name must be
   * in the zone: checked at plan). May be a Terraform reference.
   * @default - no records; the output `dns-records` lists the ones to create
   */
  readonly hostedZoneId?: string;
  /** TTL of the records in hostedZoneId. @default 300 */
  readonly dnsRecordTtlSec?: number;
  /**
   * Keep the Let's Encrypt certificate and key in a Secrets Manager secret this construct
   * creates empty: written by the host after issuance and every renewal, restored at boot before
   * nginx starts. A replaced front door then serves its certificate at once and never asks Let's
   * Encrypt again (5 certificates per week for the same names). No key material reaches Terraform.
   * @default true
   */
  readonly persistCertificate?: boolean;
  /** KMS key of the certificate secret. @default - the account's Secrets Manager key (aws/secretsmanager) */
  readonly certificateStoreKmsKeyArn?: string;
  /** @default 2 */
  readonly upstreamMaxFails?: number;
  /** @default 15 */
  readonly upstreamFailTimeoutSec?: number;
  /** Paths proxied to the upstreams. @default ["/"] */
  readonly proxyPaths?: readonly string[];
  /** @default "/static/" */
  readonly staticUrlPath?: string;
  /** Directory served at staticUrlPath with sendfile/tcp_nopush. @default - no static files */
  readonly staticRootDirectory?: string;
  /** nginx `client_max_body_size`. @default 10 */
  readonly clientMaxBodySizeMiB?: number;
  /** @default 5 */
  readonly proxyConnectTimeoutSec?: number;
  /** nginx `proxy_read_timeout` and `proxy_send_timeout`. @default 60 */
  readonly proxyReadTimeoutSec?: number;
  /** nginx client body/header and send timeouts. @default 30 */
  readonly clientTimeoutSec?: number;
  /** Requests per second per client address (limit_req; 429 beyond). @default - no rate limit */
  readonly rateLimitPerSecond?: number;
  /** @default - 2 × rateLimitPerSecond */
  readonly rateLimitBurst?: number;
  /**
   * Connections one client may hold open at once (limit_conn; 503 beyond). A client is an IPv4
   * address or an IPv6 /64, the block one subscriber gets, so rotating addresses inside it does not
   * multiply the allowance (the rate limit keys on the same).
   * @default 100
   */
  readonly connectionLimitPerClient?: number;
  /**
   * Requests on one client connection before nginx closes it (`keepalive_requests`; for HTTP/2 the
   * streams of a connection, which nginx's rapid-reset mitigation counts against).
   * @default 1000
   */
  readonly clientKeepaliveRequests?: number;
  /**
   * Seconds one client connection may serve requests before nginx closes it after the next
   * response (`keepalive_time`; HTTP/2: a GOAWAY). A busy connection therefore ends cleanly, and
   * its client reconnects to a healthy front door, before a leaving front door's deregistration
   * delay ends (checked: below deregistrationDelaySec). nginx ≥ 1.19.10.
   * @default 60
   */
  readonly clientKeepaliveTimeSec?: number;
  /** Paths that require a client certificate signed by mtlsClientCaBundle. @default - none */
  readonly mtlsPaths?: readonly string[];
  /** PEM bundle of client CAs (put old and new together while rotating). @default - none */
  readonly mtlsClientCaBundle?: string;
  /** HTTP/3: refused while the distribution's nginx is older than 1.25. @default false */
  readonly http3?: boolean;
}
