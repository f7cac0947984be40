/** The props of ObservabilityStack. */
import type { HardenedHostBase } from '../host/hardened-host';
import type { MachineImage } from '../host/machine-image';
import type { CustomAlertRule } from './alert-rules';

/** Every default below is a value of OBSERVABILITY_DEFAULTS (the only place it lives). */
export interface ObservabilityStackProps {
  /** Hosts and Auto Scaling services to watch; more with `watch(host)`. @default - none */
  readonly hosts?: readonly HardenedHostBase[];
  /** Create the monitoring host (Prometheus, Alertmanager, blackbox exporter, Loki, Grafana). @default false */
  readonly monitoringHost?: boolean;
  /** Subnet of the monitoring host. @default - required when monitoringHost is true */
  readonly subnetId?: string;
  /** @default - looked up from the subnet */
  readonly vpcId?: string;
  /** @default "t3.medium" */
  readonly instanceType?: string;
  /** @default - Ubuntu 24.04 LTS */
  readonly machineImage?: MachineImage;
  /** @default 15 */
  readonly scrapeIntervalSec?: number;
  /** @default 15 */
  readonly evaluationIntervalSec?: number;
  /** Days of metrics and logs kept on the monitoring host. @default 15 */
  readonly retentionDays?: number;
  /**
   * Size of the monitoring host's encrypted data volume (Prometheus, Loki, Grafana), which
   * outlives the instance: a replaced monitoring host mounts it again and keeps its history.
   * @default 50
   */
  readonly dataVolumeSizeGiB?: number;
  /**
   * Prometheus deletes its oldest data beyond this size, whatever retentionDays says, so a flood of
   * metrics cannot fill the volume.
   * @default - 40% of dataVolumeSizeGiB (rounded down)
   */
  readonly prometheusRetentionSizeGiB?: number;
  /**
   * Size of Loki's own file system on the data volume (an image file, allocated up front): a flood
   * of logs fills it, not the volume. Growing it grows the file system at the next boot; it never
   * shrinks.
   * @default - 40% of dataVolumeSizeGiB (rounded down)
   */
  readonly lokiStorageSizeGiB?: number;
  /** KMS key of the data volume. @default - the account's default EBS key (aws/ebs) */
  readonly dataVolumeKmsKeyId?: string;
  /** Path of the Go services' Prometheus metrics. @default "/metrics" */
  readonly appMetricsPath?: string;
  /**
   * Port of the Go services' metrics, apart from the traffic port: the service gets it as
   * `METRICS_ADDR` (on all addresses with a monitoring host, else on loopback) and only the
   * monitoring host may reach it, so the scraper cannot call the API around the front door.
   * @default 9464
   */
  readonly appMetricsPort?: number;
  /**
   * Metric names kept from the Go services (regular expressions, anchored); every other series the
   * service exposes is dropped when it is scraped, so it cannot flood Prometheus or pose as a
   * host's series.
   * @default ["go_.*", "process_.*", "promhttp_.*", "http_.*"] (the Go runtime, the process and promhttp's HTTP metrics)
   */
  readonly appMetricNames?: readonly string[];
  /** Samples one scrape of a watched target may return; a scrape over it fails (InstanceDown, ScrapeLimitExceeded). @default 20000 */
  readonly scrapeSampleLimit?: number;
  /** Labels one scraped series may have. @default 30 */
  readonly scrapeLabelLimit?: number;
  /** Length of a scraped label's name. @default 128 */
  readonly scrapeLabelNameLengthLimit?: number;
  /** Length of a scraped label's value. @default 1024 */
  readonly scrapeLabelValueLengthLimit?: number;
  /** Size of one scrape's uncompressed body. @default 10 */
  readonly scrapeBodySizeLimitMiB?: number;
  /** Share of 5xx responses that breaks the SLO, in percent. @default 0.1 */
  readonly errorRateSloPercent?: number;
  /** p99 latency SLO. @default 300 */
  readonly p99LatencySloMs?: number;
  /** Open files as a share of LimitNOFILE. @default 80 */
  readonly fdUsageAlertPercent?: number;
  /** Resident memory as a share of MemoryMax. @default 90 */
  readonly memoryUsageAlertPercent?: number;
  /** @default 15 */
  readonly goroutineGrowthMinutes?: number;
  /** Share of time in GC pauses. @default 5 */
  readonly gcPauseAlertPercent?: number;
  /** Filesystem usage. @default 85 */
  readonly diskUsageAlertPercent?: number;
  /** Email subscribed to the alarm topic (confirm the subscription mail). @default - no subscription */
  readonly alarmEmail?: string;
  /** Alertmanager also posts to this webhook. @default - SNS only */
  readonly alertWebhookUrl?: string;
  /**
   * What happens to URLs that carry secrets (credentials, a `token` parameter, a webhook key in
   * the path): they are stored in the monitoring host's user data and in Terraform state. `true`
   * warns at synth, `false` refuses.
   * @default true
   */
  readonly allowSecretsInUserData?: boolean;
  /** Log pushes one watched host may make per second through the log gateway (each a batch of lines), with logPushBurst. @default 20 */
  readonly logPushRequestsPerSecond?: number;
  /** @default 100 */
  readonly logPushBurst?: number;
  /** Loki's ingestion limit for one watched host: a flood from one host is refused, the others' logs still arrive. @default 4 */
  readonly logIngestionRateMiB?: number;
  /** Loki push URL when there is no monitoring host. @default - the monitoring host's Loki, or no log shipping */
  readonly lokiPushUrl?: string;
  /** OpenTelemetry collector endpoint, given to Go services as OTEL_EXPORTER_OTLP_ENDPOINT. @default - none */
  readonly otelEndpoint?: string;
  /**
   * Alert rules of your own, in the monitoring host's rules file beside the library's (group
   * `custom`) and routed like them. Test them with `promtoolRuleTests`. Needs monitoringHost.
   * @default - none
   */
  readonly alertRules?: readonly CustomAlertRule[];
  /**
   * Scrape jobs of your own: a metrics port on watched hosts, opened to the monitoring host's
   * security group only (and in UFW). Needs monitoringHost.
   * @default - none
   */
  readonly scrapeJobs?: readonly ScrapeJob[];
}

/** A metrics endpoint of your own on watched hosts, scraped by the monitoring host's Prometheus. */
export interface ScrapeJob {
  /** Prometheus job name (lower-case letters, digits, `-`, `_`; not one of the library's). */
  readonly jobName: string;
  /** Port the metrics are served on, on the host's private address. */
  readonly port: number;
  /** @default "/metrics" */
  readonly metricsPath?: string;
  /** The watched hosts that serve it. @default - every watched host */
  readonly hosts?: readonly HardenedHostBase[];
}
