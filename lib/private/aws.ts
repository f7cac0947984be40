// Provider classes, imported per resource so that loading the library does not load the whole
// AWS provider (thousands of generated classes).
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
export { DataAwsRegion } from '@cdktf/provider-aws/lib/data-aws-region';
export { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
export { DataAwsCallerIdentity } from '@cdktf/provider-aws/lib/data-aws-caller-identity';
export { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
export { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
