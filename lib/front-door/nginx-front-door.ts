/**
 * NginxFrontDoor: TLS termination and reverse proxy for one or many Go hosts, either on a Go
 * host's own instance (the single-host shape) or on its own hardened instance(s).
 */
import { Construct } from 'constructs';
import { HardenedGoHost } from '../go-service/hardened-go-host';
import { HardenedGoService } from '../go-service/hardened-go-service';
import { HardenedHost, HardenedHostBase, HostConfigurationProps } from '../host/hardened-host';
import { HardenedHostGroup } from '../host/hardened-host-group';
import { claimElasticIpStep, elasticIpFile } from '../host/first-boot-signals';
import { PublicLoadBalancer } from './public-load-balancer';
import { checkConstructPath, reportInput } from '../input/report';
import { InternalLoadBalancer } from '../go-service/internal-load-balancer';
import { CertificateSource, LetsEncryptOptions, SecretsManagerCertificateOptions, SsmCertificateOptions } from './certificate-source';
import { DISTROS, DistroName, isDistroName } from '../host/distro';
import { CertificateSettings, FrontDoorSettings, NGINX, provisionFrontDoor } from './artifacts';
import { MachineImage } from '../host/machine-image';
import { Peer, Port } from '../network/port';
import { PropChecks } from '../input/prop-checks';
import { assess } from '../readiness/checklist';
import { FRONT_DOOR_ITEMS } from './readiness';
import { GO_HOST_DEFAULTS, GO_SERVICE_GROUP_DEFAULTS } from '../go-service/settings';
import { DataAwsRoute53Zone, DataAwsSubnet, Eip, EipAssociation, Route53Record, SecretsmanagerSecret } from '../private/aws';
import { StackLookups } from '../host/stack-lookups';
import { parameterResourceArn, secretResourceArn } from '../host/secret-grants';
import { Annotations, Fn, TerraformOutput, Token } from '../private/cdktf';
import { Boundary, BOUNDARIES, rememberUserTokens } from '../private/late-bound';
import { NginxFrontDoorProps } from './props';
import { FRONT_DOOR_DEFAULTS, frontDoorArtifactSettings, resolveFrontDoorSettings } from './settings';

export { FRONT_DOOR_DEFAULTS } from './settings';
export type { NginxFrontDoorProps } from './props';

export class NginxFrontDoor extends Construct {
  /** The hosts nginx runs on: instances (subnetId, host) or one Auto Scaling group (subnetIds). */
  public readonly hosts: readonly HardenedHostBase[];
  public readonly settings: FrontDoorSettings;
  /** One per front-door instance (elasticIp). */
  public readonly elasticIps: readonly Eip[] = [];
  /** The Secrets Manager secret the Let's Encrypt certificate is kept in (persistCertificate). */
  public readonly certificateStore?: SecretsmanagerSecret;
  /** The internal load balancer the front door puts its Go host upstreams behind. */
  public readonly upstreamLoadBalancer?: InternalLoadBalancer;
  /** One A record per domain name, in hostedZoneId. */
  public readonly dnsRecords: readonly Route53Record[] = [];
  /** The public Network Load Balancer in front of several front doors (subnetIds with instanceCount > 1). */
  public readonly publicLoadBalancer?: PublicLoadBalancer;

