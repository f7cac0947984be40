/**
 * HardenedHost: one EC2 instance with the library's baseline (IMDSv2, encrypted volume, SSM,
 * standalone security-group rules mirrored into UFW, kernel tuning, chrony, journald, sshd
 * hardening, unattended upgrades). HardenedGoHost adds a Go service; NginxFrontDoor runs on one.
 */
import { gzipSync } from 'node:zlib';
import { Construct } from 'constructs';
import { statusCheckAlarm } from './alarms';
import { Connections, IConnectable } from './connections';
import { ensureCloudinitProvider } from './providers';
import { DISTROS, DistroInfo, DistroName, isDistroName } from '../model/distro';
import { BaseHostSettings, provisionBaseHost } from '../model/host';
import { InstanceShape, instanceShape } from '../model/instance-types';
import { MachineImage } from '../model/machine-image';
import { Peer, Port, PRIVATE_IPV4_RANGES } from '../model/port';
import { HostProvisioning } from '../model/provisioning';
import { PropChecks } from '../policy/errors';
import { GO_HOST_DEFAULTS, checkHostProps } from '../policy/host-checks';
import { hostReadiness } from '../policy/host-readiness';
import { ReadinessRow } from '../policy/readiness';
import {
  CloudwatchMetricAlarm, DataAwsAmi, DataAwsPartition, DataAwsRegion, DataAwsSubnet, IamInstanceProfile, IamRole,
  IamRolePolicy, IamRolePolicyAttachment, Instance, SecurityGroup,
} from '../private/aws';
import { Annotations, Lazy, Token } from '../private/cdktf';
import { DataCloudinitConfig } from '../private/cloudinit';
import { LateBoundText } from '../private/late-bound';
import { MimePart, renderMultipart } from '../render/mime';
import { UfwRule } from '../render/ufw';

/** EC2's limit on user data, counted on the raw (gzip-compressed) bytes before base64. */
export const USER_DATA_LIMIT_BYTES = 16384;

export interface HardenedHostProps {
  /** The subnet the instance is launched in. */
  readonly subnetId: string;
  /** @default - looked up from the subnet (`data.aws_subnet`) */
  readonly vpcId?: string;
  /** @default "t3.small" */
  readonly instanceType?: string;
  /** @default - the latest Canonical Ubuntu 24.04 LTS AMI for the instance type's architecture */
  readonly machineImage?: MachineImage;
  /**
   * Keep the instance when a newer AMI is published. Turn off to replace hosts onto new AMIs at
   * the next apply.
   * @default true
   */
  readonly ignoreAmiChanges?: boolean;
  /** CIDRs allowed to SSH in (security group and UFW). @default - none: SSH is closed, use SSM Session Manager */
  readonly adminSshCidrs?: readonly string[];
  /** Accept `0.0.0.0/0` or `::/0` in adminSshCidrs. @default false */
  readonly allowSshFromAnywhere?: boolean;
  /** EC2 key pair for the distribution's login user. @default - none */
  readonly keyPairName?: string;
  /** @default false */
  readonly associatePublicIpAddress?: boolean;
  /**
   * Allow every outbound connection. When off, only HTTP and HTTPS go out (packages, ACME,
   * the artifact); open more with `connections.allowTo(...)`.
   * @default false
   */
  readonly allowAllOutbound?: boolean;
  /** Size of the encrypted gp3 root volume. @default 20 */
  readonly rootVolumeSizeGiB?: number;
  /** KMS key for the root volume. @default - the account's default EBS key (aws/ebs) */
  readonly rootVolumeKmsKeyId?: string;
  /** One-minute CloudWatch metrics (billed). @default true */
  readonly detailedMonitoring?: boolean;
  /** IMDSv2 hop limit; 2 only if containers on the host need the metadata service. @default 1 */
  readonly metadataHopLimit?: number;
  /**
   * Replace the instance when user data changes. Without it, Terraform stops and starts the
   * instance and cloud-init does not run again, leaving the old configuration in place.
   * @default true
   */
  readonly userDataReplaceOnChange?: boolean;
  /** `net.core.somaxconn` and `tcp_max_syn_backlog`; nginx's `backlog=` uses the same. @default 65535 */
  readonly somaxconn?: number;
  /** First port of `ip_local_port_range`; must be above every listening port. @default 10240 */
  readonly ephemeralPortRangeStart?: number;
  /** @default 65535 */
  readonly ephemeralPortRangeEnd?: number;
  /** @default "bbr" */
  readonly tcpCongestionControl?: 'bbr' | 'cubic';
  /**
   * `vm.overcommit_memory=2` (ratio 80), as some checklists ask. Go's address-space reservations
   * can fail under it, so it is opt-in and warned about.
   * @default false
   */
  readonly strictOvercommit?: boolean;
  /** Extra or replaced sysctl keys. @default - none */
  readonly sysctlOverrides?: Readonly<Record<string, string | number>>;
  /** journald `SystemMaxUse=`. @default "1G" */
  readonly journalSystemMaxUse?: string;
  /** NTP servers for chrony. @default ["169.254.169.123"] (Amazon Time Sync Service) */
  readonly ntpServers?: readonly string[];
  /** CloudWatch alarm on StatusCheckFailed_System with the EC2 recover action. @default true */
  readonly autoRecovery?: boolean;
  /** Tags for every resource that takes them. @default - Name only */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What a subclass tells the base host about itself. */
export interface HostKind {
  /** Short name: resource name prefixes, tags, the connections' peer name. */
  readonly name: string;
  /** Ports this host's own services listen on (checked against the ephemeral port range). */
  readonly listenPorts?: ReadonlyMap<number, string>;
  /** Checks of the subclass's own props, reported together with the host's. */
  readonly checkProps?: (checks: PropChecks, warnings: string[]) => void;
}

export class HardenedHost extends Construct implements IConnectable {
  public readonly connections: Connections;
  public readonly instance: Instance;
  public readonly securityGroup: SecurityGroup;
  public readonly role: IamRole;
  public readonly distro: DistroInfo;
  /** The host's short name (the Go host's service name). */
  public readonly hostName: string;
  /** Append-only contributions of other constructs (files, packages, script steps) to this host's user data. */
  public readonly userData = new HostProvisioning();
  /** Private IPv4 address (a Terraform reference). */
  public readonly privateIp: string;
  /** The EC2 recover alarm (when autoRecovery is on). */
  public readonly recoverAlarm?: CloudwatchMetricAlarm;
  /** vCPUs, memory and architecture of the instance type, when the library knows it. */
  protected readonly shape: InstanceShape | undefined;
  protected readonly partition: DataAwsPartition;
  protected readonly region: DataAwsRegion;

