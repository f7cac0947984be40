/**
 * Users' own alert rules and scrape jobs: written beside the library's, judged by promtool, each
 * rule proven by a `promtool test rules` case built with the exported helper; a job's port opened
 * to the monitoring host alone (security group and UFW) on the hosts it names.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { Testing } from 'cdktf';
import { beforeAll, describe, expect, it } from 'vitest';
import { HardenedGoHost, ObservabilityStack, ObservabilityStackProps, promtoolRuleTests } from '../../lib';
import { OBS } from '../../lib/observability/artifacts';
import { validationError } from '../helpers/errors';
import { hostFiles } from '../helpers/host-files';
import { inPrivateRoot } from '../helpers/namespaces';
import { baseProps, newStack, resourcesOf, synthJson } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

beforeAll(() => {
  for (const t of ['promtool', 'unshare']) requireTool(t);
});

const MON = { monitoringHost: true, subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0' } as const;
const QUEUE_RULE = { alert: 'QueueBacklogHigh', expr: 'max by (host) (queue_depth) > 1000', for: '10m', severity: 'critical', summary: 'Queue backlog on {{ $labels.host }}' } as const;

function stackWith(props: Partial<ObservabilityStackProps>, jobHosts: 'worker' | 'all' = 'worker') {
  const { stack } = newStack();
  const api = new HardenedGoHost(stack, 'Api', baseProps);
  const worker = new HardenedGoHost(stack, 'Worker', { ...baseProps, serviceName: 'worker' });
  new ObservabilityStack(stack, 'Observability', {
    ...MON,
    hosts: [api, worker],
    alertRules: [QUEUE_RULE],
    scrapeJobs: [{ jobName: 'worker-queue', port: 9465, ...(jobHosts === 'worker' ? { hosts: [worker] } : {}) }],
    ...props,
  });
  const tf = synthJson(stack);
  const files = (prefix: string) => hostFiles(Object.entries<any>(tf.data.cloudinit_config).find(([k]) => k.startsWith(prefix))![1].part);
  return { tf, mon: files('Observability'), worker: files('Worker'), api: files('Api') };
}

function write(name: string, content: string): string {
  const f = path.join(tempDir('obs-custom'), name);
  fs.writeFileSync(f, content);
  return f;
}

describe('ObservabilityStack: your own alert rules', () => {
  const { mon } = stackWith({});
  const rulesText = mon.file(OBS.rulesFile);

  it('adds them in a group of their own beside the library\'s, defaults applied', () => {
    const doc = YAML.parse(rulesText);
    expect(doc.groups.map((g: any) => g.name)).toEqual(['gohost', 'custom']);
    expect(doc.groups[1].rules).toEqual([{
      alert: 'QueueBacklogHigh', expr: 'max by (host) (queue_depth) > 1000', for: '10m', labels: { severity: 'critical' },
      annotations: { summary: 'Queue backlog on {{ $labels.host }}', description: 'Queue backlog on {{ $labels.host }}' },
    }]);
  });

  it('promtool check rules accepts the file', () => {
    const r = run('promtool', ['check', 'rules', write('rules.yml', rulesText)]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('promtoolRuleTests: the rule fires on a backlog and stays silent without one (promtool test rules)', () => {
    const rules = write('gohost.rules.yml', rulesText);
    const file = write('test.yml', promtoolRuleTests(rules, [
      { alert: 'QueueBacklogHigh', series: { 'queue_depth{host="worker"}': '2000x20' }, evalTime: '15m',
        expectFiring: [{ labels: { severity: 'critical', host: 'worker' }, annotations: { summary: 'Queue backlog on worker', description: 'Queue backlog on worker' } }] },
      { alert: 'QueueBacklogHigh', series: { 'queue_depth{host="worker"}': '10x20' }, evalTime: '15m' },
    ]));
    const r = run('promtool', ['test', 'rules', file]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('promtoolRuleTests without annotations expects the rule\'s own, labels filled in (the README\'s example passes)', () => {
    const rules = write('gohost.rules.yml', rulesText);
    const file = write('test.yml', promtoolRuleTests(rules, [
      { alert: 'QueueBacklogHigh', series: { 'queue_depth{host="worker"}': '2000x20' }, evalTime: '15m', expectFiring: [{ labels: { severity: 'critical', host: 'worker' } }] },
    ]));
    expect(JSON.parse(fs.readFileSync(file, 'utf8')).tests[0].alert_rule_test[0].exp_alerts[0].exp_annotations).toEqual({ summary: 'Queue backlog on worker', description: 'Queue backlog on worker' });
    const r = run('promtool', ['test', 'rules', file]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
  });

  it('promtoolRuleTests fails when the expectation is wrong (the helper tests something)', () => {
    const rules = write('gohost.rules.yml', rulesText);
    const file = write('test.yml', promtoolRuleTests(rules, [
      { alert: 'QueueBacklogHigh', series: { 'queue_depth{host="worker"}': '10x20' }, evalTime: '15m', expectFiring: [{ labels: { severity: 'critical', host: 'worker' } }] },
    ]));
    expect(run('promtool', ['test', 'rules', file]).status).not.toBe(0);
  });
});

describe('ObservabilityStack: your own scrape jobs', () => {
  it('scrapes the port on the instances tagged for the job, found by EC2 service discovery; promtool check config accepts it', () => {
    const { mon } = stackWith({});
    const config = mon.file('/etc/prometheus/prometheus.yml');
    const job = YAML.parse(config).scrape_configs.find((j: any) => j.job_name === 'worker-queue');
    expect(job.metrics_path).toBe('/metrics');
    expect(job.ec2_sd_configs[0].port).toBe(9465);
    expect(job.ec2_sd_configs[0].filters).toContainEqual({ name: 'tag-key', values: ['gohost:scrape:worker-queue'] });
    const rules = write('rules.yml', mon.file(OBS.rulesFile));
    const r = inPrivateRoot(`mkdir -p /etc/prometheus/rules && cp ${rules} ${OBS.rulesFile} && promtool check config ${write('prometheus.yml', config)}`);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('opens the port to the monitoring host\'s group on the named hosts only, in the security group and in UFW', () => {
    const { tf, worker, api } = stackWith({});
    const rules = resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 9465);
    expect(rules).toHaveLength(1);
    expect(rules[0].security_group_id).toMatch(/aws_security_group\.Worker_SecurityGroup/);
    expect(rules[0].referenced_security_group_id).toMatch(/aws_security_group\.Observability_Monitoring_SecurityGroup/);
    // From the monitoring host's own address (its network interface, resolved as Terraform would).
    expect(worker.script).toMatch(/^ufw allow proto tcp from 10\.0\.1\.20\/32 to any port [0-9,]*9465/m);
    expect(api.script).not.toContain('9465');
    const tagOf = (name: string) => resourcesOf(tf, 'aws_instance').find((i) => i.tags.Name === `test-${name}`).tags['gohost:scrape:worker-queue'];
    expect(tagOf('Worker')).toBe('9465');
    expect(tagOf('Api')).toBeUndefined();
  });

  it('without hosts, every watched host serves the job', () => {
    const { tf } = stackWith({}, 'all');
    expect(resourcesOf(tf, 'aws_vpc_security_group_ingress_rule').filter((r) => r.from_port === 9465)).toHaveLength(2);
  });
});

describe('ObservabilityStack: refused rules and jobs', () => {
  const refused = (props: Partial<ObservabilityStackProps>) => {
    const { stack } = newStack();
    const api = new HardenedGoHost(stack, 'Api', baseProps);
    new ObservabilityStack(stack, 'Observability', { ...MON, hosts: [api], ...props });
    return validationError(() => stack).message;
  };

  it.each([
    [{ alertRules: [{ ...QUEUE_RULE, alert: 'InstanceDown' }] }, /alertRules\[0\]\.alert = "?InstanceDown"?: is the name of one of the library's alerts/],
    [{ alertRules: [QUEUE_RULE, QUEUE_RULE] }, /alertRules\[1\]\.alert = "?QueueBacklogHigh"?: is used twice/],
    [{ alertRules: [{ ...QUEUE_RULE, alert: 'Queue Backlog' }] }, /alertRules\[0\]\.alert = "?Queue Backlog"?: is not a Prometheus alert name/],
    [{ alertRules: [{ ...QUEUE_RULE, for: '10 minutes' }] }, /alertRules\[0\]\.for = "?10 minutes"?: is not a Prometheus duration/],
    [{ alertRules: [{ ...QUEUE_RULE, expr: 'up\n== 0' }] }, /alertRules\[0\]\.expr = .*holds control characters/],
    [{ alertRules: [{ ...QUEUE_RULE, severity: 'page' as never }] }, /alertRules\[0\]\.severity = "?page"?: is not a severity/],
    // Prometheus would refuse the rules file and not start: no alert at all.
    [{ alertRules: [{ ...QUEUE_RULE, expr: 'sum(rate(jobs_failed_total[5m]) by (job)' }] }, /alertRules\[0\]\.expr = .*: is not PromQL: the parser stops at character/],
    [{ alertRules: [{ ...QUEUE_RULE, summary: 'Backlog on {{ $labels.host }' }] }, /alertRules\[0\]\.summary = .*: is not an annotation template Prometheus loads: it has "\{\{" at character 12 that is never closed/],
    [{ alertRules: [{ ...QUEUE_RULE, description: '{{ $lables.host }}' }] }, /alertRules\[0\]\.description = .*undefined variable \$lables/],
    [{ scrapeJobs: [{ jobName: 'node', port: 9465 }] }, /scrapeJobs\[0\]\.jobName = "?node"?: is the name of one of the library's jobs/],
    [{ scrapeJobs: [{ jobName: 'worker-queue', port: 9100 }] }, /scrapeJobs\[0\]\.port = 9100: is node_exporter's port on every host/],
    [{ scrapeJobs: [{ jobName: 'Worker Queue', port: 9465 }] }, /scrapeJobs\[0\]\.jobName = "?Worker Queue"?: is not a job name/],
    [{ scrapeJobs: [{ jobName: 'q', port: 9465, metricsPath: 'metrics' }] }, /scrapeJobs\[0\]\.metricsPath = "?metrics"?: is not an absolute URL path/],
    [{ monitoringHost: false, subnetId: undefined, alertRules: [QUEUE_RULE] }, /alertRules = .*needs the monitoring host/],
  ])('%o', (props, message) => {
    expect(refused(props as Partial<ObservabilityStackProps>)).toMatch(message);
  });

  it('a job naming a host the stack does not watch fails synth', () => {
    const { stack } = newStack();
    const api = new HardenedGoHost(stack, 'Api', baseProps);
    const other = new HardenedGoHost(stack, 'Other', { ...baseProps, serviceName: 'other' });
    new ObservabilityStack(stack, 'Observability', { ...MON, hosts: [api], scrapeJobs: [{ jobName: 'q', port: 9465, hosts: [other] }] });
    expect(() => Testing.synth(stack, true)).toThrow(/scrapeJobs\[0\]\.hosts = test\/Other: is not watched by this stack/);
  });
});