  constructor(scope: Construct, id: string, rawProps: NginxFrontDoorProps) {
    super(scope, id);
    const distroOf = (p: NginxFrontDoorProps) => {
      const image = p.host ? undefined : p.machineImage ?? MachineImage.ubuntu2404();
      return p.host?.distro ?? DISTROS[image && isDistroName(image.distro) ? image.distro : ('ubuntu-24.04' as DistroName)];
    };
    const resolved = resolveFrontDoorSettings(rawProps, { isToken: (v) => Token.isUnresolved(v), distroOf, isGoHost: (h) => h instanceof HardenedGoHost || h instanceof HardenedGoService });
    reportInput(this, resolved);
    rememberUserTokens(rawProps);
    checkConstructPath(this);
    // A front door whose subnet failed is still built on a stand-in, to check the rest of the stack.
    const placed = resolved.settings.host || resolved.settings.subnetId !== undefined || resolved.settings.subnetIds !== undefined;
    const props = placed ? resolved.settings : { ...resolved.settings, subnetId: 'subnet-00000000' };
    const image = props.host ? undefined : props.machineImage ?? MachineImage.ubuntu2404();
    const distro = distroOf(props);

    const hostName = props.hostName;
    const count = props.instanceCount;
    // Several front doors in a group: behind a public load balancer that holds the Elastic IPs.
    const balanced = props.subnetIds !== undefined && count > 1;
    // The load balancer and the group share one VPC lookup.
    const vpcId = balanced ? props.vpcId ?? new DataAwsSubnet(this, 'Subnet', { id: props.subnetIds![0] }).vpcId : props.vpcId;
    const ownHost: HostConfigurationProps & { associatePublicIpAddress?: boolean } = { vpcId, instanceType: props.instanceType, machineImage: image, associatePublicIpAddress: props.associatePublicIpAddress, adminSshCidrs: props.adminSshCidrs, keyPairName: props.keyPairName };
    if (balanced) {
      this.publicLoadBalancer = new PublicLoadBalancer(this, 'PublicLoadBalancer', {
        subnetIds: props.subnetIds!,
        vpcId: vpcId!,
        healthCheckPort: NGINX.healthCheckPort,
        healthCheckPath: NGINX.healthCheckPath,
        deregistrationDelaySec: props.deregistrationDelaySec,
        name: hostName,
      });
    }
    const lb = this.publicLoadBalancer;
    this.hosts = props.host
      ? [props.host]
      : props.subnetIds !== undefined
        // One instance replaced beside its predecessor, claiming the Elastic IP once it serves; or several behind the load balancer.
        ? [new HardenedHostGroup(this, 'Host', { ...ownHost, subnetIds: props.subnetIds, minCapacity: count },
          { name: hostName, targetGroupArns: lb?.targetGroups.map((tg) => tg.arn) })]
        : Array.from({ length: count }, (_, i) =>
            // The first instance keeps the ID "Host" so going from one to two instances replaces nothing.
            new HardenedHost(this, i === 0 ? 'Host' : `Host${i + 1}`, { ...ownHost, subnetId: props.subnetId! },
              { describe: () => ({ name: count === 1 ? hostName : `${hostName}-${i + 1}` }) }));
    // A group of one (its own, or a Go service's it runs on) claims the address once it serves.
    const claimsAddress = props.elasticIp && (props.subnetIds !== undefined && !balanced || props.host instanceof HardenedGoService);
    if (props.host instanceof HardenedGoService) this.checkGroupHost(props.host, props.elasticIp);

    const upstreams = props.upstreams ?? (props.host ? [props.host] : []);
    for (const nginxHost of this.hosts) {
      // N17: 80 and 443 from anywhere, over IPv4 and IPv6 — nothing else; behind the load balancer, from it alone.
      if (lb) {
        lb.admit(nginxHost);
        continue;
      }
      for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
        nginxHost.connections.allowFrom(peer, Port.HTTP, 'HTTP (ACME and redirect)');
        nginxHost.connections.allowFrom(peer, Port.HTTPS, 'HTTPS');
        if (props.http3) nginxHost.connections.allowFrom(peer, Port.HTTPS_UDP, 'HTTP/3 (QUIC)');
      }
    }
    const keepaliveTime = props.upstreamKeepaliveTimeSec;
    this.checkUpstreams(upstreams, keepaliveTime, props.vpcId ?? props.host?.vpcId);

