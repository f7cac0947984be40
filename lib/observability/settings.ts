/**
 * ObservabilityStack's settings: its defaults (the only place they live) and the one pure
 * function that checks the props and applies them. Pure: no cdktf imports.
 */
import { AlertRule, AlertThresholds, DEFAULT_THRESHOLDS, customAlertRule } from './alert-rules';
import { ScrapeLimits, scrapeJobTag, ScrapeJobSettings } from './artifacts';
import { checkObservabilityProps, checkObservabilityPropTypes } from './checks';
import { ObservabilityStackProps, ScrapeJob } from './props';
import { checkProps } from '../input/check';
import { PORTS } from '../facts';
import { PropFailure } from '../input/prop-checks';

/** Every default of ObservabilityStack; the props' docs name these values. */
export const OBSERVABILITY_DEFAULTS = {
  monitoringHost: false,
  instanceType: 't3.medium',
  scrapeIntervalSec: 15,
  evaluationIntervalSec: 15,
  retentionDays: 15,
  dataVolumeSizeGiB: 50,
  /** Shares of the data volume Prometheus and Loki get when their sizes are not given; the rest is Grafana's and headroom. */
  prometheusVolumeShare: 0.4,
  lokiVolumeShare: 0.4,
  /** Prometheus and Loki together may take this share of the data volume at most. */
  dataVolumeMaxShare: 0.9,
  appMetricsPath: '/metrics',
  appMetricsPort: PORTS.appMetrics,
  appMetricNames: ['go_.*', 'process_.*', 'promhttp_.*', 'http_.*'],
  scrapeSampleLimit: 20000,
  scrapeLabelLimit: 30,
  scrapeLabelNameLengthLimit: 128,
  scrapeLabelValueLengthLimit: 1024,
  scrapeBodySizeLimitMiB: 10,
  logPushRequestsPerSecond: 20,
  logPushBurst: 100,
  logIngestionRateMiB: 4,
  /** Largest push the log gateway accepts (Alloy sends batches of 1 MiB). */
  logMaxPushMiB: 5,
  scrapeJobMetricsPath: '/metrics',
  allowSecretsInUserData: true,
  ...DEFAULT_THRESHOLDS,
} as const;

/** The props with every default applied (references and the hosts stay as given). */
export interface ObservabilitySettings {
  readonly props: ObservabilityStackProps;
  readonly monitoringHost: boolean;
  readonly instanceType: string;
  readonly scrapeIntervalSec: number;
  readonly evaluationIntervalSec: number;
  readonly retentionDays: number;
  readonly dataVolumeSizeGiB: number;
  readonly prometheusRetentionSizeGiB: number;
  readonly lokiStorageSizeGiB: number;
  readonly appMetricsPath: string;
  readonly appMetricsPort: number;
  readonly appMetricNames: readonly string[];
  readonly scrapeLimits: ScrapeLimits;
  readonly logPushRequestsPerSecond: number;
  readonly logPushBurst: number;
  readonly logIngestionRateMiB: number;
  readonly thresholds: AlertThresholds;
  readonly customRules: readonly AlertRule[];
  readonly scrapeJobs: ReadonlyArray<ScrapeJobSettings & { readonly hosts?: ScrapeJob['hosts'] }>;
}

/** Stand-in for a monitoring host's subnet that failed its checks (the stack then does not synthesize). */
const PLACEHOLDER_SUBNET_ID = 'subnet-00000000';

