/** Validation of ObservabilityStack props. Pure: no cdktf imports. */
import type { ObservabilityStackProps } from '../constructs/observability-stack';
import { PropChecks } from './errors';
import { checkPropTypes, PropType, requireLiterals, URL_PATH_PATTERN, isPort, urlLooksSecret } from './validators';
import { RESERVED_LOCAL_PORTS } from '../facts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The types of ObservabilityStack's props, for plain JavaScript and JSON configuration. */
export const OBSERVABILITY_PROP_TYPES: Readonly<Record<string, PropType>> = {
  hosts: 'array', monitoringHost: 'boolean', subnetId: 'string', vpcId: 'string', instanceType: 'string', machineImage: 'object',
  scrapeIntervalSec: 'number', evaluationIntervalSec: 'number', retentionDays: 'number', dataVolumeSizeGiB: 'number', dataVolumeKmsKeyId: 'string',
  appMetricsPath: 'string', appMetricsPort: 'number', errorRateSloPercent: 'number', p99LatencySloMs: 'number', fdUsageAlertPercent: 'number',
  memoryUsageAlertPercent: 'number', goroutineGrowthMinutes: 'number', gcPauseAlertPercent: 'number', diskUsageAlertPercent: 'number',
  alarmEmail: 'string', alertWebhookUrl: 'string', lokiPushUrl: 'string', otelEndpoint: 'string', allowSecretsInUserData: 'boolean',
};

const OBSERVABILITY_LITERAL_EXAMPLES: Record<string, string> = {
  monitoringHost: 'true', instanceType: '"t3.medium"', scrapeIntervalSec: '15', evaluationIntervalSec: '15', retentionDays: '15',
  dataVolumeSizeGiB: '50', appMetricsPath: '"/metrics"', appMetricsPort: '8080', errorRateSloPercent: '0.1', p99LatencySloMs: '300',
  fdUsageAlertPercent: '80', memoryUsageAlertPercent: '90', goroutineGrowthMinutes: '15', gcPauseAlertPercent: '5', diskUsageAlertPercent: '85',
};

export function checkObservabilityPropTypes(props: unknown, c: PropChecks): void {
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
}