    // Every backend on another instance is reached through a load balancer: a stable address.
    const remoteHosts = upstreams.filter((u): u is HardenedGoHost & { listenPort: number; healthPath: string } => u instanceof HardenedGoHost && u !== props.host && !u.worker);
    if (remoteHosts.length > 0) {
      const first = remoteHosts[0];
      this.upstreamLoadBalancer = new InternalLoadBalancer(this, 'Upstream', {
        subnetIds: [...new Set(remoteHosts.map((h) => h.subnetId))],
        vpcId: first.vpcId,
        port: first.listenPort,
        healthPath: first.healthPath,
        // Covers every host's graceful stop and outlasts nginx's keep-alive connections to it.
        deregistrationDelaySec: Math.max(keepaliveTime, ...remoteHosts.map((h) => h.settings.timeoutStopSec)) + GO_SERVICE_GROUP_DEFAULTS.deregistrationMarginSec,
        targets: remoteHosts,
        name: first.serviceName,
      });
      remoteHosts.forEach((h, i) => this.upstreamLoadBalancer!.attachInstance(`Target${i + 1}`, h.instance.id));
    }
    const balancers = [
      ...upstreams.flatMap((u) => (u instanceof HardenedGoService && u !== props.host && u.loadBalancer ? [u.loadBalancer] : [])),
      ...(this.upstreamLoadBalancer ? [this.upstreamLoadBalancer] : []),
    ];
    for (const nginxHost of this.hosts) {
      for (const lb of balancers) lb.connections.allowFrom(nginxHost, Port.tcp(lb.port), `app port from ${nginxHost.hostName}`);
    }

    if (props.certificate.kind === 'letsencrypt' && props.persistCertificate) {
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
    const nofile = first instanceof HardenedGoHost || first instanceof HardenedGoService ? first.settings.limitNofile : GO_HOST_DEFAULTS.limitNofile;
    const goBackend = upstreams.find((u): u is HardenedGoHost | HardenedGoService => typeof u !== 'string');
    const settingsFor = (nginxHost: HardenedHostBase): FrontDoorSettings => nginxHost.bindReferences(frontDoorArtifactSettings(props, {
      certificate: this.boundCertificate(certificate, nginxHost),
      upstreams: [
        ...upstreams.flatMap((u) =>
          typeof u === 'string' ? [nginxHost.lateBound(u, BOUNDARIES.hostPort, `upstreams (of ${this.node.path})`)]
            : u === nginxHost ? (u.worker ? [] : [`127.0.0.1:${u.listenPort}`])
              : u instanceof HardenedGoService && u.loadBalancer ? [u.loadBalancer.address]
                : []),
        ...(this.upstreamLoadBalancer ? [this.upstreamLoadBalancer.address] : []),
      ],
      upstreamKeepaliveTimeSec: keepaliveTime,
      backlog: nginxHost.baseSettings.somaxconn,
      workerRlimitNofile: nofile,
      nginxVersion: distro.nginxVersion,
      healthPath: goBackend?.healthPath ?? '/',
      isToken: (v) => Token.isUnresolved(v),
      bind: (value, boundary, prop) => nginxHost.lateBound(value, BOUNDARIES[boundary], prop),
      path: this.node.path,
      publicAddress: lb ? 'load-balancer' : !props.elasticIp ? 'none' : claimsAddress ? 'claimed-when-healthy' : 'associated-by-terraform',
      behindLoadBalancer: lb && { trustedCidrs: lb.nodeCidrs },
    }));
    for (const nginxHost of this.hosts) {
      const s = settingsFor(nginxHost);
      nginxHost.userData.merge(provisionFrontDoor(s));
      nginxHost.addReadiness(...assess(FRONT_DOOR_ITEMS, s));
    }
    this.settings = settingsFor(first);
    for (const nginxHost of this.hosts) {
      nginxHost.attachFrontDoor({ path: this.node.path, domainName: this.settings.domainNames[0], healthPath: this.settings.healthPath });
    }

    // The front door's address outlives its instances: DNS points at the Elastic IP(s).
    if (lb) {
      this.elasticIps = lb.elasticIps;
    } else if (props.elasticIp) {
      this.elasticIps = this.hosts.map((h, i) => {
        const suffix = i === 0 ? '' : `${i + 1}`;
        const eip = new Eip(this, `ElasticIp${suffix}`, { domain: 'vpc', tags: { Name: `${this.node.path.replace(/\//g, '-')}${suffix}` } });
        if (claimsAddress) this.claimWhenHealthy(h, eip);
        else {
          new EipAssociation(this, `ElasticIpAssociation${suffix}`, { allocationId: eip.allocationId, instanceId: (h as HardenedHost).instance.id });
          if (props.host) Annotations.of(this).addWarning(`elasticIp: Terraform moves the Elastic IP to a replacement of ${props.host.node.path} (every release) as soon as it is running, minutes before it serves: the site is down for a boot. `
            + 'For an address that moves only to a healthy successor, place the service as a HardenedGoService with minCapacity 1 and internalLoadBalancer: false, and pass it as host.');
        }
        return eip;
      });
    }
    this.dnsRecords = this.addDnsRecords(props.domainNames, props.hostedZoneId, props.dnsRecordTtlSec);
  }

