/**
 * The monitoring configuration judged by its programs (Debian's promtool and amtool), every alert
 * proven by `promtool test rules` to fire on the series that should fire it and to stay silent on
 * healthy ones. Alloy, Loki and Grafana are not packaged by Debian: their files are tested by
 * structure only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_THRESHOLDS, alertRules } from '../../lib/observability/alert-rules';
import { OBS, rulesFile } from '../../lib/observability/artifacts';
import { inPrivateRoot } from '../helpers/namespaces';
import { fleetFiles } from '../helpers/observability';
import { resourcesOf } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

const fleet = fleetFiles();
const mon = fleet.host('Observability');
const api = fleet.host('Api');
const fd = fleet.host('FrontDoor');

beforeAll(() => {
  for (const t of ['promtool', 'amtool', 'cloud-init', 'shellcheck', 'unshare']) requireTool(t);
});

function write(name: string, content: string): string {
  const f = path.join(tempDir('obs'), name);
  fs.writeFileSync(f, content);
  return f;
}

describe('Prometheus and Alertmanager configuration (promtool, amtool)', () => {
  it('promtool check config accepts prometheus.yml (with its rules file in place)', () => {
    const config = write('prometheus.yml', mon.file('/etc/prometheus/prometheus.yml'));
    const rules = write('rules.yml', mon.file(OBS.rulesFile));
    const r = inPrivateRoot(`mkdir -p /etc/prometheus/rules && cp ${rules} ${OBS.rulesFile} && promtool check config ${config}`);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });

  it('finds every watched instance by EC2 service discovery on its tags (no address in the configuration), labelled by host', () => {
    const doc = YAML.parse(mon.file('/etc/prometheus/prometheus.yml'));
    const job = (name: string) => doc.scrape_configs.find((j: any) => j.job_name === name);
    const watched = { name: 'tag:gohost:monitor', values: ['fleet/Observability'] };
    const running = { name: 'instance-state-name', values: ['running'] };
    expect(job('node').ec2_sd_configs).toEqual([{ region: 'eu-west-1', port: 9100, refresh_interval: '60s', filters: [watched, running] }]);
    expect(job('nginx').ec2_sd_configs[0].filters).toEqual([watched, running, { name: 'tag:gohost:nginx', values: ['true'] }]);
    expect(job('app').ec2_sd_configs[0].filters).toEqual([watched, running, { name: 'tag-key', values: ['gohost:app-port'] }]);
    expect(job('app').relabel_configs[0]).toEqual({ source_labels: ['__meta_ec2_private_ip', '__meta_ec2_tag_gohost_app_port'], separator: ':', target_label: '__address__' });
    for (const name of ['node', 'nginx', 'app']) {
      expect(job(name).static_configs).toBeUndefined();
      expect(job(name).relabel_configs).toContainEqual({ source_labels: ['__meta_ec2_tag_gohost_group', '__meta_ec2_tag_Name', '__meta_ec2_instance_id'], regex: 'true;(.+);(.+)', target_label: 'host', replacement: '$1/$2' });
    }
    expect(job('blackbox-health').static_configs[0].targets).toEqual(['https://api.example.com/healthz']);
    expect(mon.file('/etc/prometheus/prometheus.yml')).not.toMatch(/10\.\d+\.\d+\.\d+/);
  });

  it('bounds every scrape of a watched target and keeps only the known names of the service\'s metrics', () => {
    const doc = YAML.parse(mon.file('/etc/prometheus/prometheus.yml'));
    const job = (name: string) => doc.scrape_configs.find((j: any) => j.job_name === name);
    for (const name of ['node', 'nginx', 'app']) {
      expect(job(name), name).toMatchObject({ sample_limit: 20000, label_limit: 30, label_name_length_limit: 128, label_value_length_limit: 1024, body_size_limit: '10MB' });
    }
    expect(job('app').metric_relabel_configs).toEqual([{ source_labels: ['__name__'], regex: 'go_.*|process_.*|promhttp_.*|http_.*', action: 'keep' }]);
    // The local exporters Prometheus trusts are not bounded.
    expect(job('prometheus').sample_limit).toBeUndefined();
  });

  it('promtool check rules accepts the rules file', () => {
    const r = run('promtool', ['check', 'rules', write('rules.yml', mon.file(OBS.rulesFile))]);
    expect(r.stdout).toContain(`SUCCESS: ${alertRules(DEFAULT_THRESHOLDS).length} rules found`);
    expect(r.status).toBe(0);
  });

  it('amtool check-config accepts alertmanager.yml, routing to SNS', () => {
    const f = write('alertmanager.yml', mon.file('/etc/prometheus/alertmanager.yml'));
    const r = run('amtool', ['check-config', f]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
    expect(YAML.parse(fs.readFileSync(f, 'utf8')).receivers[0].sns_configs[0].topic_arn).toMatch(/^arn:aws:sns:/);
  });
});

/** Expected annotations: the rule's templates with the alert's labels filled in. */
function annotations(alert: string, labels: Record<string, string>): Record<string, string> {
  const rule = alertRules(DEFAULT_THRESHOLDS).find((r) => r.alert === alert)!;
  const fill = (t: string) => t.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, k: string) => labels[k] ?? '');
  return { summary: fill(rule.annotations.summary), description: fill(rule.annotations.description) };
}

