// Provider classes, imported per resource so that loading the library does not load the whole
// AWS provider (thousands of generated classes).
import type * as DataAwsCallerIdentityModule from '@cdktf/provider-aws/lib/data-aws-caller-identity';
import type * as SnsTopicModule from '@cdktf/provider-aws/lib/sns-topic';
import type * as SnsTopicSubscriptionModule from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type * as LaunchTemplateModule from '@cdktf/provider-aws/lib/launch-template';
import type * as AutoscalingGroupModule from '@cdktf/provider-aws/lib/autoscaling-group';
import type * as AutoscalingPolicyModule from '@cdktf/provider-aws/lib/autoscaling-policy';
import type * as AutoscalingScheduleModule from '@cdktf/provider-aws/lib/autoscaling-schedule';
import type * as LbModule from '@cdktf/provider-aws/lib/lb';
import type * as LbTargetGroupModule from '@cdktf/provider-aws/lib/lb-target-group';
import type * as LbListenerModule from '@cdktf/provider-aws/lib/lb-listener';
import type * as LbTargetGroupAttachmentModule from '@cdktf/provider-aws/lib/lb-target-group-attachment';
import type * as EipModule from '@cdktf/provider-aws/lib/eip';
import type * as EipAssociationModule from '@cdktf/provider-aws/lib/eip-association';
import type * as SecretsmanagerSecretModule from '@cdktf/provider-aws/lib/secretsmanager-secret';
import type * as NetworkInterfaceModule from '@cdktf/provider-aws/lib/network-interface';
import type * as EbsVolumeModule from '@cdktf/provider-aws/lib/ebs-volume';
import type * as VolumeAttachmentModule from '@cdktf/provider-aws/lib/volume-attachment';
import type * as Route53RecordModule from '@cdktf/provider-aws/lib/route53-record';
import type * as DataAwsRoute53ZoneModule from '@cdktf/provider-aws/lib/data-aws-route53-zone';
export { AwsProvider } from '@cdktf/provider-aws/lib/provider';
export { Instance } from '@cdktf/provider-aws/lib/instance';
export { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
export { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
export { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
export { IamRole } from '@cdktf/provider-aws/lib/iam-role';
export { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
export { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
export { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
export { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
export { DataAwsAmi } from '@cdktf/provider-aws/lib/data-aws-ami';
export { DataAwsSubnet } from '@cdktf/provider-aws/lib/data-aws-subnet';
export { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
export { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
export { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';

// Resources only some features create (groups, load balancers, the front door's and the monitoring
// host's extras) are loaded on first use: a provider module is large, and most stacks need few.

/**
 * A stand-in for a provider class that loads the module on first use: `new`, static members and
 * `instanceof` reach the real class (so does the prototype of what it constructs).
 */
function loadOnFirstUse<T extends abstract new (...args: any[]) => unknown>(load: () => T): T {
  let real: T | undefined;
  const target = (): T => (real ??= load());
  return new Proxy(function stub() {} as unknown as T, {
    construct: (_stub, args) => Reflect.construct(target() as unknown as new (...a: unknown[]) => object, args),
    get: (_stub, prop) => Reflect.get(target(), prop),
    has: (_stub, prop) => Reflect.has(target(), prop),
    getPrototypeOf: () => Reflect.getPrototypeOf(target()),
  });
}

export const DataAwsCallerIdentity = loadOnFirstUse<typeof DataAwsCallerIdentityModule.DataAwsCallerIdentity>(() => require('@cdktf/provider-aws/lib/data-aws-caller-identity').DataAwsCallerIdentity);
export type DataAwsCallerIdentity = DataAwsCallerIdentityModule.DataAwsCallerIdentity;
export const SnsTopic = loadOnFirstUse<typeof SnsTopicModule.SnsTopic>(() => require('@cdktf/provider-aws/lib/sns-topic').SnsTopic);
export type SnsTopic = SnsTopicModule.SnsTopic;
export const SnsTopicSubscription = loadOnFirstUse<typeof SnsTopicSubscriptionModule.SnsTopicSubscription>(() => require('@cdktf/provider-aws/lib/sns-topic-subscription').SnsTopicSubscription);
export type SnsTopicSubscription = SnsTopicSubscriptionModule.SnsTopicSubscription;
export const LaunchTemplate = loadOnFirstUse<typeof LaunchTemplateModule.LaunchTemplate>(() => require('@cdktf/provider-aws/lib/launch-template').LaunchTemplate);
export type LaunchTemplate = LaunchTemplateModule.LaunchTemplate;
export const AutoscalingGroup = loadOnFirstUse<typeof AutoscalingGroupModule.AutoscalingGroup>(() => require('@cdktf/provider-aws/lib/autoscaling-group').AutoscalingGroup);
export type AutoscalingGroup = AutoscalingGroupModule.AutoscalingGroup;
export const AutoscalingPolicy = loadOnFirstUse<typeof AutoscalingPolicyModule.AutoscalingPolicy>(() => require('@cdktf/provider-aws/lib/autoscaling-policy').AutoscalingPolicy);
export type AutoscalingPolicy = AutoscalingPolicyModule.AutoscalingPolicy;
export const AutoscalingSchedule = loadOnFirstUse<typeof AutoscalingScheduleModule.AutoscalingSchedule>(() => require('@cdktf/provider-aws/lib/autoscaling-schedule').AutoscalingSchedule);
export type AutoscalingSchedule = AutoscalingScheduleModule.AutoscalingSchedule;
export const Lb = loadOnFirstUse<typeof LbModule.Lb>(() => require('@cdktf/provider-aws/lib/lb').Lb);
export type Lb = LbModule.Lb;
export const LbTargetGroup = loadOnFirstUse<typeof LbTargetGroupModule.LbTargetGroup>(() => require('@cdktf/provider-aws/lib/lb-target-group').LbTargetGroup);
export type LbTargetGroup = LbTargetGroupModule.LbTargetGroup;
export const LbListener = loadOnFirstUse<typeof LbListenerModule.LbListener>(() => require('@cdktf/provider-aws/lib/lb-listener').LbListener);
export type LbListener = LbListenerModule.LbListener;
export const LbTargetGroupAttachment = loadOnFirstUse<typeof LbTargetGroupAttachmentModule.LbTargetGroupAttachment>(() => require('@cdktf/provider-aws/lib/lb-target-group-attachment').LbTargetGroupAttachment);
export type LbTargetGroupAttachment = LbTargetGroupAttachmentModule.LbTargetGroupAttachment;
export const Eip = loadOnFirstUse<typeof EipModule.Eip>(() => require('@cdktf/provider-aws/lib/eip').Eip);
export type Eip = EipModule.Eip;
export const EipAssociation = loadOnFirstUse<typeof EipAssociationModule.EipAssociation>(() => require('@cdktf/provider-aws/lib/eip-association').EipAssociation);
export type EipAssociation = EipAssociationModule.EipAssociation;
export const SecretsmanagerSecret = loadOnFirstUse<typeof SecretsmanagerSecretModule.SecretsmanagerSecret>(() => require('@cdktf/provider-aws/lib/secretsmanager-secret').SecretsmanagerSecret);
export type SecretsmanagerSecret = SecretsmanagerSecretModule.SecretsmanagerSecret;
export const NetworkInterface = loadOnFirstUse<typeof NetworkInterfaceModule.NetworkInterface>(() => require('@cdktf/provider-aws/lib/network-interface').NetworkInterface);
export type NetworkInterface = NetworkInterfaceModule.NetworkInterface;
export const EbsVolume = loadOnFirstUse<typeof EbsVolumeModule.EbsVolume>(() => require('@cdktf/provider-aws/lib/ebs-volume').EbsVolume);
export type EbsVolume = EbsVolumeModule.EbsVolume;
export const VolumeAttachment = loadOnFirstUse<typeof VolumeAttachmentModule.VolumeAttachment>(() => require('@cdktf/provider-aws/lib/volume-attachment').VolumeAttachment);
export type VolumeAttachment = VolumeAttachmentModule.VolumeAttachment;
export const Route53Record = loadOnFirstUse<typeof Route53RecordModule.Route53Record>(() => require('@cdktf/provider-aws/lib/route53-record').Route53Record);
export type Route53Record = Route53RecordModule.Route53Record;
export const DataAwsRoute53Zone = loadOnFirstUse<typeof DataAwsRoute53ZoneModule.DataAwsRoute53Zone>(() => require('@cdktf/provider-aws/lib/data-aws-route53-zone').DataAwsRoute53Zone);
export type DataAwsRoute53Zone = DataAwsRoute53ZoneModule.DataAwsRoute53Zone;
