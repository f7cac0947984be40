/** The props of every hardened host, and of one on a single instance. */
import { MachineImage } from './machine-image';

/** What every hardened host is, wherever it is placed (one instance or an Auto Scaling group). */
export interface HostConfigurationProps {
  /** May be a Terraform reference. @default - looked up from the (first) subnet (`data.aws_subnet`) */
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
  /** CIDRs allowed to SSH in (security group and UFW); each may be a Terraform reference. @default - none: SSH is closed, use SSM Session Manager */
  readonly adminSshCidrs?: readonly string[];
  /** Accept `0.0.0.0/0` or `::/0` in adminSshCidrs. @default false */
  readonly allowSshFromAnywhere?: boolean;
  /** EC2 key pair for the distribution's login user. @default - none */
  readonly keyPairName?: string;
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
  /** Tags for every resource that takes them. @default - Name only */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * What happens to values that look like secrets (environment names such as `DB_PASS` or
   * `DATABASE_URL`, URLs with credentials): user data and Terraform state are readable by anyone
   * who can describe the instance or read the state. `true` warns at synth, `false` refuses.
   * @default true
   */
  readonly allowSecretsInUserData?: boolean;
}

/** A hardened host on one EC2 instance. */
export interface HardenedHostProps extends HostConfigurationProps {
  /** The subnet the instance is launched in. May be a Terraform reference. */
  readonly subnetId: string;
  /** @default false */
  readonly associatePublicIpAddress?: boolean;
  /**
   * Replace the instance when user data changes. Without it, Terraform stops and starts the
   * instance and cloud-init does not run again, leaving the old configuration in place.
   * @default true
   */
  readonly userDataReplaceOnChange?: boolean;
  /** CloudWatch alarm on StatusCheckFailed_System with the EC2 recover action. @default true */
  readonly autoRecovery?: boolean;
  /**
   * Give the instance a network interface of its own resource, whose private address outlives
   * the instance: a replaced instance attaches the same interface and keeps the address, so
   * other hosts can be told it once (the monitoring host uses this for Loki).
   * @default false
   */
  readonly stablePrivateAddress?: boolean;
}

/** A hardened host on EC2 Auto Scaling: identical instances from one launch template. */
export interface HardenedHostGroupProps extends HostConfigurationProps {
  /** Subnets the group launches in, one per Availability Zone. May be a Terraform reference (a list). */
  readonly subnetIds: readonly string[];
  /** @default 1 */
  readonly minCapacity?: number;
  /** @default - minCapacity */
  readonly maxCapacity?: number;
  /** @default - minCapacity (the group starts there) */
  readonly desiredCapacity?: number;
  /** Instances get a public IPv4 address of their own (egress from a public subnet). @default false */
  readonly associatePublicIpAddress?: boolean;
  /**
   * How long a new instance may take to finish its first boot and say it is ready (the launch
   * lifecycle hook's heartbeat timeout). Until then it is out of service; past it the group
   * terminates it and an instance refresh rolls back.
   * @default 900
   */
  readonly readyTimeoutSec?: number;
}