interface AlertCase {
  readonly alert: string;
  readonly interval: string;
  readonly evalTime: string;
  readonly firing: ReadonlyArray<{ series: string; values: string }>;
  readonly healthy: ReadonlyArray<{ series: string; values: string }>;
  /** Labels of the firing alert besides alertname and severity. */
  readonly labels: Record<string, string>;
}

const CASES: AlertCase[] = [
  { alert: 'InstanceDown', interval: '1m', evalTime: '3m', labels: { job: 'node', host: 'a', instance: '10.0.0.1:9100' },
    firing: [{ series: 'up{job="node",host="a",instance="10.0.0.1:9100"}', values: '0x5' }],
    healthy: [{ series: 'up{job="node",host="a",instance="10.0.0.1:9100"}', values: '1x5' }] },
  { alert: 'SystemdUnitFailed', interval: '1m', evalTime: '3m', labels: { job: 'node', host: 'a', name: 'orders-api.service', state: 'failed' },
    firing: [{ series: 'node_systemd_unit_state{job="node",host="a",name="orders-api.service",state="failed"}', values: '1x5' }],
    healthy: [{ series: 'node_systemd_unit_state{job="node",host="a",name="orders-api.service",state="failed"}', values: '0x5' }] },
  { alert: 'SystemdUnitRestartLoop', interval: '1m', evalTime: '10m', labels: { job: 'node', host: 'a', name: 'orders-api.service' },
    firing: [{ series: 'node_systemd_service_restart_total{job="node",host="a",name="orders-api.service"}', values: '0+1x15' }],
    healthy: [{ series: 'node_systemd_service_restart_total{job="node",host="a",name="orders-api.service"}', values: '2x15' }] },
  { alert: 'ErrorRateAboveSlo', interval: '1m', evalTime: '15m', labels: { host: 'a' },
    firing: [
      { series: 'http_requests_total{job="app",host="a",code="200"}', values: '0+1000x20' },
      { series: 'http_requests_total{job="app",host="a",code="500"}', values: '0+2x20' },
    ],
    healthy: [
      { series: 'http_requests_total{job="app",host="a",code="200"}', values: '0+1000x20' },
      { series: 'http_requests_total{job="app",host="a",code="500"}', values: '0+0.5x20' },
    ] },
  { alert: 'LatencyP99AboveSlo', interval: '1m', evalTime: '15m', labels: { host: 'a' },
    firing: [
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="0.1"}', values: '0+50x20' },
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="0.3"}', values: '0+90x20' },
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="0.5"}', values: '0+100x20' },
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="+Inf"}', values: '0+100x20' },
    ],
    healthy: [
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="0.1"}', values: '0+100x20' },
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="0.3"}', values: '0+100x20' },
      { series: 'http_request_duration_seconds_bucket{job="app",host="a",le="+Inf"}', values: '0+100x20' },
    ] },
  { alert: 'FileDescriptorsNearLimit', interval: '1m', evalTime: '7m', labels: { job: 'app', host: 'a', instance: '10.0.0.1:8080' },
    firing: [
      { series: 'process_open_fds{job="app",host="a",instance="10.0.0.1:8080"}', values: '60000x10' },
      { series: 'gohost_service_limit_nofile{job="node",host="a",instance="10.0.0.1:9100",service="orders-api"}', values: '65536x10' },
    ],
    healthy: [
      { series: 'process_open_fds{job="app",host="a",instance="10.0.0.1:8080"}', values: '1000x10' },
      { series: 'gohost_service_limit_nofile{job="node",host="a",instance="10.0.0.1:9100",service="orders-api"}', values: '65536x10' },
    ] },
  { alert: 'MemoryNearMemoryMax', interval: '1m', evalTime: '7m', labels: { job: 'app', host: 'a', instance: '10.0.0.1:8080' },
    firing: [
      { series: 'process_resident_memory_bytes{job="app",host="a",instance="10.0.0.1:8080"}', values: '1500000000x10' },
      { series: 'gohost_service_memory_max_bytes{job="node",host="a",instance="10.0.0.1:9100",service="orders-api"}', values: '1610612736x10' },
    ],
    healthy: [
      { series: 'process_resident_memory_bytes{job="app",host="a",instance="10.0.0.1:8080"}', values: '500000000x10' },
      { series: 'gohost_service_memory_max_bytes{job="node",host="a",instance="10.0.0.1:9100",service="orders-api"}', values: '1610612736x10' },
    ] },
  { alert: 'GoroutinesGrowing', interval: '1m', evalTime: '35m', labels: { job: 'app', host: 'a', instance: '10.0.0.1:8080' },
    firing: [{ series: 'go_goroutines{job="app",host="a",instance="10.0.0.1:8080"}', values: '100+10x40' }],
    healthy: [{ series: 'go_goroutines{job="app",host="a",instance="10.0.0.1:8080"}', values: '100x40' }] },
  { alert: 'GcPauseHigh', interval: '1m', evalTime: '20m', labels: { job: 'app', host: 'a', instance: '10.0.0.1:8080' },
    firing: [{ series: 'go_gc_duration_seconds_sum{job="app",host="a",instance="10.0.0.1:8080"}', values: '0+6x30' }],
    healthy: [{ series: 'go_gc_duration_seconds_sum{job="app",host="a",instance="10.0.0.1:8080"}', values: '0+0.6x30' }] },
  { alert: 'ClockNotSynchronised', interval: '1m', evalTime: '20m', labels: { job: 'node', host: 'a', instance: '10.0.0.1:9100' },
    firing: [
      { series: 'node_timex_sync_status{job="node",host="a",instance="10.0.0.1:9100"}', values: '0x30' },
      { series: 'node_timex_maxerror_seconds{job="node",host="a",instance="10.0.0.1:9100"}', values: '16x30' },
    ],
    healthy: [
      { series: 'node_timex_sync_status{job="node",host="a",instance="10.0.0.1:9100"}', values: '1x30' },
      { series: 'node_timex_maxerror_seconds{job="node",host="a",instance="10.0.0.1:9100"}', values: '0.01x30' },
    ] },
  { alert: 'DiskAlmostFull', interval: '1m', evalTime: '7m', labels: { job: 'node', host: 'a', device: '/dev/nvme0n1p1', fstype: 'ext4', mountpoint: '/' },
    firing: [
      { series: 'node_filesystem_avail_bytes{job="node",host="a",device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"}', values: '10x10' },
      { series: 'node_filesystem_size_bytes{job="node",host="a",device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"}', values: '100x10' },
    ],
    healthy: [
      { series: 'node_filesystem_avail_bytes{job="node",host="a",device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"}', values: '50x10' },
      { series: 'node_filesystem_size_bytes{job="node",host="a",device="/dev/nvme0n1p1",fstype="ext4",mountpoint="/"}', values: '100x10' },
    ] },
  { alert: 'CertificateExpiring', interval: '5m', evalTime: '25h', labels: { job: 'node', host: 'a' },
    // A 90-day certificate with 10 days left fires; with 80 days left it does not (time() starts at 0).
    firing: [
      { series: 'gohost_tls_certificate_not_before_seconds{job="node",host="a"}', values: '-6912000x400' },
      { series: 'gohost_tls_certificate_not_after_seconds{job="node",host="a"}', values: '864000x400' },
    ],
    healthy: [
      { series: 'gohost_tls_certificate_not_before_seconds{job="node",host="a"}', values: '-864000x400' },
      { series: 'gohost_tls_certificate_not_after_seconds{job="node",host="a"}', values: '6912000x400' },
    ] },
  { alert: 'ScrapeLimitExceeded', interval: '1m', evalTime: '5m', labels: { job: 'prometheus', host: 'monitoring', instance: '127.0.0.1:9090' },
    firing: [{ series: 'prometheus_target_scrapes_exceeded_sample_limit_total{job="prometheus",host="monitoring",instance="127.0.0.1:9090"}', values: '0 0 1 2 3 4 5' }],
    healthy: [{ series: 'prometheus_target_scrapes_exceeded_sample_limit_total{job="prometheus",host="monitoring",instance="127.0.0.1:9090"}', values: '0x6' }] },
  { alert: 'HealthProbeFailing', interval: '1m', evalTime: '3m', labels: { job: 'blackbox-health', instance: 'https://api.example.com/healthz' },
    firing: [{ series: 'probe_success{job="blackbox-health",instance="https://api.example.com/healthz"}', values: '0x5' }],
    healthy: [{ series: 'probe_success{job="blackbox-health",instance="https://api.example.com/healthz"}', values: '1x5' }] },
];