  private readonly hostProps: HardenedHostProps;
  private readonly extraReadiness: ReadinessRow[] = [];
  private readonly late = new LateBoundText();
  private policyCount = 0;
  private readonly producers: Array<() => HostProvisioning> = [];

  constructor(scope: Construct, id: string, props: HardenedHostProps, kind: HostKind) {
    super(scope, id);
    const checks = new PropChecks();
    const warnings: string[] = [];
    kind.checkProps?.(checks, warnings);
    checkHostProps(props, (v) => Token.isUnresolved(v), kind.listenPorts ?? new Map(), checks, warnings);
    checks.throwIfAny(this.node.path);
    warnings.forEach((w) => Annotations.of(this).addWarning(w));

    this.hostProps = props;
    this.hostName = kind.name;
    const image = props.machineImage ?? MachineImage.ubuntu2404();
    this.distro = DISTROS[isDistroName(image.distro) ? image.distro : ('ubuntu-24.04' as DistroName)];
    const instanceType = props.instanceType ?? GO_HOST_DEFAULTS.instanceType;
    this.shape = Token.isUnresolved(instanceType) ? undefined : instanceShape(instanceType);
    ensureCloudinitProvider(this);
    const tags = { ...props.tags, Name: this.node.path.replace(/\//g, '-'), 'gohost:host': kind.name };

    this.partition = new DataAwsPartition(this, 'Partition');
    this.region = new DataAwsRegion(this, 'Region');
    const vpcId = props.vpcId ?? new DataAwsSubnet(this, 'Subnet', { id: props.subnetId }).vpcId;

    // Network: one group, standalone described rules only (inline rules fight standalone ones).
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${kind.name}-`,
      description: `cdktf-gohost ${kind.name}: rules are standalone resources`,
      vpcId,
      tags,
      lifecycle: { createBeforeDestroy: true },
    });
    // Peers are named by construct path below the stack: unique even when hosts share a service name.
    this.connections = new Connections(this, this.securityGroup.id, this.node.path.split('/').slice(1).join('-'));
    // Terraform removes AWS's default allow-all egress; without these apt, ACME and the artifact fail.
    for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
      if (props.allowAllOutbound) {
        this.connections.allowTo(peer, Port.tcpRange(0, 65535), 'all TCP out (allowAllOutbound)');
        this.connections.allowTo(peer, Port.udpRange(0, 65535), 'all UDP out (allowAllOutbound)');
      } else {
        this.connections.allowTo(peer, Port.HTTP, 'HTTP out (package mirrors)');
        this.connections.allowTo(peer, Port.HTTPS, 'HTTPS out (packages, artifact, ACME)');
      }
    }
    for (const cidr of props.adminSshCidrs ?? []) {
      this.connections.allowFrom(Peer.cidr(cidr), Port.SSH, 'SSH from admin CIDR');
    }

    // Identity: SSM for access; constructs add exactly the grants they need.
    this.role = new IamRole(this, 'Role', {
      namePrefix: `${kind.name}-`,
      description: `cdktf-gohost ${kind.name} instance role`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    });
    new IamRolePolicyAttachment(this, 'SsmCore', {
      role: this.role.name,
      policyArn: `arn:${this.partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    });
    const profile = new IamInstanceProfile(this, 'InstanceProfile', { namePrefix: `${kind.name}-`, role: this.role.name, tags });

    // User data: gzip + base64 through the cloudinit provider, rendered lazily so constructs
    // added later (front door, observability) still contribute.
    const userData = new DataCloudinitConfig(this, 'UserData', {
      gzip: true,
      base64Encode: true,
      part: [0, 1].map((i) => ({
        contentType: i === 0 ? 'text/cloud-config' : 'text/x-shellscript',
        filename: i === 0 ? 'cloud-config.yaml' : 'gohost-bootstrap.sh',
        content: Lazy.stringValue({ produce: () => this.late.finish(this.renderParts()[i].content) }),
      })),
    });

    const ami = image.amiId
      ? image.amiId
      : new DataAwsAmi(this, 'Ami', {
          mostRecent: true,
          owners: [this.distro.amiOwner],
          filter: [
            { name: 'name', values: [this.distro.amiNamePattern.replace('{arch}', this.shape?.arch === 'arm64' ? 'arm64' : 'amd64')] },
            { name: 'state', values: ['available'] },
            { name: 'virtualization-type', values: ['hvm'] },
          ],
        }).id;

    this.instance = new Instance(this, 'Instance', {
      ami,
      instanceType,
      subnetId: props.subnetId,
      vpcSecurityGroupIds: [this.securityGroup.id],
      iamInstanceProfile: profile.name,
      keyName: props.keyPairName,
      associatePublicIpAddress: props.associatePublicIpAddress ?? false,
      monitoring: props.detailedMonitoring ?? true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: props.metadataHopLimit ?? GO_HOST_DEFAULTS.metadataHopLimit,
        instanceMetadataTags: 'disabled',
      },
      rootBlockDevice: {
        volumeType: 'gp3',
        volumeSize: props.rootVolumeSizeGiB ?? GO_HOST_DEFAULTS.rootVolumeSizeGiB,
        encrypted: true,
        kmsKeyId: props.rootVolumeKmsKeyId,
        deleteOnTermination: true,
      },
      userDataBase64: userData.rendered,
      userDataReplaceOnChange: props.userDataReplaceOnChange ?? true,
      tags,
      volumeTags: tags,
      lifecycle: props.ignoreAmiChanges === false ? undefined : { ignoreChanges: ['ami'] },
    });
    this.privateIp = this.instance.privateIp;

    if (props.autoRecovery ?? true) {
      this.recoverAlarm = statusCheckAlarm(this, 'RecoverAlarm', {
        alarmName: `${tags.Name}-system-status-recover`,
        description: `Recover ${this.node.path} when the EC2 system status check fails`,
        instanceId: this.instance.id,
        metricName: 'StatusCheckFailed_System',
        actions: [`${this.arnPrefix}:automate:${this.region.name}:ec2:recover`],
        evaluationPeriods: 2,
        tags,
      });
    }

    this.node.addValidation({ validate: () => this.validateLate() });
  }