  /**
   * An A record per name at the public address, each checked at plan to be in the zone; without a
   * zone, an output lists the records to create.
   */
  private addDnsRecords(domainNames: readonly string[], zoneId: string | undefined, ttlSec: number): Route53Record[] {
    if (zoneId === undefined) {
      new TerraformOutput(this, 'dns-records', {
        description: `The DNS records ${this.node.path} needs (no hostedZoneId given): create them where your zone is`,
        value: domainNames.map((name) => ({ name, type: 'A', value: this.publicLoadBalancer ? this.publicIps : this.publicIp })),
      });
      return [];
    }
    const zone = new DataAwsRoute53Zone(this, 'HostedZone', { zoneId });
    const zoneName = Fn.trimsuffix(zone.name, '.');
    return domainNames.map((name, i) => new Route53Record(this, Token.isUnresolved(name) ? `DnsRecord${i}` : `DnsRecord-${name}`, {
      zoneId,
      name,
      type: 'A',
      // Behind a load balancer: an alias, which Route 53 answers with its healthy addresses.
      ...(this.publicLoadBalancer
        ? { alias: { name: this.publicLoadBalancer.loadBalancer.dnsName, zoneId: this.publicLoadBalancer.loadBalancer.zoneId, evaluateTargetHealth: true } }
        : { ttl: ttlSec, records: [this.publicIp] }),
      lifecycle: {
        precondition: [{
          condition: Fn.anytrue([Fn.contains([name], zoneName), Fn.endswith(name, Fn.join('', ['.', zoneName]))]) as unknown as string,
          errorMessage: `${this.node.path}: domainNames[${i}] is not in the hosted zone${Token.isUnresolved(zoneId) ? '' : ` ${zoneId}`} (hostedZoneId): the record would not resolve. Fix: pass the zone that holds the name, or drop hostedZoneId and create the record where the name's zone is.`,
        }],
      },
    }));
  }

  /**
   * The group's instance takes the Elastic IP itself, as the last step of a first boot that passed
   * every check. Its role may associate exactly this address, and only with the group's instances.
   */
  private claimWhenHealthy(host: HardenedHostBase, eip: Eip): void {
    host.userData.addFile(elasticIpFile(host.lateBound(eip.allocationId)));
    host.userData.addStep('publish', claimElasticIpStep());
    const account = StackLookups.of(this).accountId;
    const ec2 = `${host.arnPrefix}:ec2:${host.regionName}:${account}`;
    host._addRolePolicy('ClaimElasticIp', 'claim-elastic-ip', [
      { Effect: 'Allow', Action: 'ec2:AssociateAddress', Resource: `${ec2}:elastic-ip/${eip.allocationId}` },
      { Effect: 'Allow', Action: 'ec2:AssociateAddress', Resource: `${ec2}:instance/*`, Condition: { StringEquals: { 'aws:ResourceTag/Name': host.nameTag } } },
    ], "the front door's Elastic IP (moving it to one of the group's instances)");
  }

  /** Every public IPv4 address of the front door: its Elastic IPs (one per subnet behind a load balancer). */
  public get publicIps(): string[] {
    return this.elasticIps.length > 0 ? this.elasticIps.map((eip) => eip.publicIp) : [this.publicIp];
  }

  /** The public IPv4 address DNS should point at: the Elastic IP, or the first instance's own. */
  public get publicIp(): string {
    if (this.elasticIps.length > 0) return this.elasticIps[0].publicIp;
    // A group without an Elastic IP failed its checks: it has no address to name.
    const first = this.hosts[0];
    return first instanceof HardenedHost ? first.instance.publicIp : 'invalid: a group without an Elastic IP';
  }

