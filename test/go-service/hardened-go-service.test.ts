/**
 * HardenedGoService: the hardened host configuration in a launch template, an Auto Scaling group
 * behind an internal Network Load Balancer, instance refresh, CPU target tracking; and the bad
 * inputs refused at synth time.
 */
import { Construct } from 'constructs';
import { DataAwsVpc } from '@cdktf/provider-aws/lib/data-aws-vpc';
import { TerraformVariable } from 'cdktf';
import { describe, expect, it } from 'vitest';
import {
  CertificateSource, HardenedGoHost, HardenedGoService, HardenedGoServiceProps, MachineImage, NginxFrontDoor,
  ObservabilityStack, Peer, Port,
} from '../../lib';
import { ReportedInput, validationError } from '../helpers/errors';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';

const SUBNETS = ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'];
const { subnetId: _unused, ...goProps } = baseProps;
const serviceProps: HardenedGoServiceProps = { ...goProps, subnetIds: SUBNETS };

function serviceStack(props: Partial<HardenedGoServiceProps> = {}) {
  const { stack } = newStack();
  const service = new HardenedGoService(stack, 'Api', { ...serviceProps, ...props });
  return { stack, service };
}

const warningsOf = (c: HardenedGoService) => c.node.metadata.filter((m) => m.type.includes('warn')).map((m) => String(m.data));
const errorFor = (props: Partial<HardenedGoServiceProps>): ReportedInput => validationError(() => serviceStack(props));

