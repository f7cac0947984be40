/**
 * HardenedGoHost: one Go service on one EC2 instance, secure and tuned by default.
 */
import { gzipSync } from 'node:zlib';
import { Construct } from 'constructs';
import { Connections, IConnectable } from './connections';
import { ensureCloudinitProvider } from './providers';
import { DISTROS, DistroInfo, DistroName, isDistroName } from '../model/distro';
import { GoHostSettings, provisionGoHost } from '../model/go-host';
import { instanceShape } from '../model/instance-types';
import { MachineImage } from '../model/machine-image';
import { IPeer, Peer, Port, PRIVATE_IPV4_RANGES } from '../model/port';
import { HostProvisioning } from '../model/provisioning';
import { ReleaseArtifact } from '../model/release-artifact';
import { parseCpuQuotaPercent, parseSystemdBytes } from '../model/units';
import { GO_HOST_DEFAULTS, checkGoHostProps } from '../policy/go-host-checks';
import { goHostReadiness } from '../policy/go-host-readiness';
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

export interface HardenedGoHostProps {
  /**
   * Name of the service: the systemd unit, the Linux user and the directories are named after it.
   * 2–32 lower-case letters, digits and dashes.
   */
  readonly serviceName: string;
  /** The static Go binary to run and its SHA-256; the host refuses to install anything else. */
  readonly artifact: ReleaseArtifact;
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
  /** TCP port the service listens on (given to it as `PORT` and `LISTEN_ADDR`). @default 8080 */
  readonly listenPort?: number;
  /** HTTP path that answers 2xx when the service is ready. @default "/healthz" */
  readonly healthPath?: string;
  /**
   * Extra environment for the service. Values end up in user data and Terraform state: no secrets.
   * @default - only the variables the library derives (GOMAXPROCS, GOMEMLIMIT, LISTEN_ADDR, PORT, HEALTH_PATH)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Command-line arguments for the binary. @default - none */
  readonly args?: readonly string[];
  /**
   * systemd `MemoryMax=`: the hard memory limit of the service (`1536M`, `2G`). MemoryHigh is set to
   * 95% and GOMEMLIMIT to 90% of it.
   * @default - 75% of the instance type's memory (the rest is for the OS, nginx and agents)
   */
  readonly memoryMax?: string;
  /**
   * systemd `CPUQuota=` (`150%` = one and a half CPUs). GOMAXPROCS is derived from it (rounded up).
   * @default - 90% of every vCPU of the instance type
   */
  readonly cpuQuota?: string;
  /** systemd `LimitNOFILE=` for the service. @default 65536 */
  readonly limitNofile?: number;
  /** systemd `TasksMax=` (threads and processes). @default 4096 */
  readonly tasksMax?: number;
  /** `GOGC` for the service. @default - Go's own default (100) */
  readonly gogc?: number | 'off';
  /**
   * systemd `OOMScoreAdjust=`. Lower makes the kernel kill other processes first; an OOM-immune
   * service (-1000) makes the kernel kill sshd or nginx instead, so the default is moderate.
   * @default -500
   */
  readonly oomScoreAdjust?: number;
  /** Delay before a crashed service is restarted. @default 5 */
  readonly restartSec?: number;
  /** Window for `startLimitBurst`. @default 60 */
  readonly startLimitIntervalSec?: number;
  /** Restarts allowed within the window before systemd gives up (the unit enters failed). @default 3 */
  readonly startLimitBurst?: number;
  /** Time the service gets to drain after SIGTERM before SIGKILL; at least its own drain timeout. @default 30 */
  readonly timeoutStopSec?: number;
  /**
   * systemd watchdog: the service must call `sd_notify("WATCHDOG=1")` at least every half of this.
   * @default - no watchdog (Type=simple)
   */
  readonly watchdogSec?: number;
  /**
   * Content of a configuration file delivered to `/etc/<service>/<service>.conf` (path given as
   * `CONFIG_FILE`); `systemctl reload` sends SIGHUP.
   * @default - no configuration file
   */
  readonly configFileContent?: string;
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
  /** How long first boot waits for the health path before it reports failure. @default 60 */
  readonly healthTimeoutSec?: number;
  /** Tags for every resource that takes them. @default - Name only */
  readonly tags?: Readonly<Record<string, string>>;
}

