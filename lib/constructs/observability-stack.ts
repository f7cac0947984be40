/**
 * ObservabilityStack: exporters and a log shipper on every watched host, CloudWatch self-healing
 * alarms with an SNS topic, and an optional monitoring host (Prometheus, Alertmanager, blackbox,
 * Loki, Grafana) whose security group is the only one allowed to scrape.
 */
import { Construct } from 'constructs';
import { statusCheckAlarm } from './alarms';
import { HardenedGoHost } from './hardened-go-host';
import { HardenedHost } from './hardened-host';
import { NginxFrontDoor } from './nginx-front-door';
import { DEFAULT_THRESHOLDS } from '../model/alert-rules';
import { MachineImage } from '../model/machine-image';
import { OBS, MonitoringSettings, provisionMonitoring, provisionSidecars } from '../model/observability';
import { Port } from '../model/port';
import { PropChecks } from '../policy/errors';
import { checkObservabilityProps } from '../policy/observability-checks';
import { observabilityReadiness } from '../policy/observability-readiness';
import { SnsTopic, SnsTopicSubscription } from '../private/aws';
import { TerraformStack, Token } from '../private/cdktf';

export interface ObservabilityStackProps {
  /** Hosts to watch; more with `watch(host)`. @default - none */
  readonly hosts?: readonly HardenedHost[];
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
  /** Path of the Go services' Prometheus metrics. @default "/metrics" */
  readonly appMetricsPath?: string;
  /** Port of the Go services' metrics. @default - each service's listenPort */
  readonly appMetricsPort?: number;
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
  /** Loki push URL when there is no monitoring host. @default - the monitoring host's Loki, or no log shipping */
  readonly lokiPushUrl?: string;
  /** OpenTelemetry collector endpoint, given to Go services as OTEL_EXPORTER_OTLP_ENDPOINT. @default - none */
  readonly otelEndpoint?: string;
}

export class ObservabilityStack extends Construct {
  public readonly alarmTopic: SnsTopic;
  public readonly monitoringHost?: HardenedHost;
  private readonly props: ObservabilityStackProps;
  private readonly watched: HardenedHost[] = [];
  private readonly frontDoorHosts = new Map<HardenedHost, NginxFrontDoor>();

