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
    expect(ingress.filter((r) => r.from_port === 9100)).toHaveLength(4);
    expect(ingress.filter((r) => r.from_port === 9113)).toHaveLength(1);
  });

  it('lets every watched host push logs to Loki on the monitoring host, and nothing else in', () => {
    const monRules = ingress.filter((r) => /Observability_Monitoring_SecurityGroup/.test(r.security_group_id));
    expect(monRules.every((r) => r.from_port === 3100 && r.referenced_security_group_id)).toBe(true);
    expect(monRules).toHaveLength(4);
  });

  it('reboots on a failed instance check and recovers on a failed system check, both notifying the topic', () => {
    const alarms = resourcesOf(tf, 'aws_cloudwatch_metric_alarm');
    const reboot = alarms.filter((a) => a.metric_name === 'StatusCheckFailed_Instance');
    const recover = alarms.filter((a) => a.metric_name === 'StatusCheckFailed_System');
    expect(reboot).toHaveLength(5);
    expect(recover).toHaveLength(5);
    for (const a of reboot) expect(a.alarm_actions).toEqual([expect.stringMatching(/:ec2:reboot$/), expect.stringMatching(/^\$\{aws_sns_topic\.Observability_AlarmTopic/)]);
    for (const a of recover) expect(a.alarm_actions).toEqual([expect.stringMatching(/:ec2:recover$/), expect.stringMatching(/^\$\{aws_sns_topic\.Observability_AlarmTopic/)]);
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

  it('watching a host twice', () => {
    const { stack } = newStack();
    const host = new HardenedGoHost(stack, 'Api', baseProps);
    const obs = new ObservabilityStack(stack, 'Obs', { hosts: [host] });
    expect(() => obs.watch(host)).toThrow('test/Obs: 1 invalid input:\n  - hosts = "test/Api": is watched twice');
  });
});

describe('UFW on a Go host admitted by two groups on one port', () => {
  it('holds one rule per source, naming every reason', () => {
    const api = fleet.host('Api1');
    const rules = api.script.split('\n').filter((l) => l.startsWith('ufw allow'));
    expect(new Set(rules.map((l) => l.replace(/ comment .*/, ''))).size).toBe(rules.length);
    expect(rules).toContain(
      "ufw allow proto tcp from 10.0.0.0/8 to any port 8080,9100 comment 'app port from front-door and app metrics from monitoring, node_exporter from monitoring'",
    );
  });
});
