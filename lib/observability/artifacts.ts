/**
 * Observability (the O rows of GUIDANCE.md): exporters and a log shipper on every watched host,
 * and an optional monitoring host with Prometheus, Alertmanager, the blackbox exporter, Loki and
 * Grafana. Configuration is rendered from typed settings through the `yaml` library. Pure.
 */
import { stringify } from 'yaml';
import { PATHS, PORTS } from '../facts';
import { AlertRule, AlertThresholds, alertRules } from './alert-rules';
import { IMDS_TOKEN_LINE } from '../host/aws-shell';
import { LOG_GATEWAY, provisionLogCredential } from './log-gateway';
import { HostProvisioning } from '../host/provisioning';
import { ref, renderAlloy, AlloyBlock } from '../render/alloy';
import { shq } from '../render/shell';
import { environmentAssignment, renderSystemdUnit } from '../render/systemd';

export const OBS = {
  nodeExporterPort: PORTS.nodeExporter,
  nginxExporterPort: PORTS.nginxExporter,
  lokiPort: PORTS.loki,
  prometheusPort: PORTS.prometheus,
  alertmanagerPort: PORTS.alertmanager,
  blackboxPort: PORTS.blackbox,
  grafanaPort: PORTS.grafana,
  textfileDir: '/var/lib/prometheus/node-exporter',
  rulesFile: '/etc/prometheus/rules/gohost.rules.yml',
  /** Grafana's apt repository signing key (full fingerprint, fetched by cloud-init from the keyserver over hkps, port 443). */
  grafanaKeyFingerprint: 'B53AE77BADB630A683046005963FA27710458545',
} as const;

/** Instance tags the constructs set and Prometheus's EC2 service discovery selects on. */
export const DISCOVERY_TAGS = {
  /** The ObservabilityStack that watches the instance (its construct path): one monitoring host per stack. */
  monitor: 'gohost:monitor',
  /** `true` on instances running the front door's nginx (nginx exporter). */
  nginx: 'gohost:nginx',
  /** The Go service's metrics port, on instances running one. */
  appPort: 'gohost:app-port',
  /** `true` on Auto Scaling group members: their host label gets the instance ID. */
  group: 'gohost:group',
} as const;

