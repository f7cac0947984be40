/**
 * NginxFrontDoor with subnetIds: its host in an Auto Scaling group of one whose instance claims
 * the Elastic IP after its checks and then completes the group's launch hook; and the DNS records
 * of hostedZoneId (or the output listing them).
 */
import { describe, expect, it } from 'vitest';
import { CertificateSource, HardenedGoHost, HardenedGoService, HardenedHostGroup, NginxFrontDoor, ReleaseArtifact } from '../../lib';
import { ELASTIC_IP_FILE } from '../../lib/host/first-boot-signals';
import { NGINX } from '../../lib/front-door/artifacts';
import { Token } from 'cdktf';
import { validationError } from '../helpers/errors';
import { DOMAIN, fdBaseProps } from '../helpers/front-door';
import { hostFiles } from '../helpers/host-files';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';

const SUBNETS = ['subnet-0bbbbbbbbbbbbbbb1', 'subnet-0bbbbbbbbbbbbbbb2'];

function groupFrontDoor(extra: Record<string, unknown> = {}) {
  const { stack } = newStack();
  const fd = new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, subnetId: undefined, subnetIds: SUBNETS, ...extra });
  const tf = synthJson(stack);
  const ci = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('FrontDoor'))![1];
  return { fd, tf, files: hostFiles(ci.part) };
}

const policy = (tf: any, name: string) => JSON.parse(resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === name)!.policy).Statement;

