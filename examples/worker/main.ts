/**
 * A background worker group: a queue consumer with no HTTP port (`worker: true`) across the
 * private subnets. It reports READY and pings the systemd watchdog (examples/app's worker mode
 * shows how, with the standard library); the group has no load balancer, scales on the backlog
 * per instance the worker publishes and on a schedule, and a leaving instance lets its job finish
 * (the termination lifecycle hook) before it goes.
 * `cdktf deploy worker --var 'private_subnet_ids=["subnet-…","subnet-…"]'`
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { SqsQueue } from '@cdktf/provider-aws/lib/sqs-queue';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { HardenedGoService, ReleaseArtifact } from '../../lib';

export const WORKER_RELEASE_SHA256 = '5f0c9a7e3b1d4c2a8e6f0b9d7c5a3e1f2b4d6c8a0e9f7b5d3c1a2e4f6b8d0c9a';

export class WorkerStack extends TerraformStack {
  public readonly workers: HardenedGoService;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const privateSubnets = new TerraformVariable(this, 'private_subnet_ids', {
      type: 'list(string)',
      description: 'Private subnets in two or more Availability Zones (with a NAT gateway for HTTPS egress)',
    });
    const queue = new SqsQueue(this, 'Jobs', { name: 'orders-jobs', visibilityTimeoutSeconds: 300, sqsManagedSseEnabled: true });

    this.workers = new HardenedGoService(this, 'Workers', {
      serviceName: 'orders-worker',
      worker: true,
      args: ['worker'],
      subnetIds: privateSubnets.listValue,
      artifact: ReleaseArtifact.fromS3({ bucket: 'example-releases', key: 'orders-worker/v1.0.0/orders-worker' }, WORKER_RELEASE_SHA256),
      environment: { QUEUE_URL: queue.url },
      // The longest job: a leaving instance gives the worker this long after SIGTERM, and its hook waits for it.
      timeoutStopSec: 120,
      // The worker calls SQS and CloudWatch with the instance role; the role allows exactly what is granted below.
      allowInstanceMetadataAccess: true,
      minCapacity: 1,
      maxCapacity: 10,
      // Published by the worker: visible messages / running instances (AWS's recommended SQS scaling metric).
      scalingMetric: { namespace: 'OrdersWorker', metricName: 'BacklogPerInstance', dimensions: { Queue: 'orders-jobs' }, targetValue: 100 },
      schedules: {
        'weekday-mornings': { recurrence: '0 7 * * MON-FRI', timeZone: 'Europe/Berlin', minCapacity: 3 },
        'weekday-evenings': { recurrence: '0 19 * * MON-FRI', timeZone: 'Europe/Berlin', minCapacity: 1 },
      },
      // Every instance is replaced within a week: no host lives long enough to drift.
      maxInstanceLifetimeSec: 604800,
    });
    this.workers.addToRolePolicy('consume-jobs', [
      { Effect: 'Allow', Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes'], Resource: queue.arn },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'OrdersWorker' } } },
    ], 'the jobs queue and the backlog metric');

    new TerraformOutput(this, 'jobs_queue_url', { value: queue.url, description: 'Where producers send jobs' });
    new TerraformOutput(this, 'worker_group_name', { value: this.workers.autoScalingGroup.name });
  }
}