/** Checks the props (types first) and applies the defaults; failed props are left out. */
export function resolveObservabilitySettings(
  rawProps: ObservabilityStackProps,
  isToken: (v: unknown) => boolean,
): { settings: ObservabilitySettings; failures: readonly PropFailure[]; warnings: readonly string[] } {
  const checked = checkProps<ObservabilityStackProps>(rawProps, {},
    (p, c) => checkObservabilityPropTypes(p, c),
    (p, c, w) => checkObservabilityProps(p, isToken, c, w));
  const p = checked.props.monitoringHost && checked.props.subnetId === undefined ? { ...checked.props, subnetId: PLACEHOLDER_SUBNET_ID } : checked.props;
  const d = OBSERVABILITY_DEFAULTS;
  const settings: ObservabilitySettings = {
    props: p,
    monitoringHost: p.monitoringHost ?? d.monitoringHost,
    instanceType: p.instanceType ?? d.instanceType,
    scrapeIntervalSec: p.scrapeIntervalSec ?? d.scrapeIntervalSec,
    evaluationIntervalSec: p.evaluationIntervalSec ?? d.evaluationIntervalSec,
    retentionDays: p.retentionDays ?? d.retentionDays,
    dataVolumeSizeGiB: p.dataVolumeSizeGiB ?? d.dataVolumeSizeGiB,
    prometheusRetentionSizeGiB: p.prometheusRetentionSizeGiB ?? Math.floor((p.dataVolumeSizeGiB ?? d.dataVolumeSizeGiB) * d.prometheusVolumeShare),
    lokiStorageSizeGiB: p.lokiStorageSizeGiB ?? Math.floor((p.dataVolumeSizeGiB ?? d.dataVolumeSizeGiB) * d.lokiVolumeShare),
    appMetricsPath: p.appMetricsPath ?? d.appMetricsPath,
    appMetricsPort: p.appMetricsPort ?? d.appMetricsPort,
    appMetricNames: p.appMetricNames ?? d.appMetricNames,
    logPushRequestsPerSecond: p.logPushRequestsPerSecond ?? d.logPushRequestsPerSecond,
    logPushBurst: p.logPushBurst ?? d.logPushBurst,
    logIngestionRateMiB: p.logIngestionRateMiB ?? d.logIngestionRateMiB,
    scrapeLimits: {
      sampleLimit: p.scrapeSampleLimit ?? d.scrapeSampleLimit,
      labelLimit: p.scrapeLabelLimit ?? d.scrapeLabelLimit,
      labelNameLengthLimit: p.scrapeLabelNameLengthLimit ?? d.scrapeLabelNameLengthLimit,
      labelValueLengthLimit: p.scrapeLabelValueLengthLimit ?? d.scrapeLabelValueLengthLimit,
      bodySizeLimitMiB: p.scrapeBodySizeLimitMiB ?? d.scrapeBodySizeLimitMiB,
    },
    thresholds: {
      errorRateSloPercent: p.errorRateSloPercent ?? d.errorRateSloPercent,
      p99LatencySloMs: p.p99LatencySloMs ?? d.p99LatencySloMs,
      fdUsageAlertPercent: p.fdUsageAlertPercent ?? d.fdUsageAlertPercent,
      memoryUsageAlertPercent: p.memoryUsageAlertPercent ?? d.memoryUsageAlertPercent,
      goroutineGrowthMinutes: p.goroutineGrowthMinutes ?? d.goroutineGrowthMinutes,
      gcPauseAlertPercent: p.gcPauseAlertPercent ?? d.gcPauseAlertPercent,
      diskUsageAlertPercent: p.diskUsageAlertPercent ?? d.diskUsageAlertPercent,
    },
    customRules: (p.alertRules ?? []).map(customAlertRule),
    scrapeJobs: (p.scrapeJobs ?? []).map((job) => ({ jobName: job.jobName, port: job.port, metricsPath: job.metricsPath ?? d.scrapeJobMetricsPath, tag: scrapeJobTag(job.jobName), hosts: job.hosts })),
  };
  return { settings, failures: [...checked.failures, ...volumeFailures(settings)], warnings: checked.warnings };
}

/** The data volume holds Prometheus's retention, Loki's file system and Grafana, with headroom (checked with the defaults applied). */
function volumeFailures(s: ObservabilitySettings): PropFailure[] {
  const shares = s.prometheusRetentionSizeGiB + s.lokiStorageSizeGiB;
  if (!s.monitoringHost || !(shares > s.dataVolumeSizeGiB * OBSERVABILITY_DEFAULTS.dataVolumeMaxShare)) return [];
  return [{
    prop: 'prometheusRetentionSizeGiB',
    value: s.prometheusRetentionSizeGiB,
    problem: `with lokiStorageSizeGiB (${s.lokiStorageSizeGiB}) takes ${shares} of the ${s.dataVolumeSizeGiB} GiB data volume: more than ${OBSERVABILITY_DEFAULTS.dataVolumeMaxShare * 100}%, leaving Grafana and the write-ahead logs no room`,
    fix: `raise dataVolumeSizeGiB to at least ${Math.ceil(shares / OBSERVABILITY_DEFAULTS.dataVolumeMaxShare)}, or lower the sizes`,
  }];
}