describe('NginxFrontDoor in an Auto Scaling group of one (subnetIds)', () => {
  const { fd, tf, files } = groupFrontDoor();

  it('places the hardened host in a launch template and a group over the subnets, rolled with instance refresh and held by a launch hook', () => {
    expect(fd.hosts).toHaveLength(1);
    expect(fd.hosts[0]).toBeInstanceOf(HardenedHostGroup);
    expect(resourcesOf(tf, 'aws_instance')).toEqual([]);
    const [group] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(group).toMatchObject({
      min_size: 1, max_size: 1, desired_capacity: 1, vpc_zone_identifier: SUBNETS, health_check_type: 'EC2',
      initial_lifecycle_hook: [{ name: 'gohost-ready', lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', default_result: 'ABANDON', heartbeat_timeout: 900 }],
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true } },
    });
    // The instance leaves a public subnet before it has the Elastic IP: it needs its own address meanwhile.
    const [lt] = resourcesOf(tf, 'aws_launch_template');
    expect(lt.network_interfaces).toEqual([expect.objectContaining({ associate_public_ip_address: 'true', device_index: 0 })]);
    expect(lt.vpc_security_group_ids).toBeUndefined();
    expect(lt.metadata_options).toMatchObject({ http_tokens: 'required', http_put_response_hop_limit: 1 });
  });

  it('has Terraform create the Elastic IP but never associate it', () => {
    expect(resourcesOf(tf, 'aws_eip')).toHaveLength(1);
    expect(resourcesOf(tf, 'aws_eip_association')).toEqual([]);
  });

  it('claims the address and completes the hook as the last two steps, after nginx answered and the metadata fence held', () => {
    const steps = files.script.match(/^# --- .*$/gm)!;
    expect(steps.slice(-4)).toEqual([
      '# --- front door answers over HTTPS',
      '# --- instance metadata fenced off the units that do not call AWS',
      '# --- claim the public address (after every check passed)',
      '# --- tell the Auto Scaling group this instance is ready',
    ]);
    expect(files.file(ELASTIC_IP_FILE)).toMatch(/^\$\{aws_eip\.FrontDoor_ElasticIp_[A-F0-9]+\.allocation_id\}\n$/);
    expect(files.script).toContain("--data 'Action=AssociateAddress&Version=2016-11-15' --data-urlencode \"AllocationId=$allocation_id\" --data-urlencode \"InstanceId=$instance_id\" --data-urlencode AllowReassociation=true");
    expect(files.script).toContain('--data-urlencode LifecycleHookName=gohost-ready');
    expect(files.script).toContain('LifecycleActionResult=CONTINUE');
  });

  it('lets the role move exactly this Elastic IP, only onto this front door\'s instances, and complete only this group\'s hook', () => {
    expect(policy(tf, 'claim-elastic-ip')).toEqual([
      { Effect: 'Allow', Action: 'ec2:AssociateAddress', Resource: expect.stringMatching(/:elastic-ip\/\$\{aws_eip\.FrontDoor_ElasticIp_[A-F0-9]+\.allocation_id\}$/) },
      { Effect: 'Allow', Action: 'ec2:AssociateAddress', Resource: expect.stringMatching(/:instance\/\*$/), Condition: { StringEquals: { 'aws:ResourceTag/Name': 'test-FrontDoor-Host' } } },
    ]);
    const [group] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(group.name_prefix).toBe('test-FrontDoor-Host-');
    expect(policy(tf, 'launch-ready')).toEqual([
      { Effect: 'Allow', Action: 'autoscaling:DescribeAutoScalingInstances', Resource: '*' },
      { Effect: 'Allow', Action: 'autoscaling:CompleteLifecycleAction', Resource: expect.stringMatching(/:autoScalingGroup:\*:autoScalingGroupName\/test-FrontDoor-Host-\*$/) },
    ]);
    // The instances carry the Name the condition matches.
    const [lt] = resourcesOf(tf, 'aws_launch_template');
    expect(lt.tag_specifications[0].tags.Name).toBe('test-FrontDoor-Host');
  });

  it('says so in readiness: the address moves only to a healthy front door (N19); a single instance says it does not', () => {
    expect(fd.hosts[0].readiness().find((r) => r.id === 'N19')).toMatchObject({ status: 'enforced' });
    const { stack } = newStack();
    const single = new NginxFrontDoor(stack, 'FrontDoor', fdBaseProps);
    expect(single.hosts[0].readiness().find((r) => r.id === 'N19')).toMatchObject({ status: 'off' });
  });

  it('refuses what cannot work with a group of one, naming the prop', () => {
    const failing = (props: Record<string, unknown>) => {
      const { stack } = newStack();
      return validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, subnetId: undefined, subnetIds: SUBNETS, ...props })).message;
    };
    expect(failing({ elasticIp: false })).toContain('elasticIp = false: contradicts subnetIds');
    expect(failing({ subnetIds: [] })).toContain('subnetIds = []: is empty');
  });
});

describe('DNS records for the front door', () => {
  it('creates an A record per name at the Elastic IP in hostedZoneId, each checked at plan to be in the zone', () => {
    const { tf } = groupFrontDoor({ hostedZoneId: 'Z0123456789ABCDEFGHIJ', domainNames: [DOMAIN, `www.${DOMAIN}`] });
    const records = resourcesOf(tf, 'aws_route53_record');
    expect(records.map((r) => [r.name, r.type, r.ttl, r.zone_id])).toEqual([[DOMAIN, 'A', 300, 'Z0123456789ABCDEFGHIJ'], [`www.${DOMAIN}`, 'A', 300, 'Z0123456789ABCDEFGHIJ']]);
    for (const r of records) {
      expect(r.records).toEqual([expect.stringMatching(/^\$\{aws_eip\.FrontDoor_ElasticIp_[A-F0-9]+\.public_ip\}$/)]);
      expect(r.lifecycle.precondition[0].condition).toContain('endswith(');
      expect(r.lifecycle.precondition[0].error_message).toContain('test/FrontDoor: domainNames[');
    }
    expect(tf.output).toBeUndefined();
  });

  it('without a zone, outputs the records to create', () => {
    const { tf } = groupFrontDoor();
    expect(resourcesOf(tf, 'aws_route53_record')).toEqual([]);
    const [output] = Object.values<any>(tf.output);
    expect(output.value).toEqual([{ name: DOMAIN, type: 'A', value: expect.stringMatching(/^\$\{aws_eip\.FrontDoor_ElasticIp_[A-F0-9]+\.public_ip\}$/) }]);
  });

  it('refuses a zone name for a zone ID, and records without an Elastic IP', () => {
    const { stack } = newStack();
    expect(validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, hostedZoneId: 'example.com' })).message)
      .toContain('hostedZoneId = "example.com": is not a Route 53 hosted zone ID');
    const second = newStack();
    expect(validationError(() => new NginxFrontDoor(second.stack, 'FrontDoor', { ...fdBaseProps, hostedZoneId: 'Z0123456789ABCDEFGHIJ', elasticIp: false })).message)
      .toContain('hostedZoneId = "Z0123456789ABCDEFGHIJ": needs elasticIp');
  });
});