describe('HardenedGoService', () => {
  const { stack } = serviceStack();
  const tf = synthJson(stack);
  const [lt] = resourcesOf(tf, 'aws_launch_template');
  const [group] = resourcesOf(tf, 'aws_autoscaling_group');
  const [tg] = resourcesOf(tf, 'aws_lb_target_group');
  const [lb] = resourcesOf(tf, 'aws_lb');

  it('launches the hardened configuration: IMDSv2, encrypted root volume, instance profile, security group, user data', () => {
    expect(lt.metadata_options).toEqual({ http_endpoint: 'enabled', http_tokens: 'required', http_put_response_hop_limit: 1, instance_metadata_tags: 'disabled' });
    expect(lt.block_device_mappings).toEqual([{
      device_name: expect.stringMatching(/^\$\{data\.aws_ami\.GoHostLookups_Ami-ubuntu-2404-amd64_[A-F0-9]+\.root_device_name\}$/),
      ebs: { volume_type: 'gp3', volume_size: 20, encrypted: 'true', delete_on_termination: 'true' },
    }]);
    expect(lt.iam_instance_profile.name).toMatch(/^\$\{aws_iam_instance_profile\.Api_InstanceProfile_[A-F0-9]+\.name\}$/);
    expect(lt.vpc_security_group_ids).toEqual([expect.stringMatching(/^\$\{aws_security_group\.Api_SecurityGroup_[A-F0-9]+\.id\}$/)]);
    expect(lt.user_data).toMatch(/^\$\{data\.cloudinit_config\.Api_UserData_[A-F0-9]+\.rendered\}$/);
    expect(lt.update_default_version).toBe(true);
  });

  it('uses the same user data a HardenedGoHost with the same props gets (one host model, two placements), less what only a group member does (the termination watch)', () => {
    const { stack: plain } = serviceStack({ terminationLifecycleHook: false });
    const { stack: s2 } = newStack();
    const host = new HardenedGoHost(s2, 'Api', { ...baseProps, subnetId: SUBNETS[0] });
    // The same admission the group's load balancer gets (from its VPC, read at the same address): the service then listens beyond loopback.
    const vpc = new DataAwsVpc(new Construct(host, 'LoadBalancer'), 'Vpc', { id: baseProps.vpcId });
    host.connections.allowFrom(Peer.securityGroupId('sg-0123456789abcdef0', 'lb', [vpc.cidrBlock]), Port.tcp(8080), 'orders-api from its load balancer (traffic and health checks)');
    const hostParts = Object.values<any>(synthJson(s2).data.cloudinit_config)[0].part;
    const groupParts = Object.values<any>(synthJson(plain).data.cloudinit_config)[0].part;
    expect(groupParts).toEqual(hostParts);
  });

  it('rolls a new launch template version through the group, 100 % healthy capacity, rollback on failure', () => {
    expect(group.launch_template).toEqual({
      id: expect.stringMatching(/\.id\}$/),
      version: expect.stringMatching(/^\$\{aws_launch_template\.Api_LaunchTemplate_[A-F0-9]+\.latest_version\}$/),
    });
    expect(group.instance_refresh).toEqual({
      strategy: 'Rolling',
      preferences: {
        min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true, instance_warmup: '360',
        scale_in_protected_instances: 'Refresh', standby_instances: 'Terminate', skip_matching: false,
      },
    });
  });

  it('checks health through the load balancer with a grace period derived from the boot', () => {
    expect(group.health_check_type).toBe('ELB');
    // bootBudgetSec (300) + healthTimeoutSec (60).
    expect(group.health_check_grace_period).toBe(360);
    expect(group.min_size).toBe(2);
    expect(group.max_size).toBe(4);
    expect(group.desired_capacity).toBeUndefined();
    expect(group.vpc_zone_identifier).toEqual(SUBNETS);
    expect(group.target_group_arns).toEqual([expect.stringMatching(/^\$\{aws_lb_target_group\./)]);
  });

  it('puts the group behind an internal NLB whose health check is the service\'s health path, draining longer than the stop timeout', () => {
    expect(lb).toMatchObject({ internal: true, load_balancer_type: 'network', subnets: SUBNETS, enable_cross_zone_load_balancing: true });
    expect(tg).toMatchObject({ port: 8080, protocol: 'TCP', target_type: 'instance', deregistration_delay: '40', connection_termination: true });
    expect(tg.health_check).toMatchObject({ protocol: 'HTTP', path: '/healthz', port: 'traffic-port', matcher: '200-399' });
    const [listener] = resourcesOf(tf, 'aws_lb_listener');
    expect(listener).toMatchObject({ port: 8080, protocol: 'TCP' });
  });

  it('admits the service port on the instances from the load balancer\'s security group only', () => {
    const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 8080);
    expect(ingress).toHaveLength(1);
    expect(ingress[0].referenced_security_group_id).toMatch(/aws_security_group\.Api_LoadBalancer_SecurityGroup_/);
  });

  it('scales on average CPU with a target-tracking policy', () => {
    const [policy] = resourcesOf(tf, 'aws_autoscaling_policy');
    expect(policy).toMatchObject({
      policy_type: 'TargetTrackingScaling',
      target_tracking_configuration: { predefined_metric_specification: { predefined_metric_type: 'ASGAverageCPUUtilization' }, target_value: 50 },
    });
  });

  it('has no per-instance recover alarm (the group replaces unhealthy instances); readiness says so', () => {
    expect(resourcesOf(tf, 'aws_cloudwatch_metric_alarm')).toEqual([]);
    const { service } = serviceStack();
    expect(service.readiness().find((r) => r.id === 'G22')!.detail).toMatch(/Auto Scaling group .* replaces an unhealthy instance/);
  });

  it('is watched like a host: discovery tags on its instances, an unhealthy-target alarm to the topic, no reboot alarm', () => {
    const { stack: s, service } = serviceStack();
    new ObservabilityStack(s, 'Observability', { hosts: [service] });
    const out = synthJson(s);
    const [template] = resourcesOf(out, 'aws_launch_template');
    expect(template.tag_specifications[0]).toEqual({
      resource_type: 'instance',
      tags: { Name: 'test-Api', 'gohost:host': 'orders-api', 'gohost:monitor': 'test/Observability', 'gohost:app-port': '9464', 'gohost:group': 'true' },
    });
    const alarms = resourcesOf(out, 'aws_cloudwatch_metric_alarm');
    expect(alarms.map((a) => a.metric_name)).toEqual(['UnHealthyHostCount']);
    expect(alarms[0].dimensions).toEqual({ TargetGroup: expect.stringMatching(/arn_suffix/), LoadBalancer: expect.stringMatching(/arn_suffix/) });
  });

  it('sets the desired capacity only when given (Terraform then holds the group at it) and warns', () => {
    const { stack: s, service } = serviceStack({ minCapacity: 3, maxCapacity: 9, desiredCapacity: 3 });
    expect(resourcesOf(synthJson(s), 'aws_autoscaling_group')[0].desired_capacity).toBe(3);
    expect(warningsOf(service).join('\n')).toMatch(/desiredCapacity = 3: every apply resets the group to it/);
  });

  it('accepts subnets from a Terraform list variable (the VPC is looked up from its first element)', () => {
    const { stack: s } = newStack();
    const subnets = new TerraformVariable(s, 'subnets', { type: 'list(string)' });
    const { vpcId: _vpc, ...withoutVpc } = serviceProps;
    new HardenedGoService(s, 'Api', { ...withoutVpc, subnetIds: subnets.listValue });
    const out = synthJson(s);
    expect(resourcesOf(out, 'aws_autoscaling_group')[0].vpc_zone_identifier).toBe('${var.subnets}');
    expect(Object.values<any>(out.data.aws_subnet)[0].id).toBe('${element(var.subnets, 0)}');
  });
});