  constructor(scope: Construct, id: string, props: ObservabilityStackProps = {}) {
    super(scope, id);
    const checks = new PropChecks();
    checkObservabilityProps(props, (v) => Token.isUnresolved(v), checks);
    checks.throwIfAny(this.node.path);
    this.props = props;

    this.alarmTopic = new SnsTopic(this, 'AlarmTopic', { namePrefix: 'gohost-alarms-' });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, 'AlarmEmail', { topicArn: this.alarmTopic.arn, protocol: 'email', endpoint: props.alarmEmail });
    }

    if (props.monitoringHost) {
      const mon = new HardenedHost(this, 'Monitoring', {
        subnetId: props.subnetId!,
        vpcId: props.vpcId,
        instanceType: props.instanceType ?? 't3.medium',
        machineImage: props.machineImage,
      }, { name: 'monitoring' });
      this.monitoringHost = mon;
      // Alertmanager publishes to the topic with the instance role.
      mon.addToRolePolicy('publish-alerts', [{ Effect: 'Allow', Action: 'sns:Publish', Resource: this.alarmTopic.arn }]);
      mon.addProvisioning(() => provisionMonitoring(this.monitoringSettings(mon)));
      mon.addReadiness(...observabilityReadiness({ monitoringHost: true, goService: false, frontDoor: false, logShipping: false, otel: false, isMonitoringHost: true }));
      this.addAlarms(mon);
    }
    for (const h of props.hosts ?? []) this.watch(h);
  }

  /** Watches a host: exporters, log shipping, alarms, and scrapes from the monitoring host. */
  public watch(host: HardenedHost): void {
    if (this.watched.includes(host)) {
      const c = new PropChecks();
      c.fail('hosts', host.node.path, 'is watched twice', 'pass each host once (in hosts or through watch())');
      c.throwIfAny(this.node.path);
    }
    this.watched.push(host);
    // A host running a front door (created before it is watched) also gets the nginx exporter and a probe.
    for (const fd of TerraformStack.of(this).node.findAll().filter((c): c is NginxFrontDoor => c instanceof NginxFrontDoor)) {
      if (fd.hosts.includes(host)) this.frontDoorHosts.set(host, fd);
    }
    const p = this.props;
    const mon = this.monitoringHost;
    const goHost = host instanceof HardenedGoHost ? host : undefined;
    const nginx = this.frontDoorHosts.has(host);
    const lokiPushUrl = mon ? `http://${host.lateBound(mon.privateIp)}:${OBS.lokiPort}/loki/api/v1/push` : p.lokiPushUrl && host.lateBound(p.lokiPushUrl);
    const appPort = goHost ? p.appMetricsPort ?? goHost.listenPort : undefined;
    if (goHost && appPort !== undefined && [OBS.nodeExporterPort, OBS.nginxExporterPort].includes(appPort as 9100)) {
      const c = new PropChecks();
      c.fail('appMetricsPort', appPort, `collides with an exporter on ${host.node.path}`, 'serve metrics on another port');
      c.throwIfAny(this.node.path);
    }

    host.userData.merge(provisionSidecars({
      hostName: this.hostLabel(host),
      nginx,
      lokiPushUrl,
      service: goHost && { name: goHost.serviceName, limitNofile: goHost.settings.limitNofile, memoryMaxBytes: goHost.memoryMax },
    }));
    if (goHost && p.otelEndpoint) goHost.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', p.otelEndpoint);

    if (mon) {
      host.connections.allowFrom(mon, Port.NODE_EXPORTER, 'node_exporter from monitoring');
      if (nginx) host.connections.allowFrom(mon, Port.NGINX_EXPORTER, 'nginx exporter from monitoring');
      if (appPort !== undefined) host.connections.allowFrom(mon, Port.tcp(appPort), 'app metrics from monitoring');
      mon.connections.allowFrom(host, Port.tcp(OBS.lokiPort), `logs from ${host.hostName}`);
    }
    this.addAlarms(host);
    host.addReadiness(...observabilityReadiness({
      monitoringHost: !!mon, goService: !!goHost, frontDoor: nginx, logShipping: !!lokiPushUrl, otel: !!(goHost && p.otelEndpoint),
    }));
  }

  /** The `host` label: the construct path, which is unique and readable. */
  private hostLabel(host: HardenedHost): string {
    return host.node.path.replace(/\//g, '-');
  }

  private monitoringSettings(mon: HardenedHost): MonitoringSettings {
    const p = this.props;
    return {
      targets: this.watched.map((h) => {
        const fd = this.frontDoorHosts.get(h);
        return {
          name: this.hostLabel(h),
          address: mon.lateBound(h.privateIp),
          appPort: h instanceof HardenedGoHost ? p.appMetricsPort ?? h.listenPort : undefined,
          frontDoor: fd && { domain: mon.lateBound(fd.settings.domainNames[0]), healthPath: fd.settings.healthPath },
        };
      }),
      appMetricsPath: p.appMetricsPath ?? '/metrics',
      scrapeIntervalSec: p.scrapeIntervalSec ?? 15,
      evaluationIntervalSec: p.evaluationIntervalSec ?? 15,
      thresholds: {
        errorRateSloPercent: p.errorRateSloPercent ?? DEFAULT_THRESHOLDS.errorRateSloPercent,
        p99LatencySloMs: p.p99LatencySloMs ?? DEFAULT_THRESHOLDS.p99LatencySloMs,
        fdUsagePercent: p.fdUsageAlertPercent ?? DEFAULT_THRESHOLDS.fdUsagePercent,
        memoryUsagePercent: p.memoryUsageAlertPercent ?? DEFAULT_THRESHOLDS.memoryUsagePercent,
        goroutineGrowthMinutes: p.goroutineGrowthMinutes ?? DEFAULT_THRESHOLDS.goroutineGrowthMinutes,
        gcPausePercent: p.gcPauseAlertPercent ?? DEFAULT_THRESHOLDS.gcPausePercent,
        diskUsagePercent: p.diskUsageAlertPercent ?? DEFAULT_THRESHOLDS.diskUsagePercent,
      },
      snsTopicArn: mon.lateBound(this.alarmTopic.arn),
      region: mon.lateBound(mon.regionName),
      webhookUrl: p.alertWebhookUrl && mon.lateBound(p.alertWebhookUrl),
      retentionDays: p.retentionDays ?? 15,
    };
  }

  /** Reboot on a failed instance check; the host's recover alarm also notifies the topic. */
  private addAlarms(host: HardenedHost): void {
    if (host.recoverAlarm) host.recoverAlarm.alarmActions = [...(host.recoverAlarm.alarmActionsInput ?? []), this.alarmTopic.arn];
    const name = this.hostLabel(host);
    statusCheckAlarm(this, `RebootAlarm-${name}`, {
      alarmName: `${name}-instance-status-reboot`,
      description: `Reboot ${host.node.path} when the EC2 instance status check fails`,
      instanceId: host.instance.id,
      metricName: 'StatusCheckFailed_Instance',
      actions: [`${host.arnPrefix}:automate:${host.regionName}:ec2:reboot`, this.alarmTopic.arn],
      evaluationPeriods: 3,
    });
  }
}
