/**
 * The last steps of a first boot, run only after every check passed: claiming the public address
 * and telling the Auto Scaling group the instance is ready. Each calls AWS with the instance role
 * (root, from the bootstrap) and retries while a new role's grants propagate. Pure.
 */
import { awsRoleShellFunctions } from './aws-shell';
import type { WriteFile } from '../render/cloud-config';
import type { ScriptStep } from '../render/shell';

/** Where the Elastic IP's allocation ID is written (a file: the script holds no Terraform reference). */
export const ELASTIC_IP_FILE = '/etc/gohost/elastic-ip-allocation';

/** One EC2 or Auto Scaling Query-API call: `params` are curl `--data-urlencode` arguments (bash words). */
export function queryCall(service: 'ec2' | 'autoscaling', version: string, action: string, params: readonly string[]): string {
  return `aws_curl ${service} --data 'Action=${action}&Version=${version}' ${params.map((p) => `--data-urlencode ${p}`).join(' ')} "https://${service}.$region.amazonaws.com/"`;
}

/** Runs `call` until it succeeds, for up to 5 minutes (a new role's grants take seconds to apply). */
export function retried(call: string, what: string): string[] {
  return [
    'ok=0',
    'for _ in $(seq 1 30); do',
    `  if ${call}; then ok=1; break; fi`,
    '  sleep 10',
    'done',
    `if [[ "$ok" -ne 1 ]]; then log ${JSON.stringify(`could not ${what}`)}; exit 1; fi`,
  ];
}

/** The file naming the Elastic IP to claim (`allocationId` as the host's text holds it). */
export function elasticIpFile(allocationId: string): WriteFile {
  return { path: ELASTIC_IP_FILE, content: `${allocationId}\n`, permissions: '0644' };
}

/**
 * Moves the Elastic IP named in ELASTIC_IP_FILE to this instance. AllowReassociation takes it
 * from the predecessor, which keeps serving until this moment.
 */
export function claimElasticIpStep(): ScriptStep {
  return {
    name: 'claim the public address (after every check passed)',
    lines: [
      ...awsRoleShellFunctions(),
      'instance_id=$(imds meta-data/instance-id)',
      `allocation_id=$(< ${ELASTIC_IP_FILE})`,
      ...retried(`${queryCall('ec2', '2016-11-15', 'AssociateAddress', ['"AllocationId=$allocation_id"', '"InstanceId=$instance_id"', 'AllowReassociation=true'])} >/dev/null`,
        'claim the Elastic IP'),
      'log "claimed the Elastic IP $allocation_id"',
    ],
  };
}

/** Completes the group's launch lifecycle hook `hookName`: the instance goes in service. */
export function launchReadyStep(hookName: string): ScriptStep {
  return {
    name: 'tell the Auto Scaling group this instance is ready',
    lines: [
      ...awsRoleShellFunctions(),
      'instance_id=$(imds meta-data/instance-id)',
      '# The group is not named in the user data (it is created after its launch template).',
      'group=',
      ...retried(`group=$(${queryCall('autoscaling', '2011-01-01', 'DescribeAutoScalingInstances', ['"InstanceIds.member.1=$instance_id"'])} | sed -n 's:.*<AutoScalingGroupName>\\([^<]*\\)</AutoScalingGroupName>.*:\\1:p') && [[ -n "$group" ]]`,
        'find the Auto Scaling group of this instance'),
      ...retried(`${queryCall('autoscaling', '2011-01-01', 'CompleteLifecycleAction', ['"AutoScalingGroupName=$group"', `LifecycleHookName=${hookName}`, '"InstanceId=$instance_id"', 'LifecycleActionResult=CONTINUE'])} >/dev/null`,
        'complete the launch lifecycle hook'),
      'log "ready: $group has this instance in service"',
    ],
  };
}
