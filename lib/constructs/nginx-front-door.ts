/**
 * NginxFrontDoor: TLS termination and reverse proxy for one or many Go hosts, either on a Go
 * host's own instance (the single-host shape) or on its own hardened instance(s).
 */
import { Construct } from 'constructs';
import { HardenedGoHost } from './hardened-go-host';
import { HardenedGoService } from './hardened-go-service';
import { HardenedHost } from './hardened-host';
import { checkConstructPath, checkProps, reportInput } from './input';
import { InternalLoadBalancer } from './internal-load-balancer';
import { CertificateSource, LetsEncryptOptions, SecretsManagerCertificateOptions, SsmCertificateOptions } from '../model/certificate-source';
import { DISTROS, DistroName, isDistroName } from '../model/distro';
import { CertificateSettings, FrontDoorSettings, provisionFrontDoor } from '../model/front-door';
import { MachineImage } from '../model/machine-image';
import { Peer, Port } from '../model/port';
import { TlsProfileName } from '../model/tls-profiles';
import { PropChecks } from '../policy/errors';
import { assess } from '../readiness/checklist';
import { FRONT_DOOR_ITEMS } from '../readiness/front-door-items';
import { checkFrontDoorProps, checkFrontDoorPropTypes } from '../policy/front-door-checks';
import { GO_SERVICE_DEFAULTS } from '../policy/go-service-checks';
import { GO_HOST_DEFAULTS } from '../policy/host-checks';
import { DataAwsCallerIdentity, Eip, EipAssociation, SecretsmanagerSecret } from '../private/aws';
import { Token } from '../private/cdktf';
import { Boundary, BOUNDARIES } from '../private/late-bound';

/** Defaults of the front door's day-two props (the rest are documented on each prop). */
export const FRONT_DOOR_DEFAULTS = {
  upstreamKeepaliveTimeSec: 30,
  internalPaths: ['/metrics', '/debug/'],
  elasticIp: true,
  persistCertificate: true,
} as const;

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
  /**
   * nginx `keepalive_time`: an upstream connection is closed after this long, between two
   * requests. Shorter than the services' deregistration delay, so no connection outlives a
   * draining instance (nginx ≥ 1.21.3; Ubuntu 22.04's 1.18 ignores it).
   * @default 30
   */
  readonly upstreamKeepaliveTimeSec?: number;
  /** Extra headers on every HTTPS response (`add_header … always`). @default - none */
  readonly responseHeaders?: Readonly<Record<string, string>>;
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
  /** Paths that require a client certificate signed by mtlsClientCaBundle. @default - none */
  readonly mtlsPaths?: readonly string[];
  /** PEM bundle of client CAs (put old and new together while rotating). @default - none */
  readonly mtlsClientCaBundle?: string;
  /** HTTP/3: refused while the distribution's nginx is older than 1.25. @default false */
  readonly http3?: boolean;
}

/** Stand-ins for required props that failed (the stack then does not synthesize). */
const FRONT_DOOR_PLACEHOLDERS: Partial<NginxFrontDoorProps> = {
  domainNames: ['invalid.example'],
  certificate: CertificateSource.letsEncrypt({ email: 'invalid@invalid.example' }),
};

export class NginxFrontDoor extends Construct {
  /** The instances nginx runs on. */
  public readonly hosts: readonly HardenedHost[];
  public readonly settings: FrontDoorSettings;
  /** One per front-door instance (elasticIp). */
  public readonly elasticIps: readonly Eip[] = [];
  /** The Secrets Manager secret the Let's Encrypt certificate is kept in (persistCertificate). */
  public readonly certificateStore?: SecretsmanagerSecret;
  /** The internal load balancer the front door puts its Go host upstreams behind. */
  public readonly upstreamLoadBalancer?: InternalLoadBalancer;

