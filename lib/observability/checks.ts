/** Validation of ObservabilityStack props. Pure: no cdktf imports. */
import { alertTemplateProblem, promqlProblem } from '../input/promql';
import type { ObservabilityStackProps } from './props';
import { PropChecks } from '../input/prop-checks';
import { checkPropTypes, checkUnknownProps, PropType, requireLiterals, URL_PATH_PATTERN, isPort, urlLooksSecret } from '../input/validators';
import { HOST_PORTS, PORTS, RESERVED_LOCAL_PORTS } from '../facts';
import { alertRules as builtInAlertRules, DEFAULT_THRESHOLDS } from './alert-rules';
import { BUILT_IN_JOBS } from './artifacts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The types of ObservabilityStack's props, for plain JavaScript and JSON configuration. */
export const OBSERVABILITY_PROP_TYPES: Readonly<Record<string, PropType>> = {
  hosts: 'array', monitoringHost: 'boolean', subnetId: 'string', vpcId: 'string', instanceType: 'string', machineImage: 'object',
  scrapeIntervalSec: 'number', evaluationIntervalSec: 'number', retentionDays: 'number', dataVolumeSizeGiB: 'number', dataVolumeKmsKeyId: 'string',
  appMetricsPath: 'string', appMetricsPort: 'number', errorRateSloPercent: 'number', p99LatencySloMs: 'number', fdUsageAlertPercent: 'number',
  memoryUsageAlertPercent: 'number', goroutineGrowthMinutes: 'number', gcPauseAlertPercent: 'number', diskUsageAlertPercent: 'number',
  alarmEmail: 'string', alertWebhookUrl: 'string', lokiPushUrl: 'string', otelEndpoint: 'string', allowSecretsInUserData: 'boolean',
  alertRules: 'array', scrapeJobs: 'array', appMetricNames: 'string[]', scrapeSampleLimit: 'number', scrapeLabelLimit: 'number',
  scrapeLabelNameLengthLimit: 'number', scrapeLabelValueLengthLimit: 'number', scrapeBodySizeLimitMiB: 'number',
  prometheusRetentionSizeGiB: 'number', lokiStorageSizeGiB: 'number', logPushRequestsPerSecond: 'number', logPushBurst: 'number', logIngestionRateMiB: 'number',
};

const OBSERVABILITY_LITERAL_EXAMPLES: Record<string, string> = {
  monitoringHost: 'true', instanceType: '"t3.medium"', scrapeIntervalSec: '15', evaluationIntervalSec: '15', retentionDays: '15',
  dataVolumeSizeGiB: '50', appMetricsPath: '"/metrics"', appMetricsPort: '9464', errorRateSloPercent: '0.1', p99LatencySloMs: '300',
  fdUsageAlertPercent: '80', memoryUsageAlertPercent: '90', goroutineGrowthMinutes: '15', gcPauseAlertPercent: '5', diskUsageAlertPercent: '85',
  prometheusRetentionSizeGiB: '20', lokiStorageSizeGiB: '20', logPushRequestsPerSecond: '20', logPushBurst: '100', logIngestionRateMiB: '4', scrapeSampleLimit: '20000', scrapeLabelLimit: '30', scrapeLabelNameLengthLimit: '128', scrapeLabelValueLengthLimit: '1024', scrapeBodySizeLimitMiB: '10',
};

/** A scrape limit of 0 means "no limit" to Prometheus: every limit must be a whole number of at least `min`. */
const SCRAPE_LIMITS = { scrapeSampleLimit: 100, scrapeLabelLimit: 10, scrapeLabelNameLengthLimit: 32, scrapeLabelValueLengthLimit: 64, scrapeBodySizeLimitMiB: 1 } as const;