  /** Grants the instance role exactly these statements (one inline policy per call). */
  public addToRolePolicy(name: string, statements: ReadonlyArray<Record<string, unknown>>): void {
    new IamRolePolicy(this, `Policy${this.policyCount++ === 0 ? '' : this.policyCount}`, {
      role: this.role.id,
      name,
      policy: JSON.stringify({ Version: '2012-10-17', Statement: statements }),
    });
  }

  /** `arn:<partition>:` for ARNs built by constructs. */
  public get arnPrefix(): string {
    return `arn:${this.partition.partition}`;
  }

  /** The AWS region name (a Terraform reference). */
  public get regionName(): string {
    return this.region.name;
  }

  /**
   * A value for text that goes into this host's user data: itself, or a placeholder that is
   * swapped back for the Terraform reference after the text is rendered and escaped.
   */
  public lateBound(value: string): string {
    return this.late.ref(value);
  }

  /** Another construct's readiness rows for this host (front door, observability). */
  public addReadiness(...rows: ReadinessRow[]): void {
    this.extraReadiness.push(...rows);
  }

  /** The host-level settings, with every default applied. */
  public get baseSettings(): BaseHostSettings {
    const p = this.hostProps;
    const d = GO_HOST_DEFAULTS;
    return {
      distro: this.distro,
      somaxconn: p.somaxconn ?? d.somaxconn,
      ephemeralPortRange: [p.ephemeralPortRangeStart ?? d.ephemeralPortRangeStart, p.ephemeralPortRangeEnd ?? d.ephemeralPortRangeEnd],
      tcpCongestionControl: p.tcpCongestionControl ?? 'bbr',
      strictOvercommit: p.strictOvercommit ?? false,
      sysctlOverrides: p.sysctlOverrides ?? {},
      journalSystemMaxUse: p.journalSystemMaxUse ?? d.journalSystemMaxUse,
      ufwRules: this.ufwRules(),
      ntpServers: p.ntpServers ?? [...d.ntpServers],
    };
  }