/** Prometheus's label for an EC2 tag: every character outside [a-zA-Z0-9_] becomes `_`. */
export function ec2TagLabel(tag: string): string {
  return `__meta_ec2_tag_${tag.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

export interface ProbeTarget {
  readonly domain: string;
  readonly healthPath: string;
}

export interface MonitoringSettings {
  /** Value of the `gohost:monitor` tag on every watched instance. */
  readonly discoveryId: string;
  /** Region the watched instances run in (EC2 service discovery asks its API). */
  readonly region: string;
  /** Health paths probed over HTTPS through the front doors. */
  readonly probes: readonly ProbeTarget[];
  /** Path of the Go services' Prometheus metrics. */
  readonly appMetricsPath: string;
  /** Metric names kept from the Go services (regular expressions). */
  readonly appMetricNames: readonly string[];
  /** What one scrape of a watched target may return. */
  readonly scrapeLimits: ScrapeLimits;
  readonly scrapeIntervalSec: number;
  readonly evaluationIntervalSec: number;
  readonly thresholds: AlertThresholds;
  readonly snsTopicArn: string;
  readonly webhookUrl?: string;
  readonly retentionDays: number;
  /** Prometheus deletes its oldest blocks beyond this size (its share of the data volume). */
  readonly prometheusRetentionSizeGiB: number;
  /** Size of Loki's own file system on the data volume: a log flood fills it, not the volume. */
  readonly lokiStorageSizeGiB: number;
  /** Loki's ingestion limit per watched host. */
  readonly logIngestionRateMiB: number;
  /** EBS volume (ID) holding Prometheus, Loki and Grafana data across instance replacements. */
  readonly dataVolumeId?: string;
  /** The user's alert rules (group `custom` of the rules file). */
  readonly customRules?: readonly AlertRule[];
  /** The user's scrape jobs. */
  readonly scrapeJobs?: readonly ScrapeJobSettings[];
}

/** Prometheus's per-job limits on what a target may return: a scrape over one fails. */
export interface ScrapeLimits {
  readonly sampleLimit: number;
  readonly labelLimit: number;
  readonly labelNameLengthLimit: number;
  readonly labelValueLengthLimit: number;
  readonly bodySizeLimitMiB: number;
}

/** The limits in Prometheus's scrape_config keys. */
function scrapeLimits(l: ScrapeLimits) {
  return {
    sample_limit: l.sampleLimit,
    label_limit: l.labelLimit,
    label_name_length_limit: l.labelNameLengthLimit,
    label_value_length_limit: l.labelValueLengthLimit,
    body_size_limit: `${l.bodySizeLimitMiB}MB`,
  };
}

/** A scrape job of the user's: a port on the watched instances that carry its discovery tag. */
export interface ScrapeJobSettings {
  readonly jobName: string;
  readonly port: number;
  readonly metricsPath: string;
  /** The instance tag (key) that marks the job's targets. */
  readonly tag: string;
}

/** The instance tag marking a scrape job's targets. */
export function scrapeJobTag(jobName: string): string {
  return `gohost:scrape:${jobName}`;
}

/** Job names the library's own configuration uses. */
export const BUILT_IN_JOBS: readonly string[] = ['prometheus', 'node', 'nginx', 'app', 'blackbox-health'];

const yaml = (header: string, doc: unknown) => `# ${header}\n` + stringify(doc, { lineWidth: 0, aliasDuplicateObjects: false });

/**
 * EC2 service discovery of the watched instances: no scrape target is an address known at synth,
 * so no user data names another instance and replaced or scaled instances are found by their tags.
 */
function ec2Discovery(s: MonitoringSettings, port: number, extraFilters: Array<{ name: string; values: string[] }> = []) {
  return [{
    region: s.region,
    port,
    refresh_interval: '60s',
    filters: [
      { name: `tag:${DISCOVERY_TAGS.monitor}`, values: [s.discoveryId] },
      { name: 'instance-state-name', values: ['running'] },
      ...extraFilters,
    ],
  }];
}

/** `host` = the Name tag (the construct path); group members add their instance ID. */
const HOST_RELABELING = [
  { source_labels: ['__meta_ec2_tag_Name'], target_label: 'host' },
  {
    source_labels: [ec2TagLabel(DISCOVERY_TAGS.group), '__meta_ec2_tag_Name', '__meta_ec2_instance_id'],
    regex: 'true;(.+);(.+)',
    target_label: 'host',
    replacement: '$1/$2',
  },
  { source_labels: ['__meta_ec2_instance_id'], target_label: 'instance_id' },
];

export function prometheusConfig(s: MonitoringSettings): string {
  const probes = s.probes.map((p) => `https://${p.domain}${p.healthPath}`);
  const limits = scrapeLimits(s.scrapeLimits);
  const scrape: Array<Record<string, unknown>> = [
    { job_name: 'prometheus', static_configs: [{ targets: [`127.0.0.1:${OBS.prometheusPort}`], labels: { host: 'monitoring' } }] },
    // Watched targets are trusted for nothing: each job's scrapes are bounded.
    { job_name: 'node', ...limits, ec2_sd_configs: ec2Discovery(s, OBS.nodeExporterPort), relabel_configs: HOST_RELABELING },
    {
      job_name: 'nginx',
      ...limits,
      ec2_sd_configs: ec2Discovery(s, OBS.nginxExporterPort, [{ name: `tag:${DISCOVERY_TAGS.nginx}`, values: ['true'] }]),
      relabel_configs: HOST_RELABELING,
    },
    {
      job_name: 'app',
      metrics_path: s.appMetricsPath,
      ...limits,
      ec2_sd_configs: ec2Discovery(s, 80, [{ name: 'tag-key', values: [DISCOVERY_TAGS.appPort] }]),
      relabel_configs: [
        { source_labels: ['__meta_ec2_private_ip', ec2TagLabel(DISCOVERY_TAGS.appPort)], separator: ':', target_label: '__address__' },
        ...HOST_RELABELING,
      ],
      // Only the names the service is known to expose: anything else (a flood, a host's series) is dropped.
      metric_relabel_configs: [{ source_labels: ['__name__'], regex: s.appMetricNames.join('|'), action: 'keep' }],
    },
  ];
  for (const job of s.scrapeJobs ?? []) {
    scrape.push({
      job_name: job.jobName,
      metrics_path: job.metricsPath,
      ...limits,
      ec2_sd_configs: ec2Discovery(s, job.port, [{ name: 'tag-key', values: [job.tag] }]),
      relabel_configs: HOST_RELABELING,
    });
  }
  if (probes.length > 0) {
    scrape.push({
      job_name: 'blackbox-health',
      metrics_path: '/probe',
      params: { module: ['http_2xx'] },
      static_configs: [{ targets: probes }],
      relabel_configs: [
        { source_labels: ['__address__'], target_label: '__param_target' },
        { source_labels: ['__param_target'], target_label: 'instance' },
        { target_label: '__address__', replacement: `127.0.0.1:${OBS.blackboxPort}` },
      ],
    });
  }
  return yaml('Prometheus configuration generated by cdktf-gohost: targets found by EC2 service discovery on the instances\' tags, every series labelled with its host.', {
    global: { scrape_interval: `${s.scrapeIntervalSec}s`, evaluation_interval: `${s.evaluationIntervalSec}s` },
    rule_files: [OBS.rulesFile],
    alerting: { alertmanagers: [{ static_configs: [{ targets: [`127.0.0.1:${OBS.alertmanagerPort}`] }] }] },
    scrape_configs: scrape,
  });
}

export function rulesFile(t: AlertThresholds, custom: readonly AlertRule[] = []): string {
  return yaml('Alert rules generated by cdktf-gohost (thresholds are ObservabilityStack props).', {
    groups: [{ name: 'gohost', rules: alertRules(t) }, ...(custom.length > 0 ? [{ name: 'custom', rules: custom }] : [])],
  });
}

export function alertmanagerConfig(s: Pick<MonitoringSettings, 'snsTopicArn' | 'region' | 'webhookUrl'>): string {
  const receivers: Array<Record<string, unknown>> = [
    { name: 'sns', sns_configs: [{ topic_arn: s.snsTopicArn, sigv4: { region: s.region }, send_resolved: true }] },
  ];
  const routes: Array<Record<string, unknown>> = [];
  if (s.webhookUrl) {
    receivers.push({ name: 'webhook', webhook_configs: [{ url: s.webhookUrl, send_resolved: true }] });
    routes.push({ receiver: 'webhook', continue: true, matchers: ['severity=~"warning|critical"'] });
  }
  return yaml('Alertmanager configuration generated by cdktf-gohost: every alert goes to the SNS topic (and the webhook, if set).', {
    route: {
      receiver: 'sns',
      group_by: ['alertname', 'host'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      ...(routes.length > 0 ? { routes: [...routes, { receiver: 'sns' }] } : {}),
    },
    receivers,
  });
}

export function blackboxConfig(): string {
  return yaml('Blackbox exporter modules generated by cdktf-gohost.', {
    modules: {
      http_2xx: {
        prober: 'http',
        timeout: '5s',
        http: { preferred_ip_protocol: 'ip4', valid_status_codes: [], fail_if_not_ssl: true, tls_config: { insecure_skip_verify: false } },
      },
    },
  });
}

/**
 * Loki on loopback only, one tenant per watched host (the log gateway sets it from the host's
 * token), each with its own ingestion limit; Grafana queries all tenants at once.
 */
export function lokiConfig(retentionDays: number, ingestionRateMiB: number): string {
  return yaml('Loki (single binary, filesystem storage) generated by cdktf-gohost: reachable from other hosts only through the log gateway.', {
    auth_enabled: true,
    server: { http_listen_address: '127.0.0.1', http_listen_port: LOG_GATEWAY.lokiPort, grpc_listen_address: '127.0.0.1', grpc_listen_port: 9096 },
    common: {
      instance_addr: '127.0.0.1',
      path_prefix: '/var/lib/loki',
      storage: { filesystem: { chunks_directory: '/var/lib/loki/chunks', rules_directory: '/var/lib/loki/rules' } },
      replication_factor: 1,
      ring: { kvstore: { store: 'inmemory' } },
    },
    schema_config: { configs: [{ from: '2024-01-01', store: 'tsdb', object_store: 'filesystem', schema: 'v13', index: { prefix: 'index_', period: '24h' } }] },
    limits_config: {
      retention_period: `${retentionDays * 24}h`,
      // Per tenant, that is per watched host: one host's flood is refused, the others' logs still arrive.
      ingestion_rate_mb: ingestionRateMiB,
      ingestion_burst_size_mb: ingestionRateMiB * 2,
    },
    querier: { multi_tenant_queries_enabled: true },
    compactor: { working_directory: '/var/lib/loki/compactor', retention_enabled: true, delete_request_store: 'filesystem' },
  });
}

export function grafanaDatasources(): string {
  return yaml('Grafana data sources provisioned by cdktf-gohost.', {
    apiVersion: 1,
    datasources: [
      { name: 'Prometheus', type: 'prometheus', uid: 'prometheus', access: 'proxy', url: `http://127.0.0.1:${OBS.prometheusPort}`, isDefault: true },
      {
        name: 'Loki', type: 'loki', uid: 'loki', access: 'proxy', url: `http://127.0.0.1:${LOG_GATEWAY.lokiPort}`,
        // Every watched host's tenant (written by log-tenants): `a|b|c`.
        jsonData: { httpHeaderName1: 'X-Scope-OrgID' },
        secureJsonData: { httpHeaderValue1: `$__file{${LOG_GATEWAY.grafanaTenants}}` },
      },
    ],
  });
}

export function grafanaDashboardProvider(): string {
  return yaml('Grafana dashboards provisioned by cdktf-gohost.', {
    apiVersion: 1,
    providers: [{ name: 'gohost', folder: 'Go services', type: 'file', disableDeletion: true, options: { path: '/var/lib/grafana/dashboards/gohost' } }],
  });
}

/** The Go service dashboard: RPS, error rate, p99, goroutines, GC pause, fds, memory vs MemoryMax. */
export function goServiceDashboard(): string {
  const panel = (id: number, title: string, expr: string, unit: string, x: number, y: number) => ({
    id, title, type: 'timeseries', datasource: { type: 'prometheus', uid: 'prometheus' },
    gridPos: { h: 8, w: 12, x, y }, fieldConfig: { defaults: { unit }, overrides: [] },
    targets: [{ refId: 'A', expr, legendFormat: '{{host}}' }],
  });
  const panels = [
    panel(1, 'Requests per second', 'sum by (host) (rate(http_requests_total{job="app"}[5m]))', 'reqps', 0, 0),
    panel(2, 'Error rate (5xx)', 'sum by (host) (rate(http_requests_total{job="app",code=~"5.."}[5m])) / sum by (host) (rate(http_requests_total{job="app"}[5m]))', 'percentunit', 12, 0),
    panel(3, 'p99 latency', 'histogram_quantile(0.99, sum by (host, le) (rate(http_request_duration_seconds_bucket{job="app"}[5m])))', 's', 0, 8),
    panel(4, 'Goroutines', 'go_goroutines{job="app"}', 'short', 12, 8),
    panel(5, 'GC pause (share of time)', 'rate(go_gc_duration_seconds_sum{job="app"}[5m])', 'percentunit', 0, 16),
    panel(6, 'Open file descriptors / LimitNOFILE', 'process_open_fds{job="app"} / on (host) group_left gohost_service_limit_nofile{job="node"}', 'percentunit', 12, 16),
    panel(7, 'Memory / MemoryMax', 'process_resident_memory_bytes{job="app"} / on (host) group_left gohost_service_memory_max_bytes{job="node"}', 'percentunit', 0, 24),
  ];
  return JSON.stringify({ uid: 'gohost-go-service', title: 'Go service', schemaVersion: 39, version: 1, refresh: '30s', time: { from: 'now-6h', to: 'now' }, tags: ['gohost'], panels }, null, 2) + '\n';
}

/**
 * Alloy: journald (and nginx's JSON access log) to Loki with service / level / host labels.
 * `authenticated`: the monitoring host's log gateway, with this host's token and the gateway's certificate pinned.
 */
export function alloyConfig(host: string, lokiPushUrl: string, nginxAccessLog: boolean, authenticated = false): string {
  const blocks: AlloyBlock[] = [
    {
      name: 'loki.relabel',
      label: 'journal',
      attributes: [['forward_to', []]],
      blocks: [
        { name: 'rule', attributes: [['source_labels', ['__journal__systemd_unit']], ['target_label', 'service']] },
        { name: 'rule', attributes: [['source_labels', ['__journal_priority_keyword']], ['target_label', 'level']] },
      ],
    },
    {
      name: 'loki.source.journal',
      label: 'journal',
      attributes: [
        ['forward_to', [ref('loki.write.default.receiver')]],
        ['relabel_rules', ref('loki.relabel.journal.rules')],
        ['labels', { host }],
      ],
    },
  ];
  if (nginxAccessLog) {
    blocks.push({
      name: 'loki.source.file',
      label: 'nginx',
      attributes: [
        ['targets', [{ __path__: PATHS.nginxAccessLog, service: 'nginx', level: 'info', host }]],
        ['forward_to', [ref('loki.write.default.receiver')]],
      ],
    });
  }
  const endpoint: AlloyBlock = authenticated
    ? {
        name: 'endpoint',
        attributes: [['url', lokiPushUrl], ['bearer_token_file', `${LOG_GATEWAY.credentialDir}/token`]],
        blocks: [{ name: 'tls_config', attributes: [['ca_file', `${LOG_GATEWAY.credentialDir}/ca.pem`]] }],
      }
    : { name: 'endpoint', attributes: [['url', lokiPushUrl]] };
  blocks.push({ name: 'loki.write', label: 'default', blocks: [endpoint] });
  return renderAlloy(['Grafana Alloy configuration generated by cdktf-gohost: logs to Loki with service, level and host labels.'], blocks);
}

/** The Prometheus textfile with the service's limits, so alerts compare usage with them. */
export function serviceLimitsTextfile(service: string, limitNofile: number, memoryMaxBytes: number): string {
  return [
    '# HELP gohost_service_limit_nofile LimitNOFILE of the service unit.',
    '# TYPE gohost_service_limit_nofile gauge',
    `gohost_service_limit_nofile{service="${service}"} ${limitNofile}`,
    '# HELP gohost_service_memory_max_bytes MemoryMax of the service unit.',
    '# TYPE gohost_service_memory_max_bytes gauge',
    `gohost_service_memory_max_bytes{service="${service}"} ${memoryMaxBytes}`,
  ].join('\n') + '\n';
}

/** Stands for the instance ID in a group member's Alloy host label; replaced at boot. */
export const INSTANCE_ID_PLACEHOLDER = '@INSTANCE_ID@';

export interface SidecarOptions {
  /** The `host` label: the construct path; group members add `/${INSTANCE_ID_PLACEHOLDER}`. */
  readonly hostName: string;
  /** An Auto Scaling group member: the host label gets the instance ID at boot. */
  readonly group?: boolean;
  readonly nginx: boolean;
  readonly lokiPushUrl?: string;
  /** ARN of this host's log credential secret: pushes go to the log gateway, authenticated. */
  readonly logCredentialSecretArn?: string;
  readonly service?: { readonly name: string; readonly limitNofile: number; readonly memoryMaxBytes: number };
}

// hkps:// on 443: a bare keyserver name makes GnuPG use hkp on port 11371, which the hosts' egress (80/443) blocks.
const GRAFANA_APT = { source: 'deb [signed-by=$KEY_FILE] https://apt.grafana.com stable main', keyid: OBS.grafanaKeyFingerprint, keyserver: 'hkps://keyserver.ubuntu.com' };

/** The packages the library takes from Grafana's repository, and only from it. */
export const GRAFANA_PACKAGES = ['alloy', 'grafana', 'loki'] as const;

/**
 * apt preferences: Grafana's repository may install only its own packages, and those come only
 * from it (Debian's and Ubuntu's archives carry an unrelated `loki`, a genetics program).
 */
export function grafanaAptPreferences(): string {
  const record = (packages: string, pin: string, priority: number) => `Package: ${packages}\nPin: ${pin}\nPin-Priority: ${priority}\n`;
  return [
    '# cdktf-gohost: a compromised or mistaken third-party repository cannot replace the system\'s packages.',
    record(GRAFANA_PACKAGES.join(' '), 'origin "apt.grafana.com"', 990),
    record('*', 'origin "apt.grafana.com"', -1),
    record(GRAFANA_PACKAGES.join(' '), 'release o=Debian', -1),
    record(GRAFANA_PACKAGES.join(' '), 'release o=Ubuntu', -1),
  ].join('\n');
}

/** Grafana's repository, pinned to its packages, which unattended-upgrades keeps current like the distribution's security updates. */
function addGrafanaRepository(h: HostProvisioning): void {
  h.addAptSource('grafana', GRAFANA_APT);
  h.addFile({ path: '/etc/apt/preferences.d/60-gohost-grafana.pref', permissions: '0644', content: grafanaAptPreferences() });
  h.addFile({
    path: '/etc/apt/apt.conf.d/52gohost-grafana-upgrades',
    permissions: '0644',
    content: '// cdktf-gohost: unattended-upgrades also installs new versions of the Grafana packages (Alloy, Loki, Grafana).\nUnattended-Upgrade::Origins-Pattern {\n  "site=apt.grafana.com";\n};\n',
  });
}

/** Exporters and the log shipper on a watched host (O1, O2, O5). */
export function provisionSidecars(o: SidecarOptions): HostProvisioning {
  const h = new HostProvisioning();
  h.addPackages('prometheus-node-exporter', ...(o.nginx ? ['prometheus-nginx-exporter'] : []));
  // Agents read the host and push or serve metrics: none calls AWS.
  h.denyInstanceMetadata('prometheus-node-exporter.service');
  if (o.nginx) h.denyInstanceMetadata('prometheus-nginx-exporter.service');
  if (o.service) {
    h.addFile({
      path: `${OBS.textfileDir}/gohost_service.prom`,
      permissions: '0644',
      defer: true,
      content: serviceLimitsTextfile(o.service.name, o.service.limitNofile, o.service.memoryMaxBytes),
    });
  }
  if (o.lokiPushUrl) {
    addGrafanaRepository(h);
    h.addPackages('alloy');
    h.denyInstanceMetadata('alloy.service');
    h.addFile({
      path: '/etc/alloy/config.alloy',
      permissions: '0644',
      defer: true,
      content: alloyConfig(o.group ? `${o.hostName}/${INSTANCE_ID_PLACEHOLDER}` : o.hostName, o.lokiPushUrl, o.nginx, o.logCredentialSecretArn !== undefined),
    });
    if (o.logCredentialSecretArn !== undefined) h.merge(provisionLogCredential(o.logCredentialSecretArn));
    h.addFile({
      path: '/etc/default/alloy',
      permissions: '0644',
      defer: true,
      content: `# Alloy reads its configuration from CONFIG_FILE; its UI stays on loopback.\nCONFIG_FILE="/etc/alloy/config.alloy"\nCUSTOM_ARGS="--server.http.listen-addr=127.0.0.1:${PORTS.alloyUi}"\n`,
    });
  }
  const lines = [
    '# Exporters listen on the private address only; the security group admits the monitoring host alone.',
    IMDS_TOKEN_LINE,
    'private_ip=$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/local-ipv4)',
    `printf 'ARGS="--web.listen-address=%s:${OBS.nodeExporterPort} --collector.systemd --collector.systemd.enable-restarts-metrics --collector.textfile.directory=${OBS.textfileDir}"\\n' "$private_ip" > /etc/default/prometheus-node-exporter`,
    'systemctl restart prometheus-node-exporter.service',
  ];
  if (o.nginx) {
    lines.push(
      `printf 'ARGS="--nginx.scrape-uri=http://127.0.0.1:${PORTS.stubStatus}/stub_status --web.listen-address=%s:${OBS.nginxExporterPort}"\\n' "$private_ip" > /etc/default/prometheus-nginx-exporter`,
      'systemctl restart prometheus-nginx-exporter.service',
    );
  }
  if (o.lokiPushUrl) {
    if (o.group) {
      lines.push(
        '# Group members share one configuration: the host label gets this instance\'s ID, as Prometheus\'s does.',
        `sed -i "s|${INSTANCE_ID_PLACEHOLDER}|$(curl -fsS --retry 5 -H "X-aws-ec2-metadata-token: $imds_token" http://169.254.169.254/latest/meta-data/instance-id)|" /etc/alloy/config.alloy`,
      );
    }
    lines.push('# Alloy reads the journal and nginx logs through these groups.', 'usermod -aG adm,systemd-journal alloy', 'systemctl enable alloy.service', 'systemctl restart alloy.service');
  }
  h.addStep('services', { name: 'exporters and log shipper', lines });
  return h;
}

/** Prometheus, Alertmanager, blackbox exporter, Loki and Grafana on the monitoring host (O4, O8, O9). */
export function provisionMonitoring(s: MonitoringSettings): HostProvisioning {
  const h = new HostProvisioning();
  addGrafanaRepository(h);
  h.addPackages('prometheus', 'prometheus-alertmanager', 'prometheus-blackbox-exporter', 'loki', 'grafana');
  // Only discovery and alert delivery call AWS; the probes, the log store and the UI never do.
  h.allowInstanceMetadata('prometheus.service', 'EC2 service discovery (ec2:DescribeInstances)');
  h.allowInstanceMetadata('prometheus-alertmanager.service', 'publishes alerts to the SNS topic');
  for (const unit of ['prometheus-blackbox-exporter', 'loki', 'grafana-server']) h.denyInstanceMetadata(`${unit}.service`);
  const f = (path: string, content: string) => h.addFile({ path, permissions: '0644', defer: true, content });
  f('/etc/prometheus/prometheus.yml', prometheusConfig(s));
  f(OBS.rulesFile, rulesFile(s.thresholds, s.customRules));
  f('/etc/prometheus/alertmanager.yml', alertmanagerConfig(s));
  f('/etc/prometheus/blackbox.yml', blackboxConfig());
  f('/etc/loki/config.yml', lokiConfig(s.retentionDays, s.logIngestionRateMiB));
  f('/etc/grafana/provisioning/datasources/gohost.yaml', grafanaDatasources());
  f('/etc/grafana/provisioning/dashboards/gohost.yaml', grafanaDashboardProvider());
  f('/var/lib/grafana/dashboards/gohost/go-service.json', goServiceDashboard());
  // The UIs stay on loopback (reach them with SSM port forwarding); only Loki takes pushes from the hosts.
  f('/etc/default/prometheus', `ARGS="--web.listen-address=127.0.0.1:${OBS.prometheusPort} --storage.tsdb.retention.time=${s.retentionDays}d --storage.tsdb.retention.size=${s.prometheusRetentionSizeGiB}GB"\n`);
  f('/etc/default/prometheus-alertmanager', `ARGS="--web.listen-address=127.0.0.1:${OBS.alertmanagerPort} --cluster.listen-address="\n`);
  f('/etc/default/prometheus-blackbox-exporter', `ARGS="--web.listen-address=127.0.0.1:${OBS.blackboxPort} --config.file=/etc/prometheus/blackbox.yml"\n`);
  h.addFile({
    path: '/etc/systemd/system/grafana-server.service.d/60-gohost.conf',
    permissions: '0644',
    content: renderSystemdUnit({
      header: ['Grafana on loopback, with the admin password generated at first boot (a root-only file, handed to the unit as a credential).'],
      service: {
        Environment: [
          environmentAssignment('GF_SERVER_HTTP_ADDR', '127.0.0.1'),
          environmentAssignment('GF_ANALYTICS_REPORTING_ENABLED', 'false'),
          // %d is the unit's credentials directory: the password never enters the environment or the unit file.
          `GF_SECURITY_ADMIN_PASSWORD__FILE=%d/${GRAFANA_ADMIN.credential}`,
        ],
        LoadCredential: [`${GRAFANA_ADMIN.credential}:${GRAFANA_ADMIN.passwordFile}`],
      },
    }),
  });
  if (s.dataVolumeId) h.addStep('system', dataVolumeStep(s.dataVolumeId, s.lokiStorageSizeGiB * 1024));
  h.addStep('services', {
    name: 'Grafana admin password',
    lines: [
      '# Made once, kept on the data volume with the Grafana database it opens; root alone reads it (SSM: sudo cat).',
      `if [[ ! -s ${GRAFANA_ADMIN.passwordFile} ]]; then`,
      `  install -d -m 0700 ${GRAFANA_ADMIN.passwordFile.replace(/\/[^/]+$/, '')}`,
      `  (umask 077; openssl rand -base64 24 > ${GRAFANA_ADMIN.passwordFile})`,
      '  # A database from before kept the default admin password: set the new one in it.',
      '  if [[ -s /var/lib/grafana/grafana.db ]] && command -v grafana >/dev/null; then',
      `    grafana cli --homepath /usr/share/grafana --config /etc/grafana/grafana.ini admin reset-admin-password --password-from-stdin < ${GRAFANA_ADMIN.passwordFile} >/dev/null`,
      '  fi',
      'fi',
    ],
  });
  h.addStep('services', {
    name: 'monitoring services',
    lines: [
      'systemctl daemon-reload',
      'for unit in prometheus prometheus-alertmanager prometheus-blackbox-exporter loki grafana-server; do',
      '  systemctl enable "$unit.service"',
      '  systemctl restart "$unit.service"',
      'done',
    ],
  });
  return h;
}

/** Grafana's admin password: a root-only file on the data volume, loaded by systemd as a credential. */
export const GRAFANA_ADMIN = {
  passwordFile: '/srv/gohost-data/secrets/grafana-admin-password',
  credential: 'admin-password',
} as const;

/**
 * Where the monitoring data volume is mounted: Prometheus's and Grafana's state directories are
 * bound into it; Loki gets a file system of its own in an image file on it (Loki has no size-based
 * retention, so its share is bounded by the file system).
 */
export const DATA_VOLUME = {
  mountPoint: '/srv/gohost-data',
  label: 'gohost-data',
  directories: ['prometheus', 'grafana'],
  lokiImage: '/srv/gohost-data/loki.img',
  lokiLabel: 'gohost-loki',
} as const;

/**
 * Mounts the monitoring data volume (formatted only when it has no filesystem) and binds the
 * services' state directories into it, so metrics, logs and dashboards survive a replaced instance.
 * Terraform attaches the volume after the instance starts: the step waits for it.
 */
export function dataVolumeStep(volumeId: string, lokiSizeMiB: number): { name: string; lines: string[] } {
  const m = DATA_VOLUME.mountPoint;
  const img = DATA_VOLUME.lokiImage;
  return {
    name: 'monitoring data volume',
    lines: [
      `volume_id=${shq(volumeId)}`,
      '# Nitro instances name EBS volumes by ID; Xen instances by the attachment\'s device name.',
      'device=""',
      'for _ in $(seq 1 120); do',
      '  for candidate in "/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${volume_id//-/}" /dev/xvdf /dev/sdf; do',
      '    if [[ -b "$candidate" ]]; then device=$(readlink -f "$candidate"); break 2; fi',
      '  done',
      '  sleep 5',
      'done',
      'if [[ -z "$device" ]]; then log "data volume $volume_id is not attached after 10 minutes"; exit 1; fi',
      '# Formatted only when it carries no filesystem: a replaced instance keeps its predecessor\'s data.',
      'set +e; blkid -p "$device" >/dev/null 2>&1; probe=$?; set -e',
      `if [[ "$probe" -eq 2 ]]; then mkfs.ext4 -q -L ${DATA_VOLUME.label} "$device"; log "formatted the new data volume $volume_id"; elif [[ "$probe" -ne 0 ]]; then log "cannot probe $device (blkid exit $probe)"; exit 1; fi`,
      'uuid=$(blkid -s UUID -o value "$device")',
      `install -d -m 0755 ${m}`,
      `grep -q " ${m} " /etc/fstab || echo "UUID=$uuid ${m} ext4 defaults,nofail,x-systemd.device-timeout=5min 0 2" >> /etc/fstab`,
      `mountpoint -q ${m} || mount ${m}`,
      `for dir in ${DATA_VOLUME.directories.join(' ')}; do`,
      '  systemctl stop "$dir.service" "$dir-server.service" 2>/dev/null || true',
      '  install -d "/var/lib/$dir"',
      '  owner=$(stat -c %u:%g "/var/lib/$dir")',
      `  if [[ ! -d ${m}/$dir ]]; then`,
      `    install -d ${m}/$dir`,
      `    cp -a "/var/lib/$dir/." ${m}/$dir/`,
      '  fi',
      `  chown -R "$owner" ${m}/$dir`,
      `  grep -q " /var/lib/$dir none bind" /etc/fstab || echo "${m}/$dir /var/lib/$dir none bind,nofail,x-systemd.requires-mounts-for=${m} 0 0" >> /etc/fstab`,
      '  mountpoint -q "/var/lib/$dir" || mount "/var/lib/$dir"',
      'done',
      `# Loki's own file system, allocated up front (a sparse file would not bound anything); it grows with the prop, never shrinks.`,
      `loki_image=${img} loki_bytes=$((${lokiSizeMiB} * 1048576)) new_loki=0`,
      'if [[ ! -e "$loki_image" ]]; then',
      '  fallocate -l "$loki_bytes" "$loki_image"',
      `  mkfs.ext4 -q -L ${DATA_VOLUME.lokiLabel} "$loki_image"`,
      '  new_loki=1',
      'elif (( $(stat -c %s "$loki_image") < loki_bytes )); then',
      '  systemctl stop loki.service 2>/dev/null || true',
      '  mountpoint -q /var/lib/loki && umount /var/lib/loki',
      '  fallocate -l "$loki_bytes" "$loki_image"',
      '  e2fsck -fy "$loki_image" >/dev/null',
      '  resize2fs -f "$loki_image" >/dev/null',
      '  log "grew the Loki file system to $((loki_bytes / 1048576)) MiB"',
      'fi',
      'systemctl stop loki.service 2>/dev/null || true',
      'install -d /var/lib/loki',
      'owner=$(stat -c %u:%g /var/lib/loki)',
      `grep -q " /var/lib/loki ext4 loop" /etc/fstab || echo "$loki_image /var/lib/loki ext4 loop,nofail,x-systemd.requires-mounts-for=${m} 0 0" >> /etc/fstab`,
      'mountpoint -q /var/lib/loki || mount /var/lib/loki',
      'chown "$owner" /var/lib/loki',
      `# A volume from before Loki had a file system of its own: its logs move in once.`,
      `if [[ "$new_loki" -eq 1 && -d ${m}/loki ]]; then`,
      `  if cp -a ${m}/loki/. /var/lib/loki/; then rm -rf ${m}/loki; else log "Loki's earlier logs did not fit its file system; they stay in ${m}/loki"; fi`,
      'fi',
      'log "data volume $volume_id mounted on ' + m + '"',
    ],
  };
}