describe('HardenedGoService rejects bad input at synth time', () => {
  it('minCapacity larger than maxCapacity', () => {
    expect(errorFor({ minCapacity: 5, maxCapacity: 3 }).message).toContain(
      'minCapacity = 5: is larger than maxCapacity (3). Fix: lower minCapacity or raise maxCapacity to at least 5',
    );
  });

  it('desiredCapacity outside [min, max]', () => {
    expect(errorFor({ minCapacity: 2, maxCapacity: 4, desiredCapacity: 6 }).message).toContain(
      'desiredCapacity = 6: is outside [minCapacity, maxCapacity] = [2, 4]. Fix: use a whole number from 2 to 4, or leave it out to let the scaling policy decide',
    );
  });

  it('a deregistration delay shorter than the stop timeout', () => {
    expect(errorFor({ timeoutStopSec: 45, deregistrationDelaySec: 30 }).message).toContain(
      'deregistrationDelaySec = 30: is shorter than timeoutStopSec (45 s): connections would be cut before the service finished draining. Fix: use at least 45',
    );
  });

  it('no subnets', () => {
    expect(errorFor({ subnetIds: [] }).message).toContain('subnetIds = []: is empty: the group has nowhere to launch instances');
  });

  it('one subnet: a warning (one Availability Zone), not an error', () => {
    const { service } = serviceStack({ subnetIds: [SUBNETS[0]] });
    expect(warningsOf(service).join('\n')).toMatch(/subnetIds has one subnet: every instance of the group and the load balancer are in one Availability Zone/);
  });

  it('an instance type the AMI architecture cannot run', () => {
    const message = errorFor({ instanceType: 't4g.small', machineImage: MachineImage.fromAmiId('ami-0123456789abcdef0', 'ubuntu-24.04', 'x86_64') }).message;
    expect(message).toContain('instanceType = "t4g.small": is an arm64 instance type, but the machine image is built for x86_64');
  });

  it('a CPU target outside (0, 100]', () => {
    expect(errorFor({ cpuTargetUtilizationPercent: 150 }).message).toContain('cpuTargetUtilizationPercent = 150: is not a percentage in (0, 100]');
  });

  it('reports every failure of the service at once', () => {
    const e = errorFor({ minCapacity: 5, maxCapacity: 3, deregistrationDelaySec: 5, listenPort: 9100 });
    expect(e.failures.map((f) => f.prop).sort()).toEqual(['deregistrationDelaySec', 'listenPort', 'minCapacity']);
  });
});