  /**
   * A contribution rendered at synthesis, for constructs whose share depends on things added
   * later (the monitoring host's scrape targets).
   */
  public addProvisioning(producer: () => HostProvisioning): void {
    this.producers.push(producer);
  }

  /** Everything this host gets at first boot: its own provisioning plus what others added. */
  public provisioning(): HostProvisioning {
    const all = this.ownProvisioning();
    all.merge(this.userData);
    for (const produce of this.producers) all.merge(produce());
    return all;
  }

  /** The two user-data parts, in order, as the cloudinit data source receives them (late-bound values as placeholders). */
  public renderParts(): MimePart[] {
    const p = this.provisioning();
    return [
      { contentType: 'text/cloud-config', filename: 'cloud-config.yaml', content: p.renderCloudConfig() },
      {
        contentType: 'text/x-shellscript',
        filename: 'gohost-bootstrap.sh',
        content: p.renderScript([
          `First-boot provisioning of ${this.node.path} (cdktf-gohost).`,
          'Runs once, after cloud-config has written files and installed packages.',
        ]),
      },
    ];
  }

  /** Size of the user data EC2 receives: the provider's MIME document, gzip-compressed. */
  public userDataGzipBytes(): number {
    return gzipSync(renderMultipart(this.renderParts())).length;
  }

  /** One row per checklist ID: how this host covers it. */
  public readiness(): ReadinessRow[] {
    const byId = new Map<string, ReadinessRow>();
    for (const row of [...this.ownReadiness(), ...this.extraReadiness]) byId.set(row.id, row);
    return [...byId.values()];
  }

  protected ownProvisioning(): HostProvisioning {
    return provisionBaseHost(this.baseSettings);
  }

  protected get hostFacts() {
    const p = this.hostProps;
    return {
      sshCidrs: p.adminSshCidrs ?? [],
      imdsHopLimit: p.metadataHopLimit ?? GO_HOST_DEFAULTS.metadataHopLimit,
      autoRecovery: p.autoRecovery ?? true,
      publicIp: p.associatePublicIpAddress ?? false,
    };
  }

  protected ownReadiness(): ReadinessRow[] {
    return hostReadiness({ settings: this.baseSettings, ...this.hostFacts });
  }

  /** UFW admits what the security group admits. UFW cannot see security groups: a group peer becomes the private ranges, narrowed by the group itself. */
  private ufwRules(): UfwRule[] {
    // One UFW rule per port and source: two groups admitted on one port are the same private ranges to UFW.
    const rules = new Map<string, UfwRule>();
    for (const r of this.connections.ingressRules) {
      const source = r.peer.cidrIpv4 ?? r.peer.cidrIpv6;
      const froms: string[] = source !== undefined ? [this.late.ref(source)] : [...PRIVATE_IPV4_RANGES];
      for (const from of froms) {
        const key = `${r.port}|${from}`;
        const seen = rules.get(key);
        rules.set(key, { port: r.port, from, comment: seen ? `${seen.comment} and ${r.description}` : r.description });
      }
    }
    return [...rules.values()];
  }

  /** Checks that only make sense once every construct has contributed. */
  private validateLate(): string[] {
    const errors: string[] = [];
    const [from, to] = this.baseSettings.ephemeralPortRange;
    for (const r of this.connections.ingressRules) {
      if (r.port.fromPort <= to && r.port.toPort >= from) {
        errors.push(`ephemeralPortRangeStart = "${from}-${to}": overlaps ingress port ${r.port} (${r.description}). Fix: start the range above ${r.port.toPort}.`);
      }
    }
    const bytes = this.userDataGzipBytes();
    if (bytes > USER_DATA_LIMIT_BYTES) {
      errors.push(`user data = ${bytes} bytes gzipped: over EC2's ${USER_DATA_LIMIT_BYTES}-byte limit. Fix: move large files (configFileContent, certificates) to S3 or SSM and fetch them at boot.`);
    }
    return errors;
  }
}
