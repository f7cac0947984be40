/**
 * Day two, planned offline with the real AWS provider: each example is "deployed" into an
 * emulated state (plan, fill what AWS computes, write state, re-plan until no change), then one
 * thing changes and Terraform's plan says what it would do. Data sources that would call AWS
 * (AMI, region, partition, subnet, account) are constants in the plan copy; user data keeps its
 * references.
 */
import { TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CertificateSource, HardenedGoService, NginxFrontDoor, ReleaseArtifact, ServiceSecret } from '../../lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FleetOptions, FleetStack } from '../../examples/fleet/main';
import { SingleHostStack } from '../../examples/single-host/main';
import { DeployedStack, PlanResult } from '../helpers/deployed-state';

const fleet = (o: FleetOptions = {}) => JSON.parse(Testing.synth(new FleetStack(Testing.app(), 'fleet', { desiredCapacity: 3, ...o }), true));
const NEW_RELEASE = 'e'.repeat(64);

function action(plan: PlanResult, prefix: string): string[] {
  const hits = plan.changes.filter((c) => c.address.startsWith(prefix));
  if (hits.length !== 1) throw new Error(`expected one resource ${prefix}*, found ${hits.map((h) => h.address).join(', ') || 'none'}`);
  return [...hits[0].actions];
}
const noOp = (plan: PlanResult, prefix: string) => expect(action(plan, prefix), prefix).toEqual(['no-op']);
const destroysGoInstance = (plan: PlanResult) =>
  plan.changes.filter((c) => c.type === 'aws_instance' && c.address.includes('.Api') && c.actions.includes('delete'));

