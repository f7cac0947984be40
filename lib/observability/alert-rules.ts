/**
 * The default alert rules (GUIDANCE O4, O8), each a typed, documented, overridable threshold.
 * Each rule reads its series from the job that produces them (`job="node"` for the host's), so a
 * service cannot make a host alert fire by exposing a series of the same name. Pure: no cdktf
 * imports. Proven by `promtool test rules` in the test suite.
 */
import * as fs from 'node:fs';
import * as YAML from 'yaml';
/** The thresholds of the library's alerts; each field is the ObservabilityStack prop of the same name. */
export interface AlertThresholds {
  /** Share of 5xx responses above which ErrorRateAboveSlo fires, in percent. */
  readonly errorRateSloPercent: number;
  /** p99 latency above which LatencyP99AboveSlo fires. */
  readonly p99LatencySloMs: number;
  /** Open file descriptors as a share of LimitNOFILE. */
  readonly fdUsageAlertPercent: number;
  /** Resident memory as a share of MemoryMax. */
  readonly memoryUsageAlertPercent: number;
  /** Minutes of steady goroutine growth before GoroutinesGrowing fires. */
  readonly goroutineGrowthMinutes: number;
  /** Share of wall time spent in GC stop-the-world pauses. */
  readonly gcPauseAlertPercent: number;
  /** Filesystem usage. */
  readonly diskUsageAlertPercent: number;
}

/** The thresholds' defaults (OBSERVABILITY_DEFAULTS holds the same values). */
export const DEFAULT_THRESHOLDS: AlertThresholds = {
  errorRateSloPercent: 0.1,
  p99LatencySloMs: 300,
  fdUsageAlertPercent: 80,
  memoryUsageAlertPercent: 90,
  goroutineGrowthMinutes: 15,
  gcPauseAlertPercent: 5,
  diskUsageAlertPercent: 85,
};

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'warning' | 'critical' };
  readonly annotations: { readonly summary: string; readonly description: string };
}

const n = (x: number) => Number(x.toPrecision(6)).toString();

