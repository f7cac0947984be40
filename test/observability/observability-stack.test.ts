import { describe, expect, it } from 'vitest';
import { HardenedGoHost, ObservabilityStack, ObservabilityStackProps } from '../../lib';
import { validationError } from '../helpers/errors';
import { fleetFiles } from '../helpers/observability';
import { baseProps, hostStack, newStack, resourcesOf, synthJson } from '../helpers/stacks';

const fleet = fleetFiles();
const tf = fleet.tf;
const ingress = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule');

describe('ObservabilityStack (fleet example)', () => {
  it('admits exporter and metrics ports from the monitoring host\'s group only, never from an address range', () => {
    for (const port of [9100, 9113]) {
      const rules = ingress.filter((r) => r.from_port === port);
      expect(rules.length).toBeGreaterThan(0);
      for (const r of rules) {
        expect(r.referenced_security_group_id).toMatch(/aws_security_group\.Observability_Monitoring_SecurityGroup/);
        expect(r.cidr_ipv4 ?? r.cidr_ipv6).toBeUndefined();
      }
    }
    // The Go service group and the front door.
    expect(ingress.filter((r) => r.from_port === 9100)).toHaveLength(2);
    expect(ingress.filter((r) => r.from_port === 9113)).toHaveLength(1);
  });

  it('lets every watched host push logs to Loki on the monitoring host, and nothing else in', () => {
    const monRules = ingress.filter((r) => /Observability_Monitoring_SecurityGroup/.test(r.security_group_id));
    expect(monRules.every((r) => r.from_port === 3100 && r.referenced_security_group_id)).toBe(true);
    expect(monRules).toHaveLength(2);
  });

  it('reboots single instances on a failed instance check and recovers them on a failed system check, both notifying the topic', () => {
    const alarms = resourcesOf(tf, 'aws_cloudwatch_metric_alarm');
    const reboot = alarms.filter((a) => a.metric_name === 'StatusCheckFailed_Instance');
    const recover = alarms.filter((a) => a.metric_name === 'StatusCheckFailed_System');
    // The monitoring host; groups (the service and the front door) replace their own instances.
    expect(reboot).toHaveLength(1);
    expect(recover).toHaveLength(1);
    for (const a of reboot) expect(a.alarm_actions).toEqual([expect.stringMatching(/:ec2:reboot$/), expect.stringMatching(/^\$\{aws_sns_topic\.Observability_AlarmTopic/)]);
    for (const a of recover) expect(a.alarm_actions).toEqual([expect.stringMatching(/:ec2:recover$/), expect.stringMatching(/^\$\{aws_sns_topic\.Observability_AlarmTopic/)]);
  });

  it('tells the topic when the group\'s instances fail the load balancer\'s health check', () => {
    const unhealthy = resourcesOf(tf, 'aws_cloudwatch_metric_alarm').filter((a) => a.metric_name === 'UnHealthyHostCount');
    expect(unhealthy).toEqual([expect.objectContaining({ namespace: 'AWS/NetworkELB', alarm_actions: [expect.stringMatching(/aws_sns_topic\./)] })]);
  });

  it('gives the monitoring host a network interface of its own (a stable address) and an encrypted data volume', () => {
    const [eni] = resourcesOf(tf, 'aws_network_interface');
    expect(eni.security_groups).toEqual([expect.stringMatching(/Observability_Monitoring_SecurityGroup/)]);
    const monitoring = Object.entries<any>(tf.resource.aws_instance).find(([k]) => k.startsWith('Observability'))![1];
    expect(monitoring.network_interface).toEqual([{ device_index: 0, network_interface_id: expect.stringMatching(/aws_network_interface\.Observability_Monitoring_NetworkInterface_[A-F0-9]+\.id/) }]);
    expect(monitoring.subnet_id).toBeUndefined();
    // Its successor cannot attach the interface while it still holds it.
    expect(monitoring.lifecycle.create_before_destroy).toBe(false);
    const [volume] = resourcesOf(tf, 'aws_ebs_volume');
    expect(volume).toMatchObject({ encrypted: true, type: 'gp3', size: 50, availability_zone: expect.stringMatching(/data\.aws_subnet\.Observability_MonitoringSubnet_[A-F0-9]+\.availability_zone/) });
    const [attachment] = resourcesOf(tf, 'aws_volume_attachment');
    expect(attachment).toMatchObject({ device_name: '/dev/sdf', stop_instance_before_detaching: true });
  });

  it('lets the monitoring host discover targets (ec2:DescribeInstances) and nothing more', () => {
    const policy = resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === 'discover-targets');
    expect(JSON.parse(policy.policy).Statement).toEqual([{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }]);
  });

  it('no user data names another instance: hosts reach Loki through the monitoring host\'s network interface', () => {
    for (const [name, ci] of Object.entries<any>(tf.data.cloudinit_config)) {
      const text = ci.part.map((p: any) => p.content).join('\n');
      expect(text, name).not.toMatch(/\$\{aws_instance\./);
    }
    const api = Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith('Api'))![1].part[0].content;
    expect(api).toMatch(/https:\/\/\$\{aws_network_interface\.Observability_Monitoring_NetworkInterface_[A-F0-9]+\.private_ip\}:3100\/loki\/api\/v1\/push/);
  });

  it('watches the monitoring host itself (its node_exporter, discovered like any host) and bounds Prometheus and Loki on its volume', () => {
    const mon = fleet.host('Observability');
    expect(mon.script).toContain("printf 'ARGS=\"--web.listen-address=%s:9100 ");
    expect(mon.doc.packages).toContain('prometheus-node-exporter');
    const instance = Object.entries<any>(fleet.tf.resource.aws_instance).find(([k]) => k.startsWith('Observability_Monitoring'))![1];
    expect(instance.tags['gohost:monitor']).toBe('fleet/Observability');
    expect(mon.file('/etc/default/prometheus')).toContain('--storage.tsdb.retention.size=20GB');
    expect(mon.script).toContain('loki_image=/srv/gohost-data/loki.img loki_bytes=$((20480 * 1048576))');
  });

  it('tags every watched instance for discovery', () => {
    const lt = (prefix: string) => Object.entries<any>(tf.resource.aws_launch_template).find(([k]) => k.startsWith(prefix))![1];
    expect(lt('FrontDoor').tag_specifications[0].tags).toMatchObject({ 'gohost:monitor': 'fleet/Observability', 'gohost:nginx': 'true', 'gohost:group': 'true' });
    expect(lt('Api').tag_specifications[0].tags).toMatchObject({ 'gohost:monitor': 'fleet/Observability', 'gohost:app-port': '9464', 'gohost:group': 'true' });
  });

  it('tells the topic when the front door\'s group has no instance in service for five minutes (a replacement that never gets ready)', () => {
    const alarm = resourcesOf(tf, 'aws_cloudwatch_metric_alarm').filter((a) => a.metric_name === 'GroupInServiceInstances');
    expect(alarm).toEqual([expect.objectContaining({
      namespace: 'AWS/AutoScaling', threshold: 1, comparison_operator: 'LessThanThreshold', treat_missing_data: 'breaching',
      dimensions: { AutoScalingGroupName: expect.stringMatching(/^\$\{aws_autoscaling_group\.FrontDoor_Host_Group_[A-F0-9]+\.name\}$/) },
      alarm_actions: [expect.stringMatching(/^\$\{aws_sns_topic\.Observability_AlarmTopic/)],
    })]);
  });

  it('subscribes the alarm email to the topic', () => {
    expect(resourcesOf(tf, 'aws_sns_topic_subscription')).toEqual([expect.objectContaining({ protocol: 'email', endpoint: 'oncall@example.com' })]);
  });

  it('lets the monitoring host publish to exactly the alarm topic', () => {
    const policy = resourcesOf(tf, 'aws_iam_role_policy').find((p) => p.name === 'publish-alerts');
    expect(JSON.parse(policy.policy).Statement).toEqual([{ Effect: 'Allow', Action: 'sns:Publish', Resource: expect.stringMatching(/^\$\{aws_sns_topic\./) }]);
  });

  it('creates no log group (logs go to Loki)', () => {
    expect(tf.resource.aws_cloudwatch_log_group).toBeUndefined();
  });
});

describe('ObservabilityStack options', () => {
  it('passes the OpenTelemetry endpoint to the Go services', () => {
    const { stack, host } = hostStack();
    new ObservabilityStack(stack, 'Obs', { hosts: [host], otelEndpoint: 'http://otel.internal:4318' });
    expect(host.settings.environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel.internal:4318');
    expect(JSON.stringify(synthJson(stack))).toContain('Environment=OTEL_EXPORTER_OTLP_ENDPOINT=http://otel.internal:4318');
  });

  it('ships logs to an external Loki when there is no monitoring host', () => {
    const { stack, host } = hostStack();
    new ObservabilityStack(stack, 'Obs', { hosts: [host], lokiPushUrl: 'https://loki.example.com/loki/api/v1/push' });
    expect(JSON.stringify(synthJson(stack))).toContain('url = \\"https://loki.example.com/loki/api/v1/push\\"');
  });

  it('installs no log shipper without a Loki to send to, and says so in the readiness report', () => {
    const { stack, host } = hostStack();
    new ObservabilityStack(stack, 'Obs', { hosts: [host] });
    expect(JSON.stringify(synthJson(stack))).not.toContain('alloy');
    expect(host.readiness().find((r) => r.id === 'O5')).toMatchObject({ status: 'off' });
  });

  it('O5 says why the monitoring host\'s own journal is not shipped, and a watched host\'s is', () => {
    const { stack, host } = hostStack();
    const obs = new ObservabilityStack(stack, 'Obs', { hosts: [host], monitoringHost: true, subnetId: 'subnet-0123456789abcdef1' });
    synthJson(stack);
    expect(obs.monitoringHost!.readiness().find((r) => r.id === 'O5')?.detail).toMatch(/^the monitoring host's own journal stays on it \(Loki runs here/);
    expect(host.readiness().find((r) => r.id === 'O5')).toMatchObject({ status: 'enforced' });
  });
});

function messageFor(props: ObservabilityStackProps): string {
  const { stack } = newStack();
  return validationError(() => new ObservabilityStack(stack, 'Obs', props)).message;
}

describe('ObservabilityStack rejects bad input at synth time', () => {
  it('SLO values out of range', () => {
    expect(messageFor({ errorRateSloPercent: 0 })).toContain('errorRateSloPercent = 0: is not a percentage between 0 and 100 (exclusive)');
    expect(messageFor({ p99LatencySloMs: -5 })).toContain('p99LatencySloMs = -5: is outside 0–60000 ms');
  });

  it('scrape interval longer than the evaluation interval', () => {
    expect(messageFor({ scrapeIntervalSec: 30, evaluationIntervalSec: 15 })).toContain(
      'scrapeIntervalSec = 30: is longer than evaluationIntervalSec (15 s): rules would re-evaluate the same samples',
    );
  });

  it('a monitoring host without a subnet', () => {
    expect(messageFor({ monitoringHost: true })).toContain('subnetId = (not set): is required for the monitoring host');
  });

  it('an exporter port colliding with a service port', () => {
    expect(messageFor({ appMetricsPort: 9100 })).toContain('appMetricsPort = 9100: collides with an exporter on the same host');
  });

  it('an email that is not an address', () => {
    expect(messageFor({ alarmEmail: 'oncall' })).toContain('alarmEmail = "oncall": is not an email address');
  });

  it('a webhook without the monitoring host that would call it', () => {
    expect(messageFor({ alertWebhookUrl: 'https://hooks.example.com/x' })).toContain('alertWebhookUrl = "https://hooks.example.com/x": needs the monitoring host');
  });

  it('scrape limits of 0 (Prometheus reads 0 as no limit) or below a useful minimum', () => {
    const m = messageFor({ scrapeSampleLimit: 0, scrapeLabelLimit: 0, scrapeBodySizeLimitMiB: 0.5 });
    expect(m).toContain('scrapeSampleLimit = 0: must be a whole number of at least 100 (0 turns Prometheus\'s limit off)');
    expect(m).toContain('scrapeLabelLimit = 0: must be a whole number of at least 10');
    expect(m).toContain('scrapeBodySizeLimitMiB = 0.5: must be a whole number of at least 1');
  });

  it('metric names that are not RE2 regular expressions, or none at all', () => {
    expect(messageFor({ appMetricNames: ['orders_(?=x)'] })).toContain('appMetricNames[0] = "orders_(?=x)": is not a regular expression Prometheus (RE2) accepts');
    expect(messageFor({ appMetricNames: ['orders_[' ] })).toContain('appMetricNames[0] = "orders_[": is not a regular expression');
    expect(messageFor({ appMetricNames: [] })).toContain('appMetricNames = []: is empty');
  });

  it('a scrape job on the services\' metrics port', () => {
    expect(messageFor({ monitoringHost: true, subnetId: 'subnet-0123456789abcdef0', scrapeJobs: [{ jobName: 'queue', port: 9464 }] }))
      .toContain("scrapeJobs[0].port = 9464: is the Go services' metrics port (appMetricsPort)");
  });

  it("metrics on the service's traffic port: the scraper could call the API around the front door", () => {
    const { stack } = newStack();
    const host = new HardenedGoHost(stack, 'Api', { ...baseProps, listenPort: 9464 });
    new ObservabilityStack(stack, 'Obs', { hosts: [host] });
    expect(() => synthJson(stack)).toThrow("[test/Obs] appMetricsPort = 9464: is test/Api's listenPort: the monitoring host could call the whole API directly");
  });

  it('retention sizes that leave the data volume no room', () => {
    expect(messageFor({ monitoringHost: true, subnetId: 'subnet-0123456789abcdef0', dataVolumeSizeGiB: 50, prometheusRetentionSizeGiB: 30, lokiStorageSizeGiB: 30 }))
      .toContain('prometheusRetentionSizeGiB = 30: with lokiStorageSizeGiB (30) takes 60 of the 50 GiB data volume: more than 90%');
    expect(messageFor({ lokiStorageSizeGiB: 0 })).toContain('lokiStorageSizeGiB = 0: must be a whole number of GiB, at least 1');
  });

  it('watching a host twice', () => {
    const { stack } = newStack();
    const host = new HardenedGoHost(stack, 'Api', baseProps);
    const obs = new ObservabilityStack(stack, 'Obs', { hosts: [host] });
    obs.watch(host);
    expect(() => synthJson(stack)).toThrow('[test/Obs] hosts = "test/Api": is watched twice');
  });
});

describe('UFW on a Go host mirrors its security group', () => {
  it('admits each group from the addresses it stands for, one rule per source naming every reason', () => {
    const api = fleet.host('Api');
    const rules = api.script.split('\n').filter((l) => l.startsWith('ufw allow'));
    // The load balancer's VPC and the monitoring host's interface (resolved as Terraform would): no private range.
    expect(rules).toEqual([
      "ufw allow proto tcp from 10.0.0.0/16 to any port 8080 comment 'orders-api from its load balancer traffic and health checks'",
      "ufw allow proto tcp from 10.0.1.20/32 to any port 9100,9464 comment 'node_exporter from monitoring, app metrics from monitoring'",
    ]);
  });
});
