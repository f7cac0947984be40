/**
 * A hardened host's launch configuration placed in a launch template and an Auto Scaling group
 * that rolls every new version with instance refresh: the one group placement HardenedGoService
 * and HardenedHostGroup share (aws-autoscaling's AutoScalingGroup taking an ec2 UserData).
 */
import { Construct } from 'constructs';
import type { HostLaunchConfiguration } from './hardened-host';
import { AutoscalingGroup, LaunchTemplate } from '../private/aws';
import { Token } from '../private/cdktf';

export interface GroupPlacement {
  readonly namePrefix: string;
  readonly description: string;
  readonly subnetIds: readonly string[];
  readonly minSize: number;
  readonly maxSize: number;
  readonly desiredCapacity?: number;
  readonly healthCheckType: 'EC2' | 'ELB';
  readonly healthCheckGracePeriodSec: number;
  /** Seconds after an instance is in service before its metrics count and the refresh moves on. */
  readonly instanceWarmupSec: number;
  readonly targetGroupArns?: readonly string[];
  /** Instances get a public IPv4 address of their own (egress from a public subnet without NAT). */
  readonly associatePublicIpAddress?: boolean;
  /**
   * A launch lifecycle hook: a new instance stays out of service until it completes the hook
   * itself; silence past the heartbeat abandons it (the group terminates it, a refresh rolls back).
   */
  readonly launchHook?: { readonly name: string; readonly heartbeatTimeoutSec: number };
  /**
   * A termination lifecycle hook: a leaving instance stays in Terminating:Wait until it completes
   * the hook itself (its service stopped) or the heartbeat ends (then it is terminated anyway).
   */
  readonly terminationHook?: { readonly name: string; readonly heartbeatTimeoutSec: number };
  readonly tags: Record<string, string>;
  /** `max_instance_lifetime` in seconds. */
  readonly maxInstanceLifetimeSec?: number;
  /** Instance refresh options beyond the library's fixed ones (100 % healthy minimum, rollback). */
  readonly refresh?: {
    readonly checkpointPercentages?: readonly number[];
    readonly checkpointDelaySec?: number;
    readonly skipMatching?: boolean;
  };
}

/** The launch template and group for `launch`, created under `scope` with the IDs LaunchTemplate and Group. */
export function placeInGroup(scope: Construct, l: HostLaunchConfiguration, p: GroupPlacement): { launchTemplate: LaunchTemplate; autoScalingGroup: AutoscalingGroup } {
  const launchTemplate = new LaunchTemplate(scope, 'LaunchTemplate', {
    namePrefix: p.namePrefix,
    description: p.description,
    imageId: l.ami,
    instanceType: l.instanceType,
    keyName: l.keyName,
    iamInstanceProfile: { name: l.instanceProfileName },
    // A public address is an interface setting: the group then takes the security group there too.
    ...(p.associatePublicIpAddress
      ? { networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: 'true', securityGroups: [l.securityGroupId], deleteOnTermination: 'true' }] }
      : { vpcSecurityGroupIds: [l.securityGroupId] }),
    metadataOptions: {
      httpEndpoint: 'enabled',
      httpTokens: 'required',
      httpPutResponseHopLimit: l.metadataHopLimit,
      instanceMetadataTags: 'disabled',
    },
    blockDeviceMappings: [{
      deviceName: l.rootDeviceName,
      ebs: { volumeType: 'gp3', volumeSize: l.rootVolume.sizeGiB, encrypted: 'true', kmsKeyId: l.rootVolume.kmsKeyId, deleteOnTermination: 'true' },
    }],
    monitoring: { enabled: l.detailedMonitoring },
    userData: l.userDataBase64,
    tagSpecifications: [
      { resourceType: 'instance', tags: l.instanceTags },
      { resourceType: 'volume', tags: p.tags },
    ],
    tags: p.tags,
    updateDefaultVersion: true,
    lifecycle: { ...(l.ignoreAmiChanges ? { ignoreChanges: ['image_id'] } : {}), precondition: l.preconditions },
  });

  const autoScalingGroup = new AutoscalingGroup(scope, 'Group', {
    namePrefix: p.namePrefix,
    minSize: p.minSize,
    maxSize: p.maxSize,
    desiredCapacity: p.desiredCapacity,
    vpcZoneIdentifier: [...p.subnetIds],
    // A concrete version, not $Latest: a new version is what starts the instance refresh.
    launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
    targetGroupArns: p.targetGroupArns ? [...p.targetGroupArns] : undefined,
    healthCheckType: p.healthCheckType,
    healthCheckGracePeriod: p.healthCheckGracePeriodSec,
    defaultInstanceWarmup: p.instanceWarmupSec,
    ...(p.launchHook || p.terminationHook
      ? {
          initialLifecycleHook: [
            ...(p.launchHook ? [{
              name: p.launchHook.name,
              lifecycleTransition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
              heartbeatTimeout: p.launchHook.heartbeatTimeoutSec,
              defaultResult: 'ABANDON',
            }] : []),
            ...(p.terminationHook ? [{
              name: p.terminationHook.name,
              lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
              heartbeatTimeout: p.terminationHook.heartbeatTimeoutSec,
              defaultResult: 'CONTINUE',
            }] : []),
          ],
        }
      : {}),
    instanceRefresh: {
      strategy: 'Rolling',
      preferences: {
        // New instances are in service before old ones leave; a failed refresh rolls back.
        minHealthyPercentage: 100,
        maxHealthyPercentage: 200,
        instanceWarmup: String(p.instanceWarmupSec),
        autoRollback: true,
        scaleInProtectedInstances: 'Refresh',
        standbyInstances: 'Terminate',
        checkpointPercentages: p.refresh?.checkpointPercentages ? [...p.refresh.checkpointPercentages] : undefined,
        checkpointDelay: p.refresh?.checkpointDelaySec !== undefined ? String(p.refresh.checkpointDelaySec) : undefined,
        skipMatching: p.refresh?.skipMatching,
      },
    },
    maxInstanceLifetime: p.maxInstanceLifetimeSec,
    enabledMetrics: ['GroupDesiredCapacity', 'GroupInServiceInstances', 'GroupPendingInstances', 'GroupTerminatingInstances', 'GroupTotalInstances'],
    tag: [{ key: 'Name', value: p.tags.Name, propagateAtLaunch: false }],
  });
  return { launchTemplate, autoScalingGroup };
}
