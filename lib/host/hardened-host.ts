/**
 * HardenedHost: one EC2 instance with the library's baseline (IMDSv2, encrypted volume, SSM,
 * standalone security-group rules mirrored into UFW, kernel tuning, chrony, journald, sshd
 * hardening, unattended upgrades). HardenedGoHost adds a Go service; NginxFrontDoor runs on one.
 */
import { Construct } from 'constructs';
import { statusCheckAlarm } from './alarms';
import { HardenedHostBase } from './hardened-host-base';
import type { HostSpec, HostKind } from './host-spec';
import { HardenedHostProps } from './props';
import { HostSettings } from './settings';
import { CloudwatchMetricAlarm, Instance, NetworkInterface } from '../private/aws';

export type { HardenedHostProps, HostConfigurationProps } from './props';
export { HardenedHostBase } from './hardened-host-base';
export type { FrontDoorOnHost, HostKind, HostLaunchConfiguration, HostSpec, RoleGrant } from './host-spec';
export { SESSION_MANAGER_STATEMENTS } from './host-spec';
export { USER_DATA_LIMIT_BYTES, gzipBoundBytes } from './user-data-size';

/** The instance-specific part of a host spec: its checks and name (placement facts come from HardenedHostProps). */
export interface InstanceHostSpec<P extends HardenedHostProps> extends Omit<HostSpec<P>, 'describe'> {
  readonly describe: (props: P) => Pick<HostKind, 'name' | 'listenPorts'>;
}

/** A plain host's short name: its construct ID in lower case, for name prefixes and tags. */
function hostNameFromId(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'host';
}

/** Stand-in for a subnet ID that failed its checks (the stack then does not synthesize). */
const PLACEHOLDER_SUBNET_ID = 'subnet-00000000';

/** A hardened host on one EC2 instance (`aws_instance`), with the EC2 recover alarm. */
export class HardenedHost extends HardenedHostBase {
  public readonly instance: Instance;
  /** Private IPv4 address (a Terraform reference). Changes when the instance is replaced, unless stablePrivateAddress is on. */
  public readonly privateIp: string;
  /** The network interface whose address outlives the instance (stablePrivateAddress). */
  public readonly networkInterface?: NetworkInterface;
  /** The EC2 recover alarm (when autoRecovery is on). */
  public readonly recoverAlarm?: CloudwatchMetricAlarm;
  /** The subnet the instance runs in. */
  public readonly subnetId: string;
  private interfaceAddress?: string;

  /**
   * @param spec how a subclass describes itself (library constructs only); a plain host is named
   *   after its construct ID.
   */
  constructor(scope: Construct, id: string, rawProps: HardenedHostProps, spec: InstanceHostSpec<any> = { describe: () => ({ name: hostNameFromId(id) }) }) {
    super(scope, id, rawProps, {
      ...spec,
      placeholders: { subnetId: PLACEHOLDER_SUBNET_ID, ...spec.placeholders },
      checkProps: (p: HostSettings<HardenedHostProps>, c, w) => {
        if (p.subnetId === undefined || p.subnetId === null) c.fail('subnetId', p.subnetId, 'is required', 'pass the ID of the subnet the instance runs in, e.g. "subnet-0123456789abcdef0"');
        spec.checkProps?.(p, c, w);
      },
      describe: (p: HostSettings<HardenedHostProps>) => ({
        ...spec.describe(p),
        subnetIdForVpc: p.subnetId,
        autoRecovery: p.autoRecovery,
        publicIp: p.associatePublicIpAddress,
      }),
    });
    const props = this.validProps as HostSettings<HardenedHostProps>;
    const l = this.launch;
    this.subnetId = props.subnetId;
    if (props.stablePrivateAddress) {
      this.networkInterface = new NetworkInterface(this, 'NetworkInterface', {
        subnetId: props.subnetId,
        securityGroups: [l.securityGroupId],
        description: `cdktf-gohost ${this.hostName}: a private address that outlives the instance`,
        tags: this.tags,
      });
    }
    const eni = this.networkInterface;

    this.instance = new Instance(this, 'Instance', {
      ami: l.ami,
      instanceType: l.instanceType,
      ...(eni
        ? { networkInterface: [{ deviceIndex: 0, networkInterfaceId: eni.id }] }
        : { subnetId: props.subnetId, vpcSecurityGroupIds: [l.securityGroupId], associatePublicIpAddress: props.associatePublicIpAddress }),
      iamInstanceProfile: l.instanceProfileName,
      keyName: l.keyName,
      monitoring: l.detailedMonitoring,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: l.metadataHopLimit,
        instanceMetadataTags: 'disabled',
      },
      rootBlockDevice: {
        volumeType: 'gp3',
        volumeSize: l.rootVolume.sizeGiB,
        encrypted: true,
        kmsKeyId: l.rootVolume.kmsKeyId,
        deleteOnTermination: true,
      },
      userDataBase64: l.userDataBase64,
      userDataReplaceOnChange: props.userDataReplaceOnChange,
      tags: l.instanceTags,
      volumeTags: this.tags,
      lifecycle: {
        // The successor boots before the old instance goes (an Elastic IP then moves over); an
        // instance holding a stable network interface cannot overlap with its successor.
        createBeforeDestroy: !eni,
        ...(l.ignoreAmiChanges ? { ignoreChanges: ['ami'] } : {}),
        precondition: l.preconditions,
      },
    });
    this.privateIp = eni ? eni.privateIp : this.instance.privateIp;

    if (props.autoRecovery) {
      this.recoverAlarm = statusCheckAlarm(this, 'RecoverAlarm', {
        alarmName: `${this.tags.Name}-system-status-recover`,
        description: `Recover ${this.node.path} when the EC2 system status check fails`,
        instanceId: this.instance.id,
        metricName: 'StatusCheckFailed_System',
        actions: [`${this.arnPrefix}:automate:${this.regionName}:ec2:recover`],
        evaluationPeriods: 2,
        tags: this.tags,
      });
    }
  }

  /** A host with a network interface of its own is its one address (it outlives the instance); any other, its VPC. */
  protected peerAddresses(): readonly string[] {
    if (!this.networkInterface) return super.peerAddresses();
    // One token for every rule that names it (each attribute read would be a new one).
    this.interfaceAddress ??= `${this.networkInterface.privateIp}/32`;
    return [this.interfaceAddress];
  }
}