describe('NginxFrontDoor with several instances in a group (subnetIds, instanceCount > 1): behind a public Network Load Balancer', () => {
  const certificate = CertificateSource.fromSecretsManager({ secretId: 'tls/api' });
  const { fd, tf, files } = groupFrontDoor({ instanceCount: 3, certificate, hostedZoneId: 'Z0123456789ABCDEFGHIJ' });
  const lbResources = (type: string) => Object.entries<any>(tf.resource[type] ?? {}).filter(([k]) => k.startsWith('FrontDoor_PublicLoadBalancer_')).map(([, v]) => v);

  it('puts an internet-facing NLB with one Elastic IP per subnet in front, TCP 80 and 443 forwarded with proxy protocol v2', () => {
    const [lb] = lbResources('aws_lb');
    expect(lb).toMatchObject({ internal: false, load_balancer_type: 'network', enable_cross_zone_load_balancing: true });
    expect(lb.subnet_mapping).toEqual(SUBNETS.map((subnet, i) => ({
      subnet_id: subnet, allocation_id: expect.stringMatching(new RegExp(`^\\$\\{aws_eip\\.FrontDoor_PublicLoadBalancer_ElasticIp${i + 1}_[A-F0-9]+\\.allocation_id\\}$`)),
    })));
    expect(lbResources('aws_eip')).toHaveLength(2);
    expect(lbResources('aws_lb_listener').map((l) => [l.port, l.protocol]).sort()).toEqual([[443, 'TCP'], [80, 'TCP']]);
    for (const tg of lbResources('aws_lb_target_group')) {
      expect(tg).toMatchObject({
        protocol: 'TCP', target_type: 'instance', proxy_protocol_v2: true, preserve_client_ip: 'false', deregistration_delay: '70', connection_termination: true,
        // nginx itself, on its own port: a backend outage leaves the front doors in service.
        health_check: { protocol: 'HTTP', port: String(NGINX.healthCheckPort), path: NGINX.healthCheckPath, matcher: '200' },
      });
    }
    expect(resourcesOf(tf, 'aws_eip_association')).toEqual([]);
    expect(fd.elasticIps).toHaveLength(2);
  });

  it('registers the group of three in both target groups, judged by the load balancer, new instances held by the launch hook', () => {
    const [group] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(group).toMatchObject({ min_size: 3, max_size: 3, desired_capacity: 3, health_check_type: 'ELB', health_check_grace_period: 60 });
    expect(group.target_group_arns).toHaveLength(2);
    expect(group.target_group_arns.every((arn: string) => /^\$\{aws_lb_target_group\.FrontDoor_PublicLoadBalancer_TargetGroup(80|443)_/.test(arn))).toBe(true);
    expect(group.initial_lifecycle_hook).toHaveLength(1);
    // No address to claim: the load balancer holds them.
    expect(files.script).not.toContain('AssociateAddress');
    expect(resourcesOf(tf, 'aws_iam_role_policy').map((p) => p.name)).not.toContain('claim-elastic-ip');
  });

  it('admits 80, 443 and the health port from the load balancer alone (UFW from its subnets), and the internet only at the load balancer', () => {
    const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule');
    const host = ingress.filter((r) => r.security_group_id.includes('FrontDoor_Host_SecurityGroup'));
    expect(host.map((r) => r.from_port).sort()).toEqual([443, 80, NGINX.healthCheckPort].sort());
    expect(host.every((r) => /FrontDoor_PublicLoadBalancer_SecurityGroup/.test(r.referenced_security_group_id))).toBe(true);
    const lb = ingress.filter((r) => r.security_group_id.includes('FrontDoor_PublicLoadBalancer_SecurityGroup'));
    expect(lb.map((r) => `${r.from_port} ${r.cidr_ipv4}`).sort()).toEqual(['443 0.0.0.0/0', '80 0.0.0.0/0']);
    for (const port of [80, 443, NGINX.healthCheckPort]) {
      expect(files.script).toMatch(new RegExp(`ufw allow proto tcp from \\$\\{data\\.aws_subnet\\.FrontDoor_PublicLoadBalancer_Subnet1_[A-F0-9]+\\.cidr_block\\} to any port [0-9,]*\\b${port}\\b`));
    }
  });

  it('has nginx take proxy protocol on 80 and 443, believe it from the load balancer\'s subnets only, and answer the health check itself', () => {
    const conf = files.file('/etc/nginx/gohost/nginx.conf');
    const listens = conf.match(/^\s*listen (\[::\]:)?(80|443)\b.*;$/gm)!;
    expect(listens.length).toBeGreaterThan(0);
    expect(listens.every((l) => l.includes(' proxy_protocol'))).toBe(true);
    expect(conf.match(/set_real_ip_from \$\{data\.aws_subnet\.FrontDoor_PublicLoadBalancer_Subnet[12]_[A-F0-9]+\.cidr_block\};/g)).toHaveLength(2);
    expect(conf).toContain('real_ip_header proxy_protocol;');
    expect(conf).toMatch(new RegExp(`listen ${NGINX.healthCheckPort};[\\s\\S]*location = ${NGINX.healthCheckPath} \\{`));
    expect(files.script).toContain('curl --haproxy-protocol');
  });

  it('points the names at the load balancer with alias records, and says so in readiness (N19)', () => {
    const [record] = resourcesOf(tf, 'aws_route53_record');
    expect(record.alias).toEqual({ name: expect.stringMatching(/aws_lb\.FrontDoor_PublicLoadBalancer_[A-F0-9]+\.dns_name/), zone_id: expect.stringMatching(/\.zone_id\}$/), evaluate_target_health: true });
    expect(record.records).toBeUndefined();
    expect(fd.hosts[0].readiness().find((r) => r.id === 'N19')).toMatchObject({ status: 'enforced', detail: expect.stringContaining('public load balancer') });
  });

  it('refuses what cannot work behind it: a subnet list from a reference, HTTP/3, Let\'s Encrypt without the store the front doors share it through', () => {
    const failing = (props: Record<string, unknown>) => {
      const { stack } = newStack();
      return validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, subnetId: undefined, subnetIds: SUBNETS, instanceCount: 2, certificate, ...props })).message;
    };
    expect(failing({ subnetIds: Token.asList('${var.subnets}') })).toContain('subnetIds = "(a Terraform reference)": must be known at synth with instanceCount 2');
    expect(failing({ http3: true })).toContain('http3 = true: contradicts a load-balanced front door');
    expect(failing({ certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }), persistCertificate: false })).toContain("persistCertificate = false: contradicts a Let's Encrypt certificate with instanceCount 2");
    expect(failing({ deregistrationDelaySec: 4000 })).toContain('deregistrationDelaySec = 4000: is outside 0–3600 seconds');
    expect(failing({ deregistrationDelaySec: 60 })).toContain('clientKeepaliveTimeSec = 60: is not shorter than deregistrationDelaySec (60 s)');
    expect(failing({ clientKeepaliveTimeSec: 0 })).toContain('clientKeepaliveTimeSec = 0: must be a whole number of seconds, at least 1');
  });

  it('closes busy client connections before the deregistration delay ends (keepalive_time below it)', () => {
    const { files } = groupFrontDoor({ instanceCount: 2, deregistrationDelaySec: 40, clientKeepaliveTimeSec: 30 });
    expect(files.file('/etc/nginx/gohost/nginx.conf')).toMatch(/^    keepalive_time 30s;$/m);
  });
  it("shares one Let's Encrypt certificate: every front door restores it, answers the fleet's challenges, orders only under the lock", () => {
    const { fd: le, tf: json, files } = groupFrontDoor({ instanceCount: 2, certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }) });
    expect(resourcesOf(json, 'aws_secretsmanager_secret')).toHaveLength(1);
    expect(files.file('/usr/local/lib/gohost/acme-account')).toContain('ClientRequestToken');
    expect(files.file('/usr/local/lib/gohost/obtain-certificate')).toContain('take_order_lock');
    expect(files.file('/etc/nginx/gohost/nginx.conf')).toContain('include /etc/nginx/gohost/acme-challenge.conf;');
    expect(le.hosts[0].readiness().find((r) => r.id === 'N5')).toMatchObject({ status: 'enforced', detail: expect.stringContaining('one ACME account for all') });
  });
});

