import { Construct } from 'constructs';
import { CloudwatchMetricAlarm } from '../private/aws';

export interface StatusCheckAlarmOptions {
  readonly alarmName: string;
  readonly description: string;
  readonly instanceId: string;
  /** `StatusCheckFailed_System` (the hardware: recover) or `StatusCheckFailed_Instance` (the OS: reboot). */
  readonly metricName: 'StatusCheckFailed_System' | 'StatusCheckFailed_Instance';
  /** `arn:<partition>:automate:<region>:ec2:recover|reboot` and any notification topics. */
  readonly actions: string[];
  readonly evaluationPeriods: number;
  readonly tags?: Record<string, string>;
}

/** An EC2 status-check alarm that acts on the instance (GUIDANCE G22, O7). */
export function statusCheckAlarm(scope: Construct, id: string, o: StatusCheckAlarmOptions): CloudwatchMetricAlarm {
  return new CloudwatchMetricAlarm(scope, id, {
    alarmName: o.alarmName,
    alarmDescription: o.description,
    namespace: 'AWS/EC2',
    metricName: o.metricName,
    dimensions: { InstanceId: o.instanceId },
    statistic: 'Maximum',
    period: 60,
    evaluationPeriods: o.evaluationPeriods,
    threshold: 1,
    comparisonOperator: 'GreaterThanOrEqualToThreshold',
    alarmActions: o.actions,
    tags: o.tags,
  });
}