describe('fleet, deployed (emulated state, constant data sources)', () => {
  const deployed = new DeployedStack();
  let base: PlanResult;
  beforeAll(() => {
    base = deployed.deploy(fleet());
  });
  afterAll(() => deployed.cleanup());

  it('converges: the deployed stack plans no change', () => {
    expect(base.changed).toEqual([]);
    expect(base.changes.length).toBeGreaterThan(50);
  });

  it('a release (new artifact digest) changes only the launch template and the group, which rolls with instance refresh', () => {
    const plan = deployed.planChange(fleet({ artifactSha256: NEW_RELEASE }));
    expect(plan.changed).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.Api_Group_/),
      expect.stringMatching(/^aws_launch_template\.Api_LaunchTemplate_/),
    ]);
    expect(action(plan, 'aws_launch_template.Api_LaunchTemplate_')).toEqual(['update']);
    const group = plan.changes.find((c) => c.address.startsWith('aws_autoscaling_group.'))!;
    expect(group.actions).toEqual(['update']);
    // New instances are in service before old ones leave; a failed refresh rolls back.
    expect(group.after.instance_refresh[0]).toMatchObject({
      strategy: 'Rolling',
      preferences: [expect.objectContaining({ min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true })],
    });
    for (const prefix of [
      'aws_autoscaling_group.FrontDoor_Host_Group_', 'aws_launch_template.FrontDoor_Host_LaunchTemplate_', 'aws_eip.FrontDoor_ElasticIp_',
      'aws_route53_record.FrontDoor_DnsRecord-apiexamplecom_',
      'aws_secretsmanager_secret.FrontDoor_CertificateStore_', 'aws_instance.Observability_Monitoring_Instance_',
      'aws_ebs_volume.Observability_DataVolume_', 'aws_network_interface.Observability_Monitoring_NetworkInterface_', 'aws_lb.Api_LoadBalancer_',
    ]) noOp(plan, prefix);
    expect(destroysGoInstance(plan)).toEqual([]);
  });

  it('a schedule added creates its aws_autoscaling_schedule and changes nothing else', () => {
    const plan = deployed.planChange(fleet({ schedules: { 'business-hours': { recurrence: '0 7 * * MON-FRI', timeZone: 'Europe/Berlin', minCapacity: 6 } } }));
    expect(plan.changed).toEqual([expect.stringMatching(/^aws_autoscaling_schedule\.Api_Schedule-business-hours_/)]);
    expect(plan.changes.find((c) => c.type === 'aws_autoscaling_schedule')!.actions).toEqual(['create']);
  });

  it('a secret added changes the grant and rolls the group (a new launch template version), nothing else', () => {
    const plan = deployed.planChange(fleet({ moreSecrets: { stripe_key: ServiceSecret.fromSsmParameter('/orders-api/stripe-key') } }));
    expect(plan.changed).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.Api_Group_/),
      expect.stringMatching(/^aws_iam_role_policy\.Api_Policy/),
      expect.stringMatching(/^aws_launch_template\.Api_LaunchTemplate_/),
    ]);
    const policy = plan.changes.find((c) => c.type === 'aws_iam_role_policy' && c.after.name === 'read-service-secrets')!;
    expect(policy.actions).toEqual(['update']);
    expect(JSON.parse(policy.after.policy).Statement).toContainEqual({ Effect: 'Allow', Action: 'ssm:GetParameter', Resource: [expect.stringMatching(/^arn:aws:ssm:eu-west-1:\d{12}:parameter\/orders-api\/stripe-key$/)] });
    for (const prefix of ['aws_lb.Api_LoadBalancer_', 'aws_autoscaling_group.FrontDoor_Host_Group_', 'aws_instance.Observability_Monitoring_Instance_']) noOp(plan, prefix);
  });

  it('the deployed group rolls back a refresh on the unhealthy-targets alarm and holds a leaving instance with its termination hook, and its instance reads its secret with exactly that grant', () => {
    const group = base.changes.find((c) => c.address.startsWith('aws_autoscaling_group.Api_Group_'))!;
    expect(group.after.instance_refresh[0].preferences[0].alarm_specification).toEqual([{ alarms: ['fleet-Api-unhealthy-targets'] }]);
    // A leaving instance is held until its service stopped: drain (40 s) + timeoutStopSec (30 s) + the calls' margin.
    expect(group.after.initial_lifecycle_hook).toEqual([expect.objectContaining({
      name: 'gohost-terminating', lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING', default_result: 'CONTINUE', heartbeat_timeout: 130,
    })]);
    const policy = base.changes.find((c) => c.type === 'aws_iam_role_policy' && c.after.name === 'read-service-secrets')!;
    expect(JSON.parse(policy.after.policy).Statement).toEqual([
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [expect.stringMatching(/^arn:aws:secretsmanager:eu-west-1:\d{12}:secret:orders-api\/db-\?{6}$/)] },
    ]);
  });

  it('a scale-out (desired 3 → 6) changes only the group', () => {
    const plan = deployed.planChange(fleet({ desiredCapacity: 6 }));
    expect(plan.changed).toEqual([expect.stringMatching(/^aws_autoscaling_group\.Api_Group_/)]);
    const group = plan.changes.find((c) => c.address.startsWith('aws_autoscaling_group.'))!;
    expect([group.before.desired_capacity, group.after.desired_capacity]).toEqual([3, 6]);
  });

  it('a front-door-only change (a new header) rolls only the front door\'s group; no Elastic IP, association, load balancer or certificate store changes', () => {
    const plan = deployed.planChange(fleet({ responseHeaders: { 'X-Release-Channel': 'stable' } }));
    expect(plan.changed).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.FrontDoor_Host_Group_/),
      expect.stringMatching(/^aws_launch_template\.FrontDoor_Host_LaunchTemplate_/),
    ]);
    expect(action(plan, 'aws_launch_template.FrontDoor_Host_LaunchTemplate_')).toEqual(['update']);
    const group = plan.changes.find((c) => c.address.startsWith('aws_autoscaling_group.FrontDoor_Host_Group_'))!;
    expect(group.actions).toEqual(['update']);
    // The successor boots beside the old instance, which leaves only once the successor completed its launch hook.
    expect(group.after.instance_refresh[0].preferences[0]).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true });
    expect(group.after.initial_lifecycle_hook).toEqual([expect.objectContaining({ lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', default_result: 'ABANDON' })]);
    // Terraform never moves the address: the new instance claims it when healthy.
    expect(plan.changes.filter((c) => c.type === 'aws_eip_association' || c.type === 'aws_instance' && c.address.includes('FrontDoor'))).toEqual([]);
    noOp(plan, 'aws_eip.FrontDoor_ElasticIp_');
    noOp(plan, 'aws_route53_record.FrontDoor_DnsRecord-apiexamplecom_');
    noOp(plan, 'aws_secretsmanager_secret.FrontDoor_CertificateStore_');
    noOp(plan, 'aws_autoscaling_group.Api_Group_');
    noOp(plan, 'aws_lb.Api_LoadBalancer_');
  });
});