describe('promtool test rules: every alert fires on bad series and stays silent on healthy ones', () => {
  const rules = write('gohost.rules.yml', rulesFile(DEFAULT_THRESHOLDS));

  it('covers every alert the library ships', () => {
    expect(CASES.map((c) => c.alert).sort()).toEqual(alertRules(DEFAULT_THRESHOLDS).map((r) => r.alert).sort());
  });

  it.each(CASES)('$alert', (c) => {
    const severity = alertRules(DEFAULT_THRESHOLDS).find((r) => r.alert === c.alert)!.labels.severity;
    const test = (series: AlertCase['firing'], firing: boolean) => ({
      interval: c.interval,
      input_series: series.map((s) => ({ series: s.series, values: s.values })),
      alert_rule_test: [{
        eval_time: c.evalTime,
        alertname: c.alert,
        exp_alerts: firing ? [{ exp_labels: { severity, ...c.labels }, exp_annotations: annotations(c.alert, c.labels) }] : [],
      }],
    });
    const file = write('test.yml', YAML.stringify({ rule_files: [rules], evaluation_interval: '1m', tests: [test(c.firing, true), test(c.healthy, false)] }));
    const r = run('promtool', ['test', 'rules', file]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('a service cannot make a host alert fire: series of the host alerts from the app job stay silent', () => {
  const rules = write('gohost.rules.yml', rulesFile(DEFAULT_THRESHOLDS));
  // The firing series of every alert about the host, exposed by the service instead of node_exporter
  // (`up` is written by Prometheus itself for every job, not scraped).
  const forged = CASES.filter((c) => c.alert !== 'InstanceDown' && c.firing.some((f) => f.series.includes('job="node"')));

  it('covers the host alerts', () => {
    expect(forged.map((c) => c.alert).sort()).toEqual(['CertificateExpiring', 'ClockNotSynchronised', 'DiskAlmostFull', 'FileDescriptorsNearLimit', 'MemoryNearMemoryMax', 'SystemdUnitFailed', 'SystemdUnitRestartLoop']);
  });

  it.each(forged)('$alert', (c) => {
    const test = {
      interval: c.interval,
      input_series: c.firing.map((f) => ({ series: f.series.replace('job="node"', 'job="app"'), values: f.values })),
      alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: [] }],
    };
    const r = run('promtool', ['test', 'rules', write('forged.yml', YAML.stringify({ rule_files: [rules], evaluation_interval: '1m', tests: [test] }))]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
    expect(r.status).toBe(0);
  });
});

describe('user data of the monitoring host and the sidecars', () => {
  it.each([['monitoring host', mon], ['Go host with sidecars', api], ['front door with sidecars', fd]])('cloud-init schema accepts the %s cloud-config', (_, files) => {
    const r = run('cloud-init', ['schema', '--config-file', write('user-data.yaml', files.cloudConfig)]);
    expect(r.stdout + r.stderr).toContain('Valid cloud-config');
  });

  it.each([['monitoring host', mon], ['Go host with sidecars', api], ['front door with sidecars', fd]])('shellcheck finds nothing in the %s bootstrap script', (_, files) => {
    expect(run('shellcheck', ['--shell=bash', '-'], { input: files.script }).stdout).toBe('');
  });

  it('fetches the Grafana key over hkps (port 443), which every host may reach: GnuPG reaches a bare keyserver name on 11371', () => {
    for (const files of [mon, api, fd]) expect(files.doc.apt.sources.grafana.keyserver).toMatch(/^hkps:\/\//);
    // Every host that installs Alloy leaves on 443; none is allowed 11371.
    const egress = resourcesOf(fleet.tf, 'aws_vpc_security_group_egress_rule');
    for (const prefix of ['Api_', 'FrontDoor_Host_', 'Observability_Monitoring_']) {
      const own = egress.filter((r) => r.security_group_id.includes(`aws_security_group.${prefix}SecurityGroup`));
      expect(own.some((r) => r.from_port === 443 && r.to_port === 443 && r.cidr_ipv4 === '0.0.0.0/0'), prefix).toBe(true);
      expect(own.some((r) => r.from_port <= 11371 && r.to_port >= 11371), prefix).toBe(false);
    }
  });

  it("adds Grafana's apt repository through cloud-init's apt module, pinned to the signing key's fingerprint", () => {
    expect(mon.doc.apt.sources.grafana).toEqual({
      source: 'deb [signed-by=$KEY_FILE] https://apt.grafana.com stable main',
      keyid: 'B53AE77BADB630A683046005963FA27710458545',
      keyserver: 'hkps://keyserver.ubuntu.com',
    });
    expect(mon.doc.packages).toEqual(expect.arrayContaining(['prometheus', 'prometheus-alertmanager', 'prometheus-blackbox-exporter', 'loki', 'grafana']));
    expect(api.doc.packages).toEqual(expect.arrayContaining(['prometheus-node-exporter', 'alloy']));
    expect(api.doc.packages).not.toContain('promtail');
  });

  it('binds node_exporter and the nginx exporter to the private address, with the systemd and textfile collectors', () => {
    expect(fd.script).toContain(`printf 'ARGS="--web.listen-address=%s:9100 --collector.systemd --collector.systemd.enable-restarts-metrics --collector.textfile.directory=/var/lib/prometheus/node-exporter"\\n' "$private_ip"`);
    expect(fd.script).toContain(`printf 'ARGS="--nginx.scrape-uri=http://127.0.0.1:8088/stub_status --web.listen-address=%s:9113"\\n' "$private_ip"`);
    expect(api.script).not.toContain('prometheus-nginx-exporter');
  });

  it("exports the service's LimitNOFILE and MemoryMax for the alerts", () => {
    expect(api.file('/var/lib/prometheus/node-exporter/gohost_service.prom')).toContain('gohost_service_limit_nofile{service="orders-api"} 65536\n');
  });
});

describe('Alloy, Loki and Grafana files (structure only: Debian packages none of them, so they cannot be run here)', () => {
  it('Alloy reads the journal with service / level / host labels and pushes to the monitoring host\'s Loki', () => {
    const alloy = api.file('/etc/alloy/config.alloy');
    expect(alloy).toContain('loki.source.journal "journal" {');
    expect(alloy).toContain('    source_labels = ["__journal__systemd_unit"]\n    target_label  = "service"');
    expect(alloy).toContain('    source_labels = ["__journal_priority_keyword"]\n    target_label  = "level"');
    // A group member's host label gets its instance ID at boot, as Prometheus's relabelling does.
    expect(alloy).toContain('labels        = { "host" = "fleet-Api/@INSTANCE_ID@" }');
    expect(api.script).toContain('sed -i "s|@INSTANCE_ID@|$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/instance-id)|" /etc/alloy/config.alloy');
    // The monitoring host's network interface (resolved here as Terraform would).
    // The monitoring host's log gateway on its network interface (resolved here as Terraform would), with this host's token and the gateway's certificate pinned.
    expect(alloy).toContain([
      '  endpoint {',
      '    url               = "https://10.0.1.20:3100/loki/api/v1/push"',
      '    bearer_token_file = "/run/gohost/loki/token"',
      '    tls_config {',
      '      ca_file = "/run/gohost/loki/ca.pem"',
      '    }',
      '  }',
    ].join('\n'));
    expect(api.script).toContain('usermod -aG adm,systemd-journal alloy');
  });

  it("Alloy also ships the front door's JSON access log", () => {
    expect(fd.file('/etc/alloy/config.alloy')).toContain('"__path__" = "/var/log/nginx/access.json", "service" = "nginx"');
  });

  it('Alloy braces balance and every component reference points at a declared component', () => {
    const alloy = api.file('/etc/alloy/config.alloy');
    expect((alloy.match(/\{/g) ?? []).length).toBe((alloy.match(/\}/g) ?? []).length);
    const declared = new Set([...alloy.matchAll(/^([a-z.]+) "(\w+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`));
    for (const m of alloy.matchAll(/= \[?([a-z]+\.[a-z.]+\.\w+)\.(receiver|rules)/g)) expect(declared.has(m[1]), m[1]).toBe(true);
  });

  it('Loki listens on loopback only (the log gateway is the way in), one tenant per host with its own ingestion limit, and keeps the retention', () => {
    const loki = YAML.parse(mon.file('/etc/loki/config.yml'));
    expect(loki.auth_enabled).toBe(true);
    expect(loki.server).toMatchObject({ http_listen_address: '127.0.0.1', http_listen_port: 3101, grpc_listen_address: '127.0.0.1' });
    expect(loki.limits_config).toEqual({ retention_period: '360h', ingestion_rate_mb: 4, ingestion_burst_size_mb: 8 });
    expect(loki.querier.multi_tenant_queries_enabled).toBe(true);
    expect(loki.compactor.retention_enabled).toBe(true);
  });

  it('Grafana has the Prometheus and Loki data sources and the Go service dashboard', () => {
    const ds = YAML.parse(mon.file('/etc/grafana/provisioning/datasources/gohost.yaml'));
    expect(ds.datasources.map((d: any) => [d.type, d.url])).toEqual([['prometheus', 'http://127.0.0.1:9090'], ['loki', 'http://127.0.0.1:3101']]);
    // Every watched host's tenant at once, from the file log-tenants writes.
    expect(ds.datasources[1].jsonData).toEqual({ httpHeaderName1: 'X-Scope-OrgID' });
    expect(ds.datasources[1].secureJsonData).toEqual({ httpHeaderValue1: '$__file{/etc/grafana/gohost-loki-tenants}' });
    const dash = JSON.parse(mon.file('/var/lib/grafana/dashboards/gohost/go-service.json'));
    expect(dash.panels.map((p: any) => p.title)).toEqual([
      'Requests per second', 'Error rate (5xx)', 'p99 latency', 'Goroutines', 'GC pause (share of time)', 'Open file descriptors / LimitNOFILE', 'Memory / MemoryMax',
    ]);
  });

  it("the dashboard's queries parse as PromQL (promtool)", () => {
    const dash = JSON.parse(mon.file('/var/lib/grafana/dashboards/gohost/go-service.json'));
    const rules = { groups: [{ name: 'dashboard', rules: dash.panels.map((p: any, i: number) => ({ record: `dashboard:panel${i}`, expr: p.targets[0].expr })) }] };
    const r = run('promtool', ['check', 'rules', write('dash.yml', YAML.stringify(rules))]);
    expect(r.stdout + r.stderr).toContain('SUCCESS');
  });
});