describe('front door in front of a HardenedGoService', () => {
  it('refuses an upstream group in another VPC (both known at synth)', () => {
    const { stack: s } = newStack();
    const service = new HardenedGoService(s, 'Api', { ...serviceProps, vpcId: 'vpc-0aaaaaaaaaaaaaaa1' });
    const e = validationError(() => new NginxFrontDoor(s, 'FrontDoor', {
      subnetId: 'subnet-0bbbbbbbbbbbbbbb1', vpcId: 'vpc-0bbbbbbbbbbbbbbb1', upstreams: [service],
      domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
    }));
    expect(e.message).toContain('upstreams[0] = "test/Api": is in vpc-0aaaaaaaaaaaaaaa1, but the front door is in vpc-0bbbbbbbbbbbbbbb1');
  });

  it('refuses a keep-alive time that is not shorter than the service\'s deregistration delay', () => {
    const { stack: s } = newStack();
    const service = new HardenedGoService(s, 'Api', { ...serviceProps, deregistrationDelaySec: 30 });
    const e = validationError(() => new NginxFrontDoor(s, 'FrontDoor', {
      subnetId: 'subnet-0bbbbbbbbbbbbbbb1', upstreams: [service], upstreamKeepaliveTimeSec: 30,
      domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
    }));
    expect(e.message).toContain("upstreamKeepaliveTimeSec = 30: is not shorter than test/Api's deregistrationDelaySec (30 s)");
  });

  it('proxies to the load balancer\'s DNS name; the load balancer admits the front door only', () => {
    const { stack: s } = newStack();
    const service = new HardenedGoService(s, 'Api', serviceProps);
    new NginxFrontDoor(s, 'FrontDoor', {
      subnetId: 'subnet-0bbbbbbbbbbbbbbb1', upstreams: [service],
      domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
    });
    const out = synthJson(s);
    const frontDoorUserData = Object.entries<any>(out.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
    const text = frontDoorUserData.part.map((p: any) => p.content).join('\n');
    expect(text).toMatch(/server \$\{aws_lb\.Api_LoadBalancer_[A-F0-9]+\.dns_name\}:8080 max_fails=2 fail_timeout=15s;/);
    expect(text).not.toMatch(/aws_instance\./);
    const lbIngress = resourcesOf(out, 'aws_vpc_security_group_ingress_rule').filter((r) => r.security_group_id.includes('Api_LoadBalancer_SecurityGroup'));
    expect(lbIngress.map((r) => [r.from_port, r.referenced_security_group_id])).toEqual([[8080, expect.stringMatching(/FrontDoor_Host_SecurityGroup/)]]);
  });

  it('puts a list of single Go hosts behind an internal NLB of its own: no front-door user data names an instance', () => {
    const { stack: s } = newStack();
    const hosts = [1, 2].map((n) => new HardenedGoHost(s, `Api${n}`, { ...baseProps, subnetId: SUBNETS[n - 1] }));
    new NginxFrontDoor(s, 'FrontDoor', {
      subnetId: 'subnet-0bbbbbbbbbbbbbbb1', upstreams: hosts,
      domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
    });
    const out = synthJson(s);
    const text = Object.entries<any>(out.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1].part.map((p: any) => p.content).join('\n');
    expect(text).toMatch(/server \$\{aws_lb\.FrontDoor_Upstream_LoadBalancer_[A-F0-9]+\.dns_name\}:8080 /);
    expect(text).not.toMatch(/aws_instance\./);
    const attachments = resourcesOf(out, 'aws_lb_target_group_attachment');
    expect(attachments.map((a) => a.target_id)).toEqual([
      expect.stringMatching(/aws_instance\.Api1_Instance_/), expect.stringMatching(/aws_instance\.Api2_Instance_/),
    ]);
    expect(resourcesOf(out, 'aws_lb')[0].subnets).toEqual(SUBNETS);
    // timeoutStopSec (30) + the margin (10): longer than the keep-alive time (30).
    expect(resourcesOf(out, 'aws_lb_target_group')[0].deregistration_delay).toBe('40');
  });

  it('drains its own load balancer longer than nginx keeps a connection, even for hosts that stop quickly', () => {
    const { stack: s } = newStack();
    const hosts = [1, 2].map((n) => new HardenedGoHost(s, `Api${n}`, { ...baseProps, subnetId: SUBNETS[n - 1], timeoutStopSec: 5 }));
    new NginxFrontDoor(s, 'FrontDoor', {
      subnetId: 'subnet-0bbbbbbbbbbbbbbb1', upstreams: hosts, upstreamKeepaliveTimeSec: 45,
      domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
    });
    expect(resourcesOf(synthJson(s), 'aws_lb_target_group')[0].deregistration_delay).toBe('55');
  });
});

describe('the Auto Scaling options users expect (terraform-aws-modules/autoscaling terms)', () => {
  it('max_instance_lifetime, refresh checkpoints and skip_matching reach the group; the library\'s refresh floor stays', () => {
    const { stack } = serviceStack({ maxInstanceLifetimeSec: 604800, instanceRefreshCheckpointPercentages: [25, 100], instanceRefreshCheckpointDelaySec: 600, instanceRefreshSkipMatching: true });
    const [group] = resourcesOf(synthJson(stack), 'aws_autoscaling_group');
    expect(group.max_instance_lifetime).toBe(604800);
    expect(group.instance_refresh.preferences).toMatchObject({
      checkpoint_percentages: [25, 100], checkpoint_delay: '600', skip_matching: true, min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true,
    });
  });

  it('schedules become aws_autoscaling_schedule with a cron recurrence and time zone; unset capacities stay as they are (-1)', () => {
    const { stack } = serviceStack({ schedules: { 'business-hours': { recurrence: '0 7 * * MON-FRI', timeZone: 'Europe/Berlin', minCapacity: 4 }, night: { recurrence: '0 20 * * *', minCapacity: 2 } } });
    const schedules = resourcesOf(synthJson(stack), 'aws_autoscaling_schedule');
    expect(schedules).toEqual([
      expect.objectContaining({ scheduled_action_name: 'business-hours', recurrence: '0 7 * * MON-FRI', time_zone: 'Europe/Berlin', min_size: 4, max_size: -1, desired_capacity: -1 }),
      expect.objectContaining({ scheduled_action_name: 'night', recurrence: '0 20 * * *', time_zone: 'Etc/UTC', min_size: 2 }),
    ]);
  });

  it('a CloudWatch metric to track besides CPU: a second target-tracking policy with the customized metric', () => {
    const { stack } = serviceStack({ scalingMetric: { namespace: 'OrdersApi', metricName: 'BacklogPerInstance', dimensions: { Queue: 'orders' }, targetValue: 100 } });
    const policies = resourcesOf(synthJson(stack), 'aws_autoscaling_policy');
    expect(policies.map((p) => p.target_tracking_configuration.customized_metric_specification ?? 'cpu')).toEqual(expect.arrayContaining([
      { namespace: 'OrdersApi', metric_name: 'BacklogPerInstance', statistic: 'Average', metric_dimension: [{ name: 'Queue', value: 'orders' }] },
      'cpu',
    ]));
    expect(policies).toHaveLength(2);
  });

  it('a refresh rolls back when the observability stack\'s unhealthy-targets alarm fires (alarm_specification)', () => {
    const { stack, service } = serviceStack();
    new ObservabilityStack(stack, 'Obs', { hosts: [service], alarmEmail: 'oncall@example.com' });
    const [group] = resourcesOf(synthJson(stack), 'aws_autoscaling_group');
    expect(group.instance_refresh.preferences.alarm_specification).toEqual({ alarms: [expect.stringMatching(/^\$\{aws_cloudwatch_metric_alarm\.Obs_UnhealthyAlarm-.*\.alarm_name\}$/)] });
  });

  it('a termination hook holds a leaving instance for the drain, the stop and a margin; its watcher keeps the instance role; off, neither exists', () => {
    const { stack, service } = serviceStack();
    const [group] = resourcesOf(synthJson(stack), 'aws_autoscaling_group');
    // deregistrationDelaySec (30 + 10) + timeoutStopSec (30) + 60.
    expect(group.initial_lifecycle_hook).toEqual([{ name: 'gohost-terminating', lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING', heartbeat_timeout: 130, default_result: 'CONTINUE' }]);
    expect(service.provisioning().instanceMetadataAccess.get('gohost-termination-watch.service')).toMatchObject({ access: 'allowed' });
    expect(service.provisioning().filePaths).toContain('/usr/local/lib/gohost/termination-watch');
    const off = serviceStack({ terminationLifecycleHook: false });
    const offTf = synthJson(off.stack);
    expect(resourcesOf(offTf, 'aws_autoscaling_group')[0].initial_lifecycle_hook).toBeUndefined();
    // No hook to complete: the role may not complete lifecycle actions at all.
    expect(resourcesOf(offTf, 'aws_iam_role_policy').map((p) => p.name)).not.toContain('launch-ready');
    expect(off.service.provisioning().filePaths).not.toContain('/usr/local/lib/gohost/termination-watch');
  });

  it('refuses values AWS would refuse or that cannot mean anything, naming the prop', () => {
    expect(errorFor({ maxInstanceLifetimeSec: 3600 }).message).toContain('maxInstanceLifetimeSec = 3600: is not 0 or a whole number of seconds from 86400');
    expect(errorFor({ instanceRefreshCheckpointPercentages: [50, 20, 100] }).message).toContain('instanceRefreshCheckpointPercentages = [50,20,100]: must be whole percentages');
    expect(errorFor({ instanceRefreshCheckpointPercentages: [50] }).message).toContain('ending with 100');
    expect(errorFor({ schedules: { x: { recurrence: '0 7 * *', minCapacity: 1 } } }).message).toContain('schedules.x.recurrence = "0 7 * *": is not a cron expression of five fields');
    expect(errorFor({ schedules: { x: { recurrence: '0 7 * * *' } } }).message).toContain('schedules.x = {"recurrence":"0 7 * * *"}: changes no capacity');
    expect(errorFor({ schedules: { x: { recurrence: '0 7 * * *', minCapacity: 5, maxCapacity: 2 } } }).message).toContain('schedules.x.minCapacity = 5: is larger than its maxCapacity (2)');
    expect(errorFor({ scalingMetric: { namespace: 'A', metricName: 'B', targetValue: 0 } }).message).toContain('scalingMetric.targetValue = 0: is not a positive number');
  });
});