/** Resolved resource limits. */
interface Limits {
  memoryMaxBytes: number;
  cpuQuotaPercent: number;
}

export class HardenedGoHost extends Construct implements IConnectable {
  public readonly connections: Connections;
  public readonly instance: Instance;
  public readonly securityGroup: SecurityGroup;
  public readonly role: IamRole;
  public readonly distro: DistroInfo;
  public readonly serviceName: string;
  public readonly listenPort: number;
  public readonly healthPath: string;
  /** Append-only contributions of other constructs (files, packages, script steps) to this host's user data. */
  public readonly userData = new HostProvisioning();
  /** Private IPv4 address (a Terraform reference). */
  public readonly privateIp: string;

  private readonly props: HardenedGoHostProps;
  private readonly limits: Limits;
  private readonly extraReadiness: ReadinessRow[] = [];
  private readonly late = new LateBoundText();

  constructor(scope: Construct, id: string, props: HardenedGoHostProps) {
    super(scope, id);
    const result = checkGoHostProps(props, (v) => Token.isUnresolved(v));
    result.checks.throwIfAny(this.node.path);
    result.warnings.forEach((w) => Annotations.of(this).addWarning(w));

    this.props = props;
    this.serviceName = props.serviceName;
    this.listenPort = props.listenPort ?? GO_HOST_DEFAULTS.listenPort;
    this.healthPath = props.healthPath ?? GO_HOST_DEFAULTS.healthPath;
    const image = props.machineImage ?? MachineImage.ubuntu2404();
    this.distro = DISTROS[isDistroName(image.distro) ? image.distro : ('ubuntu-24.04' as DistroName)];
    const instanceType = props.instanceType ?? GO_HOST_DEFAULTS.instanceType;
    const shape = Token.isUnresolved(instanceType) ? undefined : instanceShape(instanceType);
    this.limits = {
      memoryMaxBytes: props.memoryMax
        ? parseSystemdBytes(props.memoryMax)!
        : Math.floor(shape!.memoryMiB * GO_HOST_DEFAULTS.memoryShare) * 1024 * 1024,
      cpuQuotaPercent: props.cpuQuota
        ? parseCpuQuotaPercent(props.cpuQuota)!
        : Math.round(shape!.vcpus * 100 * GO_HOST_DEFAULTS.cpuShare),
    };
    ensureCloudinitProvider(this);
    const tags = { ...props.tags, Name: this.node.path.replace(/\//g, '-'), 'gohost:service': props.serviceName };

    const partition = new DataAwsPartition(this, 'Partition');
    const region = new DataAwsRegion(this, 'Region');
    const vpcId = props.vpcId ?? new DataAwsSubnet(this, 'Subnet', { id: props.subnetId }).vpcId;

    // Network: one group, standalone described rules only (inline rules fight standalone ones).
    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${props.serviceName}-`,
      description: `cdktf-gohost ${props.serviceName}: rules are standalone resources`,
      vpcId,
      tags,
      lifecycle: { createBeforeDestroy: true },
    });
    this.connections = new Connections(this, this.securityGroup.id, props.serviceName);
    // Terraform removes AWS's default allow-all egress; without these apt, ACME and the artifact fail.
    if (props.allowAllOutbound) {
      for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
        this.connections.allowTo(peer, Port.tcpRange(0, 65535), 'all TCP out (allowAllOutbound)');
        this.connections.allowTo(peer, Port.udpRange(0, 65535), 'all UDP out (allowAllOutbound)');
      }
    } else {
      for (const peer of [Peer.anyIpv4(), Peer.anyIpv6()]) {
        this.connections.allowTo(peer, Port.HTTP, 'HTTP out (package mirrors)');
        this.connections.allowTo(peer, Port.HTTPS, 'HTTPS out (packages, artifact, ACME)');
      }
    }
    for (const cidr of props.adminSshCidrs ?? []) {
      this.connections.allowFrom(Peer.cidr(cidr), Port.SSH, 'SSH from admin CIDR');
    }

    // Identity: SSM for access, and read access to exactly one object.
    this.role = new IamRole(this, 'Role', {
      namePrefix: `${props.serviceName}-`,
      description: `cdktf-gohost ${props.serviceName} instance role`,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
      tags,
    });
    new IamRolePolicyAttachment(this, 'SsmCore', {
      role: this.role.name,
      policyArn: `arn:${partition.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore`,
    });
    const s3 = props.artifact.s3;
    if (s3) {
      new IamRolePolicy(this, 'ArtifactRead', {
        role: this.role.id,
        name: 'read-release-artifact',
        policy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:${partition.partition}:s3:::${s3.bucket}/${s3.key}` }],
        }),
      });
    }
    const profile = new IamInstanceProfile(this, 'InstanceProfile', {
      namePrefix: `${props.serviceName}-`,
      role: this.role.name,
      tags,
    });

    // User data: gzip + base64 through the cloudinit provider, rendered lazily so constructs
    // added later (front door, observability) still contribute.
    const userData = new DataCloudinitConfig(this, 'UserData', {
      gzip: true,
      base64Encode: true,
      part: [
        {
          contentType: 'text/cloud-config',
          filename: 'cloud-config.yaml',
          content: Lazy.stringValue({ produce: () => this.late.finish(this.renderParts()[0].content) }),
        },
        {
          contentType: 'text/x-shellscript',
          filename: 'gohost-bootstrap.sh',
          content: Lazy.stringValue({ produce: () => this.late.finish(this.renderParts()[1].content) }),
        },
      ],
    });

    const ami = image.amiId
      ? image.amiId
      : new DataAwsAmi(this, 'Ami', {
          mostRecent: true,
          owners: [this.distro.amiOwner],
          filter: [
            { name: 'name', values: [this.distro.amiNamePattern.replace('{arch}', shape?.arch === 'arm64' ? 'arm64' : 'amd64')] },
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
      new CloudwatchMetricAlarm(this, 'RecoverAlarm', {
        alarmName: `${props.serviceName}-system-status-recover`,
        alarmDescription: `Recover ${this.node.path} when the EC2 system status check fails`,
        namespace: 'AWS/EC2',
        metricName: 'StatusCheckFailed_System',
        dimensions: { InstanceId: this.instance.id },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 2,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        alarmActions: [`arn:${partition.partition}:automate:${region.name}:ec2:recover`],
        tags,
      });
    }

    this.node.addValidation({ validate: () => this.validateLate() });
  }

  /** Another construct's readiness rows for this host (front door, observability). */
  public addReadiness(...rows: ReadinessRow[]): void {
    this.extraReadiness.push(...rows);
  }

  /** The address the service binds: loopback unless a security-group rule admits its port. */
  public get listenAddress(): string {
    const exposed = this.connections.ingressRules.some((r) => r.port.protocol === 'tcp' && r.port.includes(this.listenPort));
    return exposed ? '0.0.0.0' : '127.0.0.1';
  }

  /** The settings the host is provisioned from, with every default applied. */
  public get settings(): GoHostSettings {
    const p = this.props;
    const d = GO_HOST_DEFAULTS;
    const l = this.late;
    const environment = Object.fromEntries(Object.entries(p.environment ?? {}).map(([k, v]) => [k, l.ref(v)]));
    const artifact = p.artifact.s3
      ? ReleaseArtifact.fromS3(
          { bucket: l.ref(p.artifact.s3.bucket), key: l.ref(p.artifact.s3.key), region: p.artifact.s3.region && l.ref(p.artifact.s3.region) },
          l.ref(p.artifact.sha256),
        )
      : ReleaseArtifact.fromUrl(l.ref(p.artifact.url), l.ref(p.artifact.sha256));
    return {
      serviceName: p.serviceName,
      distro: this.distro,
      artifact,
      listenAddress: this.listenAddress,
      listenPort: this.listenPort,
      healthPath: this.healthPath,
      environment,
      args: (p.args ?? []).map((a) => l.ref(a)),
      memoryMaxBytes: this.limits.memoryMaxBytes,
      cpuQuotaPercent: this.limits.cpuQuotaPercent,
      limitNofile: p.limitNofile ?? d.limitNofile,
      tasksMax: p.tasksMax ?? d.tasksMax,
      gogc: p.gogc,
      oomScoreAdjust: p.oomScoreAdjust ?? d.oomScoreAdjust,
      restartSec: p.restartSec ?? d.restartSec,
      startLimitIntervalSec: p.startLimitIntervalSec ?? d.startLimitIntervalSec,
      startLimitBurst: p.startLimitBurst ?? d.startLimitBurst,
      timeoutStopSec: p.timeoutStopSec ?? d.timeoutStopSec,
      watchdogSec: p.watchdogSec,
      configFileContent: p.configFileContent === undefined ? undefined : l.ref(p.configFileContent),
      somaxconn: p.somaxconn ?? d.somaxconn,
      ephemeralPortRange: [p.ephemeralPortRangeStart ?? d.ephemeralPortRangeStart, p.ephemeralPortRangeEnd ?? d.ephemeralPortRangeEnd],
      tcpCongestionControl: p.tcpCongestionControl ?? 'bbr',
      strictOvercommit: p.strictOvercommit ?? false,
      sysctlOverrides: p.sysctlOverrides ?? {},
      journalSystemMaxUse: p.journalSystemMaxUse ?? d.journalSystemMaxUse,
      ufwRules: this.ufwRules(),
      ntpServers: p.ntpServers ?? [...d.ntpServers],
      healthTimeoutSec: p.healthTimeoutSec ?? d.healthTimeoutSec,
    };
  }

  /** Everything this host gets at first boot: its own provisioning plus what others added. */
  public provisioning(): HostProvisioning {
    const all = provisionGoHost(this.settings);
    all.merge(this.userData);
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

  public readiness(): ReadinessRow[] {
    const p = this.props;
    return [
      ...goHostReadiness({
        settings: this.settings,
        sshCidrs: p.adminSshCidrs ?? [],
        imdsHopLimit: p.metadataHopLimit ?? GO_HOST_DEFAULTS.metadataHopLimit,
        autoRecovery: p.autoRecovery ?? true,
        artifactFromS3: !!p.artifact.s3,
        publicIp: p.associatePublicIpAddress ?? false,
      }),
      ...this.extraReadiness,
    ];
  }

  /** UFW admits what the security group admits. UFW cannot see security groups: a group peer becomes the private ranges, narrowed by the group itself. */
  private ufwRules(): UfwRule[] {
    const rules: UfwRule[] = [];
    for (const r of this.connections.ingressRules) {
      const sources = r.peer.cidrIpv4 ?? r.peer.cidrIpv6;
      const froms: string[] = sources !== undefined ? [this.late.ref(sources)] : [...PRIVATE_IPV4_RANGES];
      for (const from of froms) rules.push({ port: r.port, from, comment: r.description });
    }
    return rules;
  }

  /** Checks that only make sense once every construct has contributed. */
  private validateLate(): string[] {
    const errors: string[] = [];
    const [from, to] = [this.props.ephemeralPortRangeStart ?? GO_HOST_DEFAULTS.ephemeralPortRangeStart, this.props.ephemeralPortRangeEnd ?? GO_HOST_DEFAULTS.ephemeralPortRangeEnd];
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

export type { IPeer };