describe('single host, deployed (emulated state, constant data sources)', () => {
  const deployed = new DeployedStack();
  const single = (sha?: string) => {
    const stack = new SingleHostStack(Testing.app(), 'single-host', sha ? { artifactSha256: sha } : {});
    return JSON.parse(Testing.synth(stack, true));
  };
  beforeAll(() => {
    deployed.deploy(single());
  });
  afterAll(() => deployed.cleanup());

  it('a release rolls the group of one: the successor boots beside the running instance and claims the Elastic IP itself; Terraform moves no address and the stored certificate stays', () => {
    const plan = deployed.planChange(single(NEW_RELEASE));
    expect(plan.changed).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.Api_Group_/),
      expect.stringMatching(/^aws_launch_template\.Api_LaunchTemplate_/),
    ]);
    const group = plan.changes.find((c) => c.address.startsWith('aws_autoscaling_group.Api_Group_'))!;
    expect(group.actions).toEqual(['update']);
    expect([group.after.min_size, group.after.max_size]).toEqual([1, 1]);
    // Above 100 % the refresh launches the successor first; the hook keeps it out of service until its checks passed.
    expect(group.after.instance_refresh[0].preferences[0]).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true });
    expect(group.after.initial_lifecycle_hook).toEqual([expect.objectContaining({ lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', default_result: 'ABANDON' })]);
    expect(group.after.health_check_type).toBe('EC2');
    expect(plan.changes.filter((c) => c.type === 'aws_eip_association' || c.type === 'aws_instance' || c.type === 'aws_lb')).toEqual([]);
    noOp(plan, 'aws_eip.FrontDoor_ElasticIp_');
    noOp(plan, 'aws_secretsmanager_secret.FrontDoor_CertificateStore_');
  });
});

describe('load-balanced front doors, deployed (emulated state, constant data sources)', () => {
  const deployed = new DeployedStack();
  const edge = (responseHeaders?: Record<string, string>) => {
    const stack = new TerraformStack(Testing.app(), 'edge');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const api = new HardenedGoService(stack, 'Api', {
      serviceName: 'orders-api', subnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
      artifact: ReleaseArtifact.fromUrl('https://releases.example.com/orders-api', 'a'.repeat(64)),
    });
    new NginxFrontDoor(stack, 'FrontDoor', {
      subnetIds: ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'], instanceCount: 2, hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      upstreams: [api], domainNames: ['api.example.com'], certificate: CertificateSource.fromSecretsManager({ secretId: 'tls/api' }), responseHeaders,
    });
    return JSON.parse(Testing.synth(stack, true));
  };
  beforeAll(() => {
    deployed.deploy(edge());
  });
  afterAll(() => deployed.cleanup());

  it('every security group and target group the library creates is replaced successor first (create_before_destroy), so nothing that references one is left without it', () => {
    const replaceable = deployed.addresses().filter((a) => /^aws_(security_group|lb_target_group)\./.test(a));
    expect(replaceable.filter((a) => a.startsWith('aws_lb_target_group.')).length).toBeGreaterThanOrEqual(3);
    expect(replaceable.filter((a) => a.startsWith('aws_security_group.')).length).toBeGreaterThanOrEqual(4);
    deployed.planChange(edge());
    const plan = deployed.planReplace(replaceable);
    for (const address of replaceable) expect(action(plan, address), address).toEqual(['create', 'delete']);
  });

  it('a front-door change rolls only the front doors\' group: no load balancer, listener, target group, Elastic IP or record changes', () => {
    const plan = deployed.planChange(edge({ 'X-Release-Channel': 'stable' }));
    expect(plan.changed).toEqual([
      expect.stringMatching(/^aws_autoscaling_group\.FrontDoor_Host_Group_/),
      expect.stringMatching(/^aws_launch_template\.FrontDoor_Host_LaunchTemplate_/),
    ]);
    const group = plan.changes.find((c) => c.address.startsWith('aws_autoscaling_group.FrontDoor_Host_Group_'))!;
    expect(group.actions).toEqual(['update']);
    expect(group.after.instance_refresh[0].preferences[0]).toMatchObject({ min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true });
    const lbTypes = ['aws_lb', 'aws_lb_listener', 'aws_lb_target_group', 'aws_eip', 'aws_route53_record'];
    const edgeResources = plan.changes.filter((c) => lbTypes.includes(c.type) && c.address.includes('FrontDoor'));
    expect(edgeResources.length).toBe(8);
    expect(edgeResources.filter((c) => c.actions.join() !== 'no-op')).toEqual([]);
  });
});