  /** A Go service group nginx runs on: a group of one without a load balancer, so the Elastic IP names one healthy instance. */
  private checkGroupHost(host: HardenedGoService, elasticIp: boolean): void {
    const checks = new PropChecks();
    if (host.loadBalancer) {
      checks.fail('host', host.node.path, 'has an internal load balancer: its health check would put a new instance in service (and end the old one) before the instance claimed the Elastic IP',
        'set internalLoadBalancer: false on the service: its instance then claims the address when its first boot passed, and only then goes in service');
    }
    if (host.group.maxCapacity !== 1) {
      checks.fail('host', host.node.path, `is a group of up to ${host.group.maxCapacity} instances: one Elastic IP names one instance, so the others would serve nobody`,
        'give the service minCapacity: 1 and maxCapacity: 1, or put several front doors on their own instances (subnetIds with instanceCount) in front of it');
    }
    if (!elasticIp) {
      checks.fail('elasticIp', false, `contradicts host ${host.node.path} (a group): each replacement gets a new address of its own, so nothing stable would point at the front door`, 'drop elasticIp: false');
    }
    reportInput(this, { failures: checks.all });
  }

  private checkUpstreams(upstreams: NonNullable<NginxFrontDoorProps['upstreams']>, keepaliveTimeSec: number, vpcId: string | undefined): void {
    const checks = new PropChecks();
    const known = (v: unknown): v is string | number => v !== undefined && !Token.isUnresolved(v);
    if (!(Number.isInteger(keepaliveTimeSec) && keepaliveTimeSec >= 1)) {
      checks.fail('upstreamKeepaliveTimeSec', keepaliveTimeSec, 'must be a whole number of seconds ≥ 1', `use e.g. ${FRONT_DOOR_DEFAULTS.upstreamKeepaliveTimeSec}`);
    }
    upstreams.forEach((u, i) => {
      if (typeof u !== 'string' && u.worker) {
        checks.fail(`upstreams[${i}]`, u.node.path, 'is a worker (worker: true): it has no HTTP port to proxy to', 'proxy to a service with a listenPort, and let the worker take its jobs from a queue');
        return;
      }
      if (!(u instanceof HardenedGoService) || u === this.hosts[0]) return;
      if (!u.loadBalancer) {
        checks.fail(`upstreams[${i}]`, u.node.path, 'has no internal load balancer (internalLoadBalancer: false): nothing stable to proxy to from another instance',
          'drop internalLoadBalancer: false on the service, or run the front door on it (host)');
        return;
      }
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
  private boundCertificate(c: CertificateSettings, host: HardenedHostBase): CertificateSettings {
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
      return { kind: 'letsencrypt', email: o.email, staging: o.staging ?? FRONT_DOOR_DEFAULTS.letsEncryptStaging, store: this.certificateStore?.arn };
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
        ], `the front door's certificate store (its TLS certificate and private key, restored by every replacement)`);
      }
      return;
    }
    const account = StackLookups.of(this).accountId;
    for (const h of this.hosts) {
      const statements: Array<Record<string, unknown>> = [];
      let kmsKeyArn: string | undefined;
      if (source.kind === 'ssm') {
        const o = source.options as SsmCertificateOptions;
        const arn = (name: string) => parameterResourceArn(name, { arnPrefix: h.arnPrefix, regionName: h.regionName, accountId: account });
        statements.push({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: [arn(o.certificateParameterName), arn(o.privateKeyParameterName)] });
        kmsKeyArn = o.kmsKeyArn;
      } else {
        const o = source.options as SecretsManagerCertificateOptions;
        const resource = secretResourceArn(o.secretId, { arnPrefix: h.arnPrefix, regionName: h.regionName, accountId: account });
        statements.push({ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: resource });
        kmsKeyArn = o.kmsKeyArn;
      }
      if (kmsKeyArn) statements.push({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: kmsKeyArn });
      h.addToRolePolicy('read-tls-certificate', statements, "the front door's TLS certificate and private key");
    }
  }
}