export function alertRules(t: AlertThresholds): AlertRule[] {
  const rule = (alert: string, expr: string, forDuration: string, severity: 'warning' | 'critical', summary: string, description: string): AlertRule => ({
    alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description },
  });
  return [
    rule('InstanceDown', 'up == 0', '2m', 'critical',
      '{{ $labels.job }} on {{ $labels.host }} is down', 'Prometheus could not scrape {{ $labels.instance }} for 2 minutes.'),
    rule('SystemdUnitFailed', 'node_systemd_unit_state{job="node",state="failed"} == 1', '1m', 'critical',
      '{{ $labels.name }} failed on {{ $labels.host }}', 'The unit is in the failed state (for a service: it crashed past its StartLimitBurst).'),
    rule('SystemdUnitRestartLoop', 'increase(node_systemd_service_restart_total{job="node"}[10m]) >= 3', '0m', 'warning',
      '{{ $labels.name }} restarts repeatedly on {{ $labels.host }}', 'systemd restarted the unit 3 or more times in 10 minutes.'),
    rule('ErrorRateAboveSlo',
      `sum by (host) (rate(http_requests_total{job="app",code=~"5.."}[5m])) / sum by (host) (rate(http_requests_total{job="app"}[5m])) > ${n(t.errorRateSloPercent / 100)}`,
      '5m', 'critical', `Error rate above the ${t.errorRateSloPercent}% SLO on {{ $labels.host }}`,
      `More than ${t.errorRateSloPercent}% of requests answered 5xx over 5 minutes.`),
    rule('LatencyP99AboveSlo',
      `histogram_quantile(0.99, sum by (host, le) (rate(http_request_duration_seconds_bucket{job="app"}[5m]))) > ${n(t.p99LatencySloMs / 1000)}`,
      '5m', 'warning', `p99 latency above ${t.p99LatencySloMs} ms on {{ $labels.host }}`, `The 99th percentile of request duration exceeded ${t.p99LatencySloMs} ms for 5 minutes.`),
    rule('FileDescriptorsNearLimit',
      `process_open_fds{job="app"} / on (host) group_left gohost_service_limit_nofile{job="node"} > ${n(t.fdUsageAlertPercent / 100)}`,
      '5m', 'warning', `Open files above ${t.fdUsageAlertPercent}% of LimitNOFILE on {{ $labels.host }}`, 'The service is close to its file descriptor limit (connections leak or the limit is too low).'),
    rule('MemoryNearMemoryMax',
      `process_resident_memory_bytes{job="app"} / on (host) group_left gohost_service_memory_max_bytes{job="node"} > ${n(t.memoryUsageAlertPercent / 100)}`,
      '5m', 'warning', `Memory above ${t.memoryUsageAlertPercent}% of MemoryMax on {{ $labels.host }}`, 'The kernel OOM-kills the service at MemoryMax; GOMEMLIMIT is 90% of it.'),
    rule('GoroutinesGrowing', 'deriv(go_goroutines{job="app"}[10m]) > 0.05', `${t.goroutineGrowthMinutes}m`, 'warning',
      'Goroutines keep growing on {{ $labels.host }}', `The goroutine count has grown steadily for ${t.goroutineGrowthMinutes} minutes (a leak).`),
    rule('GcPauseHigh', `rate(go_gc_duration_seconds_sum{job="app"}[5m]) > ${n(t.gcPauseAlertPercent / 100)}`, '10m', 'warning',
      'GC pauses take over ' + `${t.gcPauseAlertPercent}% of the time on {{ $labels.host }}`, 'The heap is near GOMEMLIMIT or the allocation rate is high.'),
    rule('ClockNotSynchronised', 'min_over_time(node_timex_sync_status{job="node"}[5m]) == 0 and node_timex_maxerror_seconds{job="node"} >= 16', '10m', 'warning',
      'Clock not synchronised on {{ $labels.host }}', 'chrony has lost the time source; TLS and log ordering depend on it.'),
    rule('DiskAlmostFull',
      `(1 - node_filesystem_avail_bytes{job="node",fstype!~"tmpfs|overlay|squashfs"} / node_filesystem_size_bytes{job="node",fstype!~"tmpfs|overlay|squashfs"}) > ${n(t.diskUsageAlertPercent / 100)}`,
      '5m', 'warning', `{{ $labels.mountpoint }} above ${t.diskUsageAlertPercent}% on {{ $labels.host }}`, 'The filesystem is filling up.'),
    rule('CertificateExpiring',
      '(gohost_tls_certificate_not_after_seconds{job="node"} - time()) < (gohost_tls_certificate_not_after_seconds{job="node"} - gohost_tls_certificate_not_before_seconds{job="node"}) / 3',
      '1d', 'critical', 'TLS certificate on {{ $labels.host }} has less than a third of its lifetime left',
      'Renewal should have happened by now (certbot renews with a third or more left); a fixed day count would misfire for 45- and 64-day certificates.'),
    rule('ScrapeLimitExceeded',
      'increase(prometheus_target_scrapes_exceeded_sample_limit_total{job="prometheus"}[5m]) > 0 or increase(prometheus_target_scrapes_exceeded_body_size_limit_total{job="prometheus"}[5m]) > 0 or increase(prometheus_target_scrape_pool_exceeded_label_limits_total{job="prometheus"}[5m]) > 0',
      '0m', 'warning', 'Prometheus refused scrapes over its sample, label or body limits',
      'A target sent more than the scrape limits allow, so its scrape failed (its InstanceDown alert names it): a cardinality bug or a hostile target.'),
    rule('HealthProbeFailing', 'probe_success{job="blackbox-health"} == 0', '2m', 'critical',
      '{{ $labels.instance }} fails through the front door', 'The blackbox exporter cannot get a 2xx from the health path over HTTPS.'),
  ];
}