export function checkObservabilityPropTypes(props: unknown, c: PropChecks): void {
  checkUnknownProps(props, Object.keys(OBSERVABILITY_PROP_TYPES), (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
  checkPropTypes(props, OBSERVABILITY_PROP_TYPES, [], (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
}

export function checkObservabilityProps(props: ObservabilityStackProps, isToken: (v: unknown) => boolean, c: PropChecks, warnings: string[] = []): void {
  const known = (v: unknown) => v !== undefined && !isToken(v);
  // Settings the library renders into Prometheus rules and scrape configuration.
  requireLiterals(props, OBSERVABILITY_LITERAL_EXAMPLES, Object.keys(OBSERVABILITY_LITERAL_EXAMPLES), isToken, c);
  const percent = (key: 'errorRateSloPercent' | 'fdUsageAlertPercent' | 'memoryUsageAlertPercent' | 'diskUsageAlertPercent' | 'gcPauseAlertPercent') => {
    const v = props[key];
    if (v !== undefined && !(v > 0 && v < 100)) c.fail(key, v, 'is not a percentage between 0 and 100 (exclusive)', 'use e.g. 0.1 for one request in a thousand, 80 for four fifths');
  };
  percent('errorRateSloPercent');
  percent('fdUsageAlertPercent');
  percent('memoryUsageAlertPercent');
  percent('diskUsageAlertPercent');
  percent('gcPauseAlertPercent');
  if (props.p99LatencySloMs !== undefined && !(props.p99LatencySloMs > 0 && props.p99LatencySloMs <= 60000)) {
    c.fail('p99LatencySloMs', props.p99LatencySloMs, 'is outside 0–60000 ms', 'use e.g. 300');
  }
  if (props.goroutineGrowthMinutes !== undefined && !(Number.isInteger(props.goroutineGrowthMinutes) && props.goroutineGrowthMinutes >= 5)) {
    c.fail('goroutineGrowthMinutes', props.goroutineGrowthMinutes, 'must be a whole number of at least 5 minutes', 'use e.g. 15');
  }
  const scrape = props.scrapeIntervalSec ?? 15;
  const evaluation = props.evaluationIntervalSec ?? 15;
  for (const [key, v] of [['scrapeIntervalSec', scrape], ['evaluationIntervalSec', evaluation]] as const) {
    if (!(Number.isInteger(v) && v >= 5 && v <= 300)) c.fail(key, v, 'is outside 5–300 seconds', 'use e.g. 15');
  }
  if (scrape > evaluation) {
    c.fail('scrapeIntervalSec', scrape, `is longer than evaluationIntervalSec (${evaluation} s): rules would re-evaluate the same samples and alerts lag a full scrape`, `scrape at least as often as rules are evaluated, e.g. scrapeIntervalSec: ${evaluation}`);
  }
  if (scrape * 4 > 300) {
    c.fail('scrapeIntervalSec', scrape, 'leaves fewer than four samples in the rules\' 5-minute rate() windows', 'scrape every 75 s or more often');
  }
  if (props.monitoringHost && props.subnetId === undefined) {
    c.fail('subnetId', undefined, 'is required for the monitoring host', 'pass a private subnet, or set monitoringHost: false');
  }
  if (!props.monitoringHost && props.subnetId !== undefined) {
    c.fail('subnetId', props.subnetId, 'has no effect without monitoringHost', 'set monitoringHost: true, or drop subnetId');
  }
  if (props.alarmEmail !== undefined && known(props.alarmEmail) && !EMAIL.test(props.alarmEmail)) {
    c.fail('alarmEmail', props.alarmEmail, 'is not an email address', 'give an address such as "oncall@example.com"');
  }
  if (props.alertWebhookUrl !== undefined && known(props.alertWebhookUrl) && !/^https?:\/\/\S+$/.test(props.alertWebhookUrl)) {
    c.fail('alertWebhookUrl', props.alertWebhookUrl, 'is not an http(s) URL', 'give the receiver URL, e.g. "https://hooks.example.com/alertmanager"');
  }
  if (props.alertWebhookUrl !== undefined && !props.monitoringHost) {
    c.fail('alertWebhookUrl', props.alertWebhookUrl, 'needs the monitoring host (Alertmanager runs there)', 'set monitoringHost: true, or drop alertWebhookUrl');
  }
  if (props.appMetricsPath !== undefined && !URL_PATH_PATTERN.test(props.appMetricsPath)) {
    c.fail('appMetricsPath', props.appMetricsPath, 'is not an absolute URL path', 'use e.g. "/metrics"');
  }
  if (props.appMetricsPort !== undefined) {
    if (!isPort(props.appMetricsPort)) c.fail('appMetricsPort', props.appMetricsPort, 'is not a TCP port', 'use the port the service serves metrics on, e.g. 8080');
    else if (RESERVED_LOCAL_PORTS[props.appMetricsPort] !== undefined) {
      c.fail('appMetricsPort', props.appMetricsPort, `collides with an exporter on the same host (${Object.entries(RESERVED_LOCAL_PORTS).map(([port, name]) => `${name} on ${port}`).join(', ')})`, 'serve the app\'s metrics on its own port, e.g. 8080 or 9464');
    }
  }
  for (const key of ['logPushRequestsPerSecond', 'logPushBurst', 'logIngestionRateMiB'] as const) {
    const v = props[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) c.fail(key, v, 'must be a whole number, at least 1 (0 would refuse every push)', `use e.g. ${OBSERVABILITY_LITERAL_EXAMPLES[key]}`);
  }
  for (const key of ['prometheusRetentionSizeGiB', 'lokiStorageSizeGiB'] as const) {
    const v = props[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) c.fail(key, v, 'must be a whole number of GiB, at least 1', 'use e.g. 20');
  }
  for (const [key, min] of Object.entries(SCRAPE_LIMITS) as Array<[keyof typeof SCRAPE_LIMITS, number]>) {
    const v = props[key];
    if (v !== undefined && !(Number.isInteger(v) && v >= min)) {
      c.fail(key, v, `must be a whole number of at least ${min} (0 turns Prometheus's limit off)`, `use e.g. ${OBSERVABILITY_LITERAL_EXAMPLES[key]}`);
    }
  }
  props.appMetricNames?.forEach((re, i) => {
    // Prometheus anchors the regular expression and uses RE2: no lookaround, no backreferences.
    let valid = typeof re === 'string' && re.length > 0 && !/\(\?[=!<]|\\[1-9]/.test(re);
    try { new RegExp(`^(?:${re})$`); } catch { valid = false; }
    if (!valid) c.fail(`appMetricNames[${i}]`, re, 'is not a regular expression Prometheus (RE2) accepts', 'use e.g. "orders_.*"');
  });
  if (props.appMetricNames !== undefined && props.appMetricNames.length === 0) {
    c.fail('appMetricNames', [], 'is empty: every metric of the services would be dropped', 'leave it out for the Go runtime, process and HTTP metrics, or list your own names with them');
  }
  if (props.lokiPushUrl !== undefined && props.monitoringHost) {
    c.fail('lokiPushUrl', props.lokiPushUrl, 'contradicts monitoringHost (logs then go to its Loki)', 'drop lokiPushUrl, or set monitoringHost: false');
  }
  if (props.lokiPushUrl !== undefined && known(props.lokiPushUrl) && !/^https?:\/\/\S+\/loki\/api\/v1\/push$/.test(props.lokiPushUrl)) {
    c.fail('lokiPushUrl', props.lokiPushUrl, 'is not a Loki push URL', 'use e.g. "https://loki.example.com/loki/api/v1/push"');
  }
  if (props.otelEndpoint !== undefined && known(props.otelEndpoint) && !/^https?:\/\/\S+$/.test(props.otelEndpoint)) {
    c.fail('otelEndpoint', props.otelEndpoint, 'is not an http(s) URL', 'give the collector endpoint, e.g. "http://otel-collector.internal:4318"');
  }
  // URLs land in the monitoring host's user data and in Terraform state.
  for (const key of ['alertWebhookUrl', 'lokiPushUrl', 'otelEndpoint'] as const) {
    const url = props[key];
    if (!known(url) || !urlLooksSecret(url!)) continue;
    const problem = 'carries a secret (credentials, a token parameter or a webhook key), which is stored in user data and Terraform state';
    const fix = 'use a receiver that authenticates otherwise (an SNS subscription of alarmEmail, a private endpoint)';
    if (props.allowSecretsInUserData === false) c.fail(key, url, problem, fix);
    else warnings.push(`${key} ${problem}; ${fix} (allowSecretsInUserData: false makes this an error).`);
  }
  if (props.retentionDays !== undefined && !(Number.isInteger(props.retentionDays) && props.retentionDays >= 1)) {
    c.fail('retentionDays', props.retentionDays, 'must be a whole number of days, at least 1', 'use e.g. 15');
  }
  checkCustomRules(props, isToken, c);
  checkScrapeJobs(props, isToken, c);
}

const ALERT_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PROM_DURATION = /^[1-9][0-9]*(s|m|h|d)$/;
const JOB_NAME = /^[a-z][a-z0-9_-]{0,62}$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkCustomRules(props: ObservabilityStackProps, isToken: (v: unknown) => boolean, c: PropChecks): void {
  if (props.alertRules === undefined) return;
  if (!props.monitoringHost) c.fail('alertRules', `${props.alertRules.length} rule(s)`, 'needs the monitoring host (Prometheus runs there)', 'set monitoringHost: true, or drop alertRules');
  const builtIn = new Set(builtInAlertRules(DEFAULT_THRESHOLDS).map((r) => r.alert));
  const seen = new Set<string>();
  props.alertRules.forEach((r, i) => {
    const at = (field: string) => `alertRules[${i}].${field}`;
    if (r === null || typeof r !== 'object') {
      c.fail(`alertRules[${i}]`, r, 'is not an alert rule', 'pass { alert, expr, summary }');
      return;
    }
    for (const field of ['alert', 'expr', 'summary', 'for', 'description'] as const) {
      const v = r[field];
      if (v === undefined && (field === 'for' || field === 'description')) continue;
      if (typeof v !== 'string' || v.trim() === '') c.fail(at(field), v, 'must be a non-empty string', field === 'expr' ? 'give a PromQL expression, e.g. "queue_depth > 1000"' : 'give the text');
      else if (isToken(v)) c.fail(at(field), v, 'is a Terraform reference: the rule is written at synth', 'pass the text itself');
      else if (CONTROL.test(v)) c.fail(at(field), JSON.stringify(v), 'holds control characters (a line break splits the rule)', 'write it on one line');
      else if (field === 'expr') {
        const problem = promqlProblem(v);
        if (problem) c.fail(at(field), v, problem, 'check the expression with promtool or in Prometheus\'s query page, e.g. "sum(rate(jobs_failed_total[5m])) > 1"');
      } else if (field === 'summary' || field === 'description') {
        const problem = alertTemplateProblem(v);
        if (problem) c.fail(at(field), v, `is not an annotation template Prometheus loads: it ${problem}`, 'write {{ $labels.instance }} or {{ $value | humanize }}, or plain text');
      }
    }
    if (typeof r.alert === 'string' && !ALERT_NAME.test(r.alert)) c.fail(at('alert'), r.alert, 'is not a Prometheus alert name', 'use letters, digits and _, e.g. "QueueBacklogHigh"');
    else if (builtIn.has(r.alert)) c.fail(at('alert'), r.alert, 'is the name of one of the library\'s alerts', 'give yours another name');
    else if (seen.has(r.alert)) c.fail(at('alert'), r.alert, 'is used twice', 'give each rule its own name');
    seen.add(r.alert);
    if (typeof r.for === 'string' && !PROM_DURATION.test(r.for)) c.fail(at('for'), r.for, 'is not a Prometheus duration', 'use e.g. "5m" or "1h"');
    if (r.severity !== undefined && r.severity !== 'warning' && r.severity !== 'critical') c.fail(at('severity'), r.severity, 'is not a severity', 'use "warning" or "critical"');
  });
}

function checkScrapeJobs(props: ObservabilityStackProps, isToken: (v: unknown) => boolean, c: PropChecks): void {
  if (props.scrapeJobs === undefined) return;
  if (!props.monitoringHost) c.fail('scrapeJobs', `${props.scrapeJobs.length} job(s)`, 'needs the monitoring host (Prometheus runs there)', 'set monitoringHost: true, or drop scrapeJobs');
  const seen = new Set<string>();
  props.scrapeJobs.forEach((j, i) => {
    const at = (field: string) => `scrapeJobs[${i}].${field}`;
    if (j === null || typeof j !== 'object') {
      c.fail(`scrapeJobs[${i}]`, j, 'is not a scrape job', 'pass { jobName, port }');
      return;
    }
    if (typeof j.jobName !== 'string' || isToken(j.jobName) || !JOB_NAME.test(j.jobName)) {
      c.fail(at('jobName'), j.jobName, 'is not a job name', 'use lower-case letters, digits, - and _, e.g. "worker-queue"');
    } else if (BUILT_IN_JOBS.includes(j.jobName)) c.fail(at('jobName'), j.jobName, 'is the name of one of the library\'s jobs', `use another name (taken: ${BUILT_IN_JOBS.join(', ')})`);
    else if (seen.has(j.jobName)) c.fail(at('jobName'), j.jobName, 'is used twice', 'give each job its own name');
    else seen.add(j.jobName);
    // PORTS.appMetrics is OBSERVABILITY_DEFAULTS.appMetricsPort (settings.ts imports these checks).
    const appMetricsPort = props.appMetricsPort ?? PORTS.appMetrics;
    if (isToken(j.port) || !isPort(j.port)) c.fail(at('port'), j.port, 'is not a TCP port', 'give the port the metrics are served on, e.g. 9465');
    else if (HOST_PORTS[j.port] !== undefined) {
      c.fail(at('port'), j.port, `is ${HOST_PORTS[j.port]}'s port on every host`, 'serve the metrics on a port of their own, e.g. 9465');
    } else if (j.port === appMetricsPort) {
      c.fail(at('port'), j.port, 'is the Go services\' metrics port (appMetricsPort): the job would scrape them twice', 'serve the job\'s metrics on a port of their own, e.g. 9465');
    }
    if (j.metricsPath !== undefined && (isToken(j.metricsPath) || !URL_PATH_PATTERN.test(j.metricsPath))) c.fail(at('metricsPath'), j.metricsPath, 'is not an absolute URL path', 'use e.g. "/metrics"');
    if (j.hosts !== undefined && !Array.isArray(j.hosts)) c.fail(at('hosts'), j.hosts, 'is not a list of hosts', 'pass the hosts to scrape, or leave it out to scrape every watched host');
  });
}