describe('NginxFrontDoor on a Go service group of one (host: HardenedGoService without a load balancer)', () => {
  const serviceProps = {
    serviceName: 'orders-api', subnetIds: SUBNETS, minCapacity: 1, maxCapacity: 1, internalLoadBalancer: false, associatePublicIpAddress: true,
    artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'orders-api/v1/orders-api' }, 'a'.repeat(64)),
  };
  function onGroup(service: Record<string, unknown> = {}, frontDoor: Record<string, unknown> = {}) {
    const { stack } = newStack();
    const api = new HardenedGoService(stack, 'Api', { ...serviceProps, ...service });
    const fd = new NginxFrontDoor(stack, 'FrontDoor', { domainNames: [DOMAIN], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }), host: api, ...frontDoor });
    return { api, fd, stack };
  }
  const { api, fd, stack } = onGroup();
  const tf = synthJson(stack);
  const files = hostFiles(Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('Api'))![1].part);

  it('is a group of one judged by its own first boot: no load balancer, EC2 health, a launch hook, no scaling policy, a public address for egress until it claims the Elastic IP', () => {
    expect(api.loadBalancer).toBeUndefined();
    expect(resourcesOf(tf, 'aws_lb')).toEqual([]);
    expect(resourcesOf(tf, 'aws_autoscaling_policy')).toEqual([]);
    const [group] = resourcesOf(tf, 'aws_autoscaling_group');
    expect(group).toMatchObject({
      min_size: 1, max_size: 1, health_check_type: 'EC2',
      initial_lifecycle_hook: [
        { name: 'gohost-ready', lifecycle_transition: 'autoscaling:EC2_INSTANCE_LAUNCHING', default_result: 'ABANDON', heartbeat_timeout: 360 },
        // Leaving, its service stops before the group terminates it (timeoutStopSec 30 + 60).
        { name: 'gohost-terminating', lifecycle_transition: 'autoscaling:EC2_INSTANCE_TERMINATING', default_result: 'CONTINUE', heartbeat_timeout: 90 },
      ],
      instance_refresh: { strategy: 'Rolling', preferences: { min_healthy_percentage: 100, max_healthy_percentage: 200, auto_rollback: true } },
    });
    const [lt] = resourcesOf(tf, 'aws_launch_template');
    expect(lt.network_interfaces).toEqual([expect.objectContaining({ associate_public_ip_address: 'true', device_index: 0 })]);
    expect(lt.tag_specifications[0].tags.Name).toBe('test-Api');
  });

  it('nginx proxies to the service on loopback, and the service binds loopback only', () => {
    expect(files.file('/etc/nginx/gohost/nginx.conf')).toMatch(/server 127\.0\.0\.1:8080 /);
    expect(api.settings.http?.listenAddress).toBe('127.0.0.1');
  });

  it('claims the Elastic IP and then completes the hook as its last steps, after the service and nginx answered; Terraform never associates the address', () => {
    expect(resourcesOf(tf, 'aws_eip')).toHaveLength(1);
    expect(resourcesOf(tf, 'aws_eip_association')).toEqual([]);
    const steps = files.script.match(/^# --- .*$/gm)!;
    expect(steps.slice(-2)).toEqual(['# --- claim the public address (after every check passed)', '# --- tell the Auto Scaling group this instance is ready']);
    expect(steps.indexOf('# --- front door answers over HTTPS')).toBeLessThan(steps.length - 2);
    expect(steps.findIndex((s) => s.includes('orders-api'))).toBeGreaterThanOrEqual(0);
    expect(files.file(ELASTIC_IP_FILE)).toMatch(/^\$\{aws_eip\.FrontDoor_ElasticIp_[A-F0-9]+\.allocation_id\}\n$/);
    expect(policy(tf, 'claim-elastic-ip')[1]).toMatchObject({ Resource: expect.stringMatching(/:instance\/\*$/), Condition: { StringEquals: { 'aws:ResourceTag/Name': 'test-Api' } } });
    expect(policy(tf, 'launch-ready')[1]).toMatchObject({ Resource: expect.stringMatching(/autoScalingGroupName\/orders-api-\*$/) });
    expect(fd.hosts[0].readiness().find((r) => r.id === 'N19')).toMatchObject({ status: 'enforced' });
  });

  it('refuses a group the address cannot follow safely, naming the prop and the fix', () => {
    const failing = (service: Record<string, unknown>, frontDoor: Record<string, unknown> = {}) => validationError(() => onGroup(service, frontDoor)).message;
    expect(failing({ internalLoadBalancer: true })).toMatch(/host = "test\/Api": has an internal load balancer.*internalLoadBalancer: false/s);
    expect(failing({ maxCapacity: 2 })).toMatch(/host = "test\/Api": is a group of up to 2 instances/);
    expect(failing({}, { elasticIp: false })).toMatch(/elasticIp = false: contradicts host test\/Api/);
    expect(failing({ deregistrationDelaySec: 40 })).toMatch(/deregistrationDelaySec = 40: has no effect with internalLoadBalancer: false/);
    expect(failing({ healthCheckGracePeriodSec: 9000 })).toMatch(/healthCheckGracePeriodSec = 9000: is outside 30–7200 seconds/);
  });

  it('refuses such a service as another front door\'s upstream: nothing stable to proxy to', () => {
    const { stack } = newStack();
    const api2 = new HardenedGoService(stack, 'Api', serviceProps);
    expect(validationError(() => new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, upstreams: [api2] })).message)
      .toMatch(/upstreams\[0\] = "test\/Api": has no internal load balancer/);
  });

  it('a Go host (one aws_instance) with its front door warns that Terraform moves the address to a successor that is still booting', () => {
    const { stack } = newStack();
    const host = new HardenedGoHost(stack, 'Api', baseProps);
    const fd2 = new NginxFrontDoor(stack, 'FrontDoor', { domainNames: [DOMAIN], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.test' }), host });
    const warnings = fd2.node.metadata.filter((m) => m.type.includes('warn')).map((m) => String(m.data));
    expect(warnings.join('\n')).toMatch(/Terraform moves the Elastic IP to a replacement of test\/Api .* minutes before it serves.*internalLoadBalancer: false/s);
    expect(resourcesOf(synthJson(stack), 'aws_eip_association')).toHaveLength(1);
  });
});
