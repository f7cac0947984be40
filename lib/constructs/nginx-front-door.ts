/**
 * NginxFrontDoor: TLS termination and reverse proxy for one or many Go hosts, either on a Go
 * host's own instance (the single-host shape) or on its own hardened instance(s).
 */
import { Construct } from 'constructs';
import { HardenedGoHost } from './hardened-go-host';
import { HardenedHost } from './hardened-host';
import { CertificateSource, LetsEncryptOptions, SecretsManagerCertificateOptions, SsmCertificateOptions } from '../model/certificate-source';
import { DISTROS, DistroName, isDistroName } from '../model/distro';
import { CertificateSettings, FrontDoorSettings, provisionFrontDoor } from '../model/front-door';
import { MachineImage } from '../model/machine-image';
import { Peer, Port } from '../model/port';
import { TlsProfileName } from '../model/tls-profiles';
import { PropChecks } from '../policy/errors';
import { frontDoorReadiness } from '../policy/front-door-readiness';
import { checkFrontDoorProps } from '../policy/front-door-checks';
import { GO_HOST_DEFAULTS } from '../policy/host-checks';
import { DataAwsCallerIdentity } from '../private/aws';
import { Token } from '../private/cdktf';

export interface NginxFrontDoorProps {
  /** Names the front door serves (certificate SANs and nginx server_name). */
  readonly domainNames: readonly string[];
  /** Where the certificate comes from. A private key never appears in user data, state or the synthesized JSON. */
  readonly certificate: CertificateSource;
  /**
   * Backends: Go hosts (their security groups then admit the app port from the front door only)
   * or `address:port` strings.
   * @default - [host] when host is given
   */
  readonly upstreams?: ReadonlyArray<HardenedGoHost | string>;
  /** Run nginx on this Go host (80/443 there, the service stays on 127.0.0.1). @default - nginx gets its own instance(s) in subnetId */
  readonly host?: HardenedGoHost;
  /** Subnet for the front door's own instance(s), normally public. @default - required unless host is given */
  readonly subnetId?: string;
  /** @default - looked up from the subnet */
  readonly vpcId?: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  /** @default - Ubuntu 24.04 LTS */
  readonly machineImage?: MachineImage;
  /** Identical front door instances (bring-your-own certificate only). @default 1 */
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
  /** Idle upstream connections kept per worker. @default 32 */
  readonly upstreamKeepalive?: number;
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
  /** Paths that require a client certificate signed by mtlsClientCaBundle. @default - none */
  readonly mtlsPaths?: readonly string[];
  /** PEM bundle of client CAs (put old and new together while rotating). @default - none */
  readonly mtlsClientCaBundle?: string;
  /** HTTP/3: refused while the distribution's nginx is older than 1.25. @default false */
  readonly http3?: boolean;
}

export class NginxFrontDoor extends Construct {
  /** The instances nginx runs on. */
  public readonly hosts: readonly HardenedHost[];
  public readonly settings: FrontDoorSettings;

  constructor(scope: Construct, id: string, props: NginxFrontDoorProps) {
    super(scope, id);
    const image = props.host ? undefined : props.machineImage ?? MachineImage.ubuntu2404();
    const distro = props.host?.distro ?? DISTROS[image && isDistroName(image.distro) ? image.distro : ('ubuntu-24.04' as DistroName)];
    const checks = new PropChecks();
    checkFrontDoorProps(props, { distro, sameInstance: !!props.host, isToken: (v) => Token.isUnresolved(v) }, checks);
    checks.throwIfAny(this.node.path);

    const hostName = props.hostName ?? 'front-door';
    const count = props.instanceCount ?? 1;
    this.hosts = props.host
      ? [props.host]
      : Array.from({ length: count }, (_, i) =>
          // The first instance keeps the ID "Host" so going from one to two instances replaces nothing.
          new HardenedHost(this, i === 0 ? 'Host' : `Host${i + 1}`, {
            subnetId: props.subnetId!,
            vpcId: props.vpcId,
            instanceType: props.instanceType,
            machineImage: image,
            associatePublicIpAddress: props.associatePublicIpAddress ?? true,
            adminSshCidrs: props.adminSshCidrs,
            keyPairName: props.keyPairName,
          }, { name: count === 1 ? hostName : `${hostName}-${i + 1}` }));

    const upstreams = props.upstreams ?? (props.host ? [props.host] : []);
    for (const nginxHost of this.hosts) {
      // N17: 80 and 443 from anywhere, over IPv4 and IPv6 — nothing else.
      for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
        nginxHost.connections.allowFrom(peer, Port.HTTP, 'HTTP (ACME and redirect)');
        nginxHost.connections.allowFrom(peer, Port.HTTPS, 'HTTPS');
        if (props.http3) nginxHost.connections.allowFrom(peer, Port.HTTPS_UDP, 'HTTP/3 (QUIC)');
      }
      // Go hosts behind a separate front door admit their port from the front door's group only.
      for (const u of upstreams) {
        if (u instanceof HardenedGoHost && u !== nginxHost) u.connections.allowFrom(nginxHost, Port.tcp(u.listenPort), `app port from ${nginxHost.hostName}`);
      }
    }