/**
 * An alert rule of your own, added beside the library's in the monitoring host's rules file
 * (group `custom`). Labels `host`, `job` and `instance` are on every series the library scrapes.
 */
export interface CustomAlertRule {
  /** Alert name, e.g. `QueueBacklogHigh` (letters, digits, `_`; not one of the library's). */
  readonly alert: string;
  /** PromQL expression; the alert fires while it returns series. */
  readonly expr: string;
  /** How long the expression must hold before the alert fires, e.g. `5m`. @default "5m" */
  readonly for?: string;
  /** Routed to the SNS topic (and the webhook) either way. @default "warning" */
  readonly severity?: 'warning' | 'critical';
  /** One line; may use `{{ $labels.host }}`. */
  readonly summary: string;
  /** @default - the summary */
  readonly description?: string;
}

/** The rule as Prometheus reads it, defaults applied. */
export function customAlertRule(r: CustomAlertRule): AlertRule {
  return {
    alert: r.alert,
    expr: r.expr,
    for: r.for ?? '5m',
    labels: { severity: r.severity ?? 'warning' },
    annotations: { summary: r.summary, description: r.description ?? r.summary },
  };
}

/** One `promtool test rules` case: input series and whether the alert fires at `evalTime`. */
export interface AlertRuleTestCase {
  /** The alert under test. */
  readonly alert: string;
  /** Series in promtool's notation, e.g. `{ 'queue_depth{host="a"}': '0+100x20' }`. */
  readonly series: Readonly<Record<string, string>>;
  /** When to evaluate, e.g. `15m`. */
  readonly evalTime: string;
  /**
   * The labels and annotations of the alert expected to fire, or none: it must stay silent.
   * Without annotations, the rule's own with `{{ $labels.<name> }}` filled from the labels.
   */
  readonly expectFiring?: ReadonlyArray<{ readonly labels: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> }>;
  /** Scrape interval of the series. @default "1m" */
  readonly interval?: string;
}

/**
 * A test file for `promtool test rules <file>` that checks your cases against the rules file the
 * monitoring host gets (`rulesFilePath`: the stack's rules file written to disk).
 */
export function promtoolRuleTests(rulesFilePath: string, cases: readonly AlertRuleTestCase[]): string {
  // promtool compares annotations exactly: an expectation without them would expect none.
  let rules: Map<string, Record<string, string>> | undefined;
  const annotationsOf = (alert: string, labels: Readonly<Record<string, string>>): Record<string, string> => {
    rules ??= new Map((YAML.parse(fs.readFileSync(rulesFilePath, 'utf8'))?.groups ?? []).flatMap((g: any) => g.rules ?? []).map((r: any) => [r.alert, r.annotations ?? {}]));
    const annotations = rules.get(alert);
    if (!annotations) throw new Error(`promtoolRuleTests: ${rulesFilePath} has no alert ${alert}`);
    return Object.fromEntries(Object.entries(annotations).map(([name, text]) => {
      const expanded = text.replace(/\{\{-?\s*\$labels\.([A-Za-z_][A-Za-z0-9_]*)\s*-?\}\}/g, (_, label: string) => labels[label] ?? '<no value>');
      if (expanded.includes('{{')) throw new Error(`promtoolRuleTests: the ${name} of ${alert} ("${text}") uses more than {{ $labels.<name> }}; give the expected annotations in expectFiring[].annotations`);
      return [name, expanded];
    }));
  };
  return JSON.stringify({
    rule_files: [rulesFilePath],
    evaluation_interval: '1m',
    tests: cases.map((c) => ({
      interval: c.interval ?? '1m',
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: [{
        eval_time: c.evalTime,
        alertname: c.alert,
        exp_alerts: (c.expectFiring ?? []).map((a) => ({ exp_labels: a.labels, exp_annotations: a.annotations ?? annotationsOf(c.alert, a.labels) })),
      }],
    })),
  }, null, 2) + '\n';
}