  constructor(scope: Construct, id: string, rawProps: NginxFrontDoorProps) {
    super(scope, id);
    const distroOf = (p: NginxFrontDoorProps) => {
      const image = p.host ? undefined : p.machineImage ?? MachineImage.ubuntu2404();
      return p.host?.distro ?? DISTROS[image && isDistroName(image.distro) ? image.distro : ('ubuntu-24.04' as DistroName)];
    };
    const checked = checkProps<NginxFrontDoorProps>(rawProps, FRONT_DOOR_PLACEHOLDERS,
      (p, c) => {
        checkFrontDoorPropTypes(p, c);
        if (p.host !== undefined && !(p.host instanceof HardenedGoHost)) c.fail('host', String(p.host), 'is not a HardenedGoHost', 'pass the HardenedGoHost nginx shares an instance with, or drop host');
      },
      (p, c) => checkFrontDoorProps(p, { distro: distroOf(p), sameInstance: !!p.host, isToken: (v) => Token.isUnresolved(v) }, c));
    reportInput(this, checked);
    checkConstructPath(this);
    // A front door whose subnet failed is still built on a stand-in, to check the rest of the stack.
    const props = checked.props.host || checked.props.subnetId !== undefined ? checked.props : { ...checked.props, subnetId: 'subnet-00000000' };
    const image = props.host ? undefined : props.machineImage ?? MachineImage.ubuntu2404();
    const distro = distroOf(props);

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
          }, { describe: () => ({ name: count === 1 ? hostName : `${hostName}-${i + 1}` }) }));

    const upstreams = props.upstreams ?? (props.host ? [props.host] : []);
    for (const nginxHost of this.hosts) {
      // N17: 80 and 443 from anywhere, over IPv4 and IPv6 — nothing else.
      for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
        nginxHost.connections.allowFrom(peer, Port.HTTP, 'HTTP (ACME and redirect)');
        nginxHost.connections.allowFrom(peer, Port.HTTPS, 'HTTPS');
        if (props.http3) nginxHost.connections.allowFrom(peer, Port.HTTPS_UDP, 'HTTP/3 (QUIC)');
      }
    }
    const keepaliveTime = props.upstreamKeepaliveTimeSec ?? FRONT_DOOR_DEFAULTS.upstreamKeepaliveTimeSec;
    this.checkUpstreams(upstreams, keepaliveTime, props.vpcId ?? props.host?.vpcId);

    // Every backend on another instance is reached through a load balancer: a stable address.
    const remoteHosts = upstreams.filter((u): u is HardenedGoHost => u instanceof HardenedGoHost && u !== props.host);
    if (remoteHosts.length > 0) {
      const first = remoteHosts[0];
      this.upstreamLoadBalancer = new InternalLoadBalancer(this, 'Upstream', {
        subnetIds: [...new Set(remoteHosts.map((h) => h.subnetId))],
        vpcId: first.vpcId,
        port: first.listenPort,
        healthPath: first.healthPath,
        // Covers every host's graceful stop and outlasts nginx's keep-alive connections to it.
        deregistrationDelaySec: Math.max(keepaliveTime, ...remoteHosts.map((h) => h.settings.timeoutStopSec)) + GO_SERVICE_DEFAULTS.deregistrationMarginSec,
        targets: remoteHosts,
        name: first.serviceName,
      });
      remoteHosts.forEach((h, i) => this.upstreamLoadBalancer!.attachInstance(`Target${i + 1}`, h.instance.id));
    }
    const balancers = [
      ...upstreams.filter((u): u is HardenedGoService => u instanceof HardenedGoService).map((u) => u.loadBalancer),
      ...(this.upstreamLoadBalancer ? [this.upstreamLoadBalancer] : []),
    ];
    for (const nginxHost of this.hosts) {
      for (const lb of balancers) lb.connections.allowFrom(nginxHost, Port.tcp(lb.port), `app port from ${nginxHost.hostName}`);
    }

    if (props.certificate.kind === 'letsencrypt' && (props.persistCertificate ?? FRONT_DOOR_DEFAULTS.persistCertificate)) {
      // Created empty: only the host writes a value, so no key material reaches Terraform state.
      this.certificateStore = new SecretsmanagerSecret(this, 'CertificateStore', {
        namePrefix: `gohost-${props.host?.hostName ?? hostName}-certificate-`,
        description: `cdktf-gohost ${this.node.path}: the Let's Encrypt certificate and key, written by the front door after issuance and renewal`,
        kmsKeyId: props.certificateStoreKmsKeyArn,
      });
    }
    const certificate = this.certificateSettings(props.certificate);
    this.grantCertificateAccess(props);
    const first = this.hosts[0];
    const nofile = first instanceof HardenedGoHost ? first.settings.limitNofile : GO_HOST_DEFAULTS.limitNofile;
    const goBackend = upstreams.find((u): u is HardenedGoHost | HardenedGoService => typeof u !== 'string');
    const settingsFor = (nginxHost: HardenedHost): FrontDoorSettings => ({
      domainNames: props.domainNames.map((d, i) => nginxHost.lateBound(d, BOUNDARIES.dnsName, `domainNames[${i}] (of ${this.node.path})`)),
      tlsProfile: props.tlsProfile ?? 'intermediate',
      certificate: this.boundCertificate(certificate, nginxHost),
      upstreams: [
        ...upstreams.flatMap((u) =>
          typeof u === 'string' ? [nginxHost.lateBound(u, BOUNDARIES.hostPort, `upstreams (of ${this.node.path})`)]
            : u === nginxHost ? [`127.0.0.1:${u.listenPort}`]
              : u instanceof HardenedGoService ? [nginxHost.lateBound(u.loadBalancer.address)]
                : []),
        ...(this.upstreamLoadBalancer ? [nginxHost.lateBound(this.upstreamLoadBalancer.address)] : []),
      ],
      upstreamKeepalive: props.upstreamKeepalive ?? 32,
      upstreamKeepaliveTimeSec: keepaliveTime,
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
      ...(props.mtlsClientCaBundle !== undefined && Token.isUnresolved(props.mtlsClientCaBundle)
        ? { mtlsClientCaBundle: nginxHost.lateBound(props.mtlsClientCaBundle, BOUNDARIES.fileContent), mtlsClientCaBundleEncoding: 'b64' as const }
        : { mtlsClientCaBundle: props.mtlsClientCaBundle }),
      hsts: props.hsts ?? true,
      hstsMaxAgeSeconds: props.hstsMaxAgeSeconds ?? 31536000,
      hstsIncludeSubdomains: props.hstsIncludeSubdomains ?? false,
      hstsPreload: props.hstsPreload ?? false,
      http3: props.http3 ?? false,
      responseHeaders: props.responseHeaders ?? {},
      internalPaths: props.internalPaths ?? FRONT_DOOR_DEFAULTS.internalPaths,
      remoteUpstreams: !props.host,
      backlog: nginxHost.baseSettings.somaxconn,
      workerRlimitNofile: nofile,
      nginxVersion: distro.nginxVersion,
      healthPath: goBackend?.healthPath ?? '/',
    });
    for (const nginxHost of this.hosts) {
      const s = settingsFor(nginxHost);
      nginxHost.userData.merge(provisionFrontDoor(s));
      nginxHost.addReadiness(...assess(FRONT_DOOR_ITEMS, s));
    }
    this.settings = settingsFor(first);
    for (const nginxHost of this.hosts) {
      nginxHost.attachFrontDoor({ path: this.node.path, domainName: this.settings.domainNames[0], healthPath: this.settings.healthPath });
    }

    // The front door's address outlives its instances: DNS points at the Elastic IP.
    if (props.elasticIp ?? FRONT_DOOR_DEFAULTS.elasticIp) {
      this.elasticIps = this.hosts.map((h, i) => {
        const suffix = i === 0 ? '' : `${i + 1}`;
        const eip = new Eip(this, `ElasticIp${suffix}`, { domain: 'vpc', tags: { Name: `${this.node.path.replace(/\//g, '-')}${suffix}` } });
        new EipAssociation(this, `ElasticIpAssociation${suffix}`, { allocationId: eip.allocationId, instanceId: h.instance.id });
        return eip;
      });
    }
  }

  /** The public IPv4 address DNS should point at: the Elastic IP, or the first instance's own. */
  public get publicIp(): string {
    return this.elasticIps.length > 0 ? this.elasticIps[0].publicIp : this.hosts[0].instance.publicIp;
  }

  private checkUpstreams(upstreams: NonNullable<NginxFrontDoorProps['upstreams']>, keepaliveTimeSec: number, vpcId: string | undefined): void {
    const checks = new PropChecks();
    const known = (v: unknown): v is string | number => v !== undefined && !Token.isUnresolved(v);
    if (!(Number.isInteger(keepaliveTimeSec) && keepaliveTimeSec >= 1)) {
      checks.fail('upstreamKeepaliveTimeSec', keepaliveTimeSec, 'must be a whole number of seconds ≥ 1', `use e.g. ${FRONT_DOOR_DEFAULTS.upstreamKeepaliveTimeSec}`);
    }
    upstreams.forEach((u, i) => {
      if (!(u instanceof HardenedGoService)) return;
      if (known(vpcId) && known(u.vpcId) && u.vpcId !== vpcId) {
        checks.fail(`upstreams[${i}]`, u.node.path, `is in ${u.vpcId}, but the front door is in ${vpcId}: its internal load balancer is unreachable from here`,
          'put the front door in a public subnet of the service\'s VPC');
      }
      if (keepaliveTimeSec >= u.group.deregistrationDelaySec) {
        checks.fail('upstreamKeepaliveTimeSec', keepaliveTimeSec, `is not shorter than ${u.node.path}'s deregistrationDelaySec (${u.group.deregistrationDelaySec} s): a keep-alive connection could outlive a draining instance`,
          `use less than ${u.group.deregistrationDelaySec}, or raise the service's deregistrationDelaySec`);
      }
    });
    const hosts = upstreams.filter((u): u is HardenedGoHost => u instanceof HardenedGoHost);
    const ports = new Set(hosts.map((h) => h.listenPort));
    const paths = new Set(hosts.map((h) => h.healthPath));
    if (ports.size > 1 || paths.size > 1) {
      checks.fail('upstreams', hosts.map((h) => h.node.path), 'are Go hosts with different listenPort or healthPath: one load balancer cannot health-check them alike',
        'give the hosts the same listenPort and healthPath, or use one HardenedGoService');
    }
    reportInput(this, { failures: checks.all });
  }

  /** The certificate settings as one host's text sees them: references through their boundaries, also checked for the IAM grant. */
  private boundCertificate(c: CertificateSettings, host: HardenedHost): CertificateSettings {
    const bound = (value: string, boundary: Boundary, prop: string) => {
      host.checkAtPlan(value, boundary, `${prop} (of ${this.node.path})`);
      return host.lateBound(value, boundary, `${prop} (of ${this.node.path})`);
    };
    switch (c.kind) {
      case 'letsencrypt':
        return { ...c, email: bound(c.email, BOUNDARIES.email, 'certificate email'), store: c.store && host.lateBound(c.store) };
      case 'ssm':
        return { ...c, certificateParameter: bound(c.certificateParameter, BOUNDARIES.ssmParameterName, 'certificateParameterName'), privateKeyParameter: bound(c.privateKeyParameter, BOUNDARIES.ssmParameterName, 'privateKeyParameterName') };
      case 'secretsmanager':
        return { ...c, secretId: bound(c.secretId, BOUNDARIES.secretId, 'secretId') };
    }
  }

  private certificateSettings(source: CertificateSource): CertificateSettings {
    if (source.kind === 'letsencrypt') {
      const o = source.options as LetsEncryptOptions;
      return { kind: 'letsencrypt', email: o.email, staging: o.staging ?? false, store: this.certificateStore?.arn };
    }
    if (source.kind === 'ssm') {
      const o = source.options as SsmCertificateOptions;
      return { kind: 'ssm', certificateParameter: o.certificateParameterName, privateKeyParameter: o.privateKeyParameterName };
    }
    return { kind: 'secretsmanager', secretId: (source.options as SecretsManagerCertificateOptions).secretId };
  }

  /**
   * The front door's role may read exactly the certificate's parameters or secret, or read and
   * write exactly the secret its Let's Encrypt certificate is kept in.
   */
  private grantCertificateAccess(props: NginxFrontDoorProps): void {
    const source = props.certificate;
    if (source.kind === 'letsencrypt') {
      const store = this.certificateStore;
      if (!store) return;
      for (const h of this.hosts) {
        if (props.certificateStoreKmsKeyArn) h.checkAtPlan(props.certificateStoreKmsKeyArn, BOUNDARIES.kmsKeyArn, `certificateStoreKmsKeyArn (of ${this.node.path})`);
        h.addToRolePolicy('keep-tls-certificate', [
          { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'], Resource: store.arn },
          ...(props.certificateStoreKmsKeyArn
            ? [{ Effect: 'Allow', Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Resource: props.certificateStoreKmsKeyArn }]
            : []),
        ]);
      }
      return;
    }
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