    const certificate = this.certificateSettings(props.certificate);
    this.grantCertificateRead(props.certificate);
    const first = this.hosts[0];
    const nofile = first instanceof HardenedGoHost ? first.settings.limitNofile : GO_HOST_DEFAULTS.limitNofile;
    const settingsFor = (nginxHost: HardenedHost): FrontDoorSettings => ({
      domainNames: props.domainNames.map((d) => nginxHost.lateBound(d)),
      tlsProfile: props.tlsProfile ?? 'intermediate',
      certificate,
      upstreams: upstreams.map((u) =>
        typeof u === 'string' ? nginxHost.lateBound(u) : u === nginxHost ? `127.0.0.1:${u.listenPort}` : `${nginxHost.lateBound(u.privateIp)}:${u.listenPort}`,
      ),
      upstreamKeepalive: props.upstreamKeepalive ?? 32,
      upstreamMaxFails: props.upstreamMaxFails ?? 2,
      upstreamFailTimeoutSec: props.upstreamFailTimeoutSec ?? 15,
      proxyPaths: props.proxyPaths ?? ['/'],
      staticUrlPath: props.staticRootDirectory ? props.staticUrlPath ?? '/static/' : undefined,
      staticRootDirectory: props.staticRootDirectory,
      clientMaxBodySizeMiB: props.clientMaxBodySizeMiB ?? 10,
      proxyConnectTimeoutSec: props.proxyConnectTimeoutSec ?? 5,
      proxyReadTimeoutSec: props.proxyReadTimeoutSec ?? 60,
      clientTimeoutSec: props.clientTimeoutSec ?? 30,
      rateLimitPerSecond: props.rateLimitPerSecond,
      rateLimitBurst: props.rateLimitBurst ?? (props.rateLimitPerSecond ?? 0) * 2,
      mtlsPaths: props.mtlsPaths ?? [],
      mtlsClientCaBundle: props.mtlsClientCaBundle,
      hsts: props.hsts ?? true,
      hstsMaxAgeSeconds: props.hstsMaxAgeSeconds ?? 31536000,
      hstsIncludeSubdomains: props.hstsIncludeSubdomains ?? false,
      hstsPreload: props.hstsPreload ?? false,
      http3: props.http3 ?? false,
      backlog: nginxHost.baseSettings.somaxconn,
      workerRlimitNofile: nofile,
      nginxVersion: distro.nginxVersion,
      healthPath: upstreams.find((u): u is HardenedGoHost => u instanceof HardenedGoHost)?.healthPath ?? '/',
    });
    for (const nginxHost of this.hosts) {
      const s = settingsFor(nginxHost);
      nginxHost.userData.merge(provisionFrontDoor(s));
      nginxHost.addReadiness(...frontDoorReadiness(s));
    }
    this.settings = settingsFor(first);
  }

  private certificateSettings(source: CertificateSource): CertificateSettings {
    if (source.kind === 'letsencrypt') {
      const o = source.options as LetsEncryptOptions;
      return { kind: 'letsencrypt', email: o.email, staging: o.staging ?? false };
    }
    if (source.kind === 'ssm') {
      const o = source.options as SsmCertificateOptions;
      return { kind: 'ssm', certificateParameter: o.certificateParameterName, privateKeyParameter: o.privateKeyParameterName };
    }
    return { kind: 'secretsmanager', secretId: (source.options as SecretsManagerCertificateOptions).secretId };
  }

  /** The front door's role may read exactly the certificate's parameters or secret. */
  private grantCertificateRead(source: CertificateSource): void {
    if (source.kind === 'letsencrypt') return;
    const account = new DataAwsCallerIdentity(this, 'Account').accountId;
    for (const h of this.hosts) {
      const statements: Array<Record<string, unknown>> = [];
      let kmsKeyArn: string | undefined;
      if (source.kind === 'ssm') {
        const o = source.options as SsmCertificateOptions;
        const arn = (name: string) => `${h.arnPrefix}:ssm:${h.regionName}:${account}:parameter/${name.replace(/^\//, '')}`;
        statements.push({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: [arn(o.certificateParameterName), arn(o.privateKeyParameterName)] });
        kmsKeyArn = o.kmsKeyArn;
      } else {
        const o = source.options as SecretsManagerCertificateOptions;
        const resource = o.secretId.startsWith('arn:') ? o.secretId : `${h.arnPrefix}:secretsmanager:${h.regionName}:${account}:secret:${o.secretId}-??????`;
        statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resource });
        kmsKeyArn = o.kmsKeyArn;
      }
      if (kmsKeyArn) statements.push({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: kmsKeyArn });
      h.addToRolePolicy('read-tls-certificate', statements);
    }
  }
}
