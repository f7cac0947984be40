/**
 * ObservabilityStack: exporters and a log shipper on every watched host, CloudWatch self-healing
 * alarms with an SNS topic, and an optional monitoring host (Prometheus, Alertmanager, blackbox,
 * Loki, Grafana) whose security group is the only one allowed to scrape.
 */
import { Construct } from 'constructs';
import { statusCheckAlarm } from '../host/alarms';
import { HardenedGoHost } from '../go-service/hardened-go-host';
import { HardenedGoService } from '../go-service/hardened-go-service';
import { FrontDoorOnHost, HardenedHost, HardenedHostBase } from '../host/hardened-host';
import { HardenedHostGroup } from '../host/hardened-host-group';
import { DISCOVERY_TAGS, OBS, MonitoringSettings, provisionMonitoring, provisionSidecars, scrapeJobTag } from './artifacts';
import { Port } from '../network/port';
import { OBSERVABILITY_DEFAULTS, ObservabilitySettings, resolveObservabilitySettings } from './settings';
import { checkConstructPath, reportFailure, reportInput } from '../input/report';
import { assess } from '../readiness/checklist';
import { OBSERVABILITY_ITEMS } from './readiness';
import { CloudwatchMetricAlarm, DataAwsSubnet, EbsVolume, SecretsmanagerSecret, SnsTopic, SnsTopicSubscription, VolumeAttachment } from '../private/aws';
import { LOG_GATEWAY, provisionLogGateway, TENANT_PATTERN } from './log-gateway';
import { StackLookups } from '../host/stack-lookups';
import { createHash } from 'node:crypto';
import { Token } from '../private/cdktf';
import { BOUNDARIES, rememberUserTokens } from '../private/late-bound';
import { RESERVED_LOCAL_PORTS } from '../facts';
import { ObservabilityStackProps } from './props';

export type { ObservabilityStackProps, ScrapeJob } from './props';

export class ObservabilityStack extends Construct {
  public readonly alarmTopic: SnsTopic;
  /** The monitoring host; its private address (a network interface of its own) survives replacement. */
  public readonly monitoringHost?: HardenedHost;
  /** The encrypted volume with Prometheus, Loki and Grafana data; it survives replacement of the monitoring host. */
  public readonly dataVolume?: EbsVolume;
  /** The props with every default applied (OBSERVABILITY_DEFAULTS). */
  public readonly settings: ObservabilitySettings;
  private readonly watched: HardenedHostBase[] = [];
  private readonly frontDoors = new Map<HardenedHostBase, FrontDoorOnHost>();

  constructor(scope: Construct, id: string, rawProps: ObservabilityStackProps = {}) {
    super(scope, id);
    const resolved = resolveObservabilitySettings(rawProps, (v) => Token.isUnresolved(v));
    rememberUserTokens(rawProps);
    reportInput(this, resolved);
    checkConstructPath(this);
    const s = resolved.settings;
    const props = s.props;
    this.settings = s;

    this.alarmTopic = new SnsTopic(this, 'AlarmTopic', { namePrefix: 'gohost-alarms-' });
    if (props.alarmEmail) {
      new SnsTopicSubscription(this, 'AlarmEmail', { topicArn: this.alarmTopic.arn, protocol: 'email', endpoint: props.alarmEmail });
    }

    if (s.monitoringHost) {
      const mon = new HardenedHost(this, 'Monitoring', {
        subnetId: props.subnetId!,
        vpcId: props.vpcId,
        instanceType: s.instanceType,
        machineImage: props.machineImage,
        // Hosts push logs to this address: it must not change when the instance is replaced.
        stablePrivateAddress: true,
      }, { describe: () => ({ name: 'monitoring' }) });
      this.monitoringHost = mon;
      // Alertmanager publishes to the topic; Prometheus finds its targets by their tags.
      mon.addToRolePolicy('publish-alerts', [{ Effect: 'Allow', Action: 'sns:Publish', Resource: this.alarmTopic.arn }], 'the alarm topic');
      // DescribeInstances has no resource-level permissions: the action is the narrowest grant there is.
      mon.addToRolePolicy('discover-targets', [{ Effect: 'Allow', Action: 'ec2:DescribeInstances', Resource: '*' }], 'every instance of the account and region');
      const zone = new DataAwsSubnet(this, 'MonitoringSubnet', { id: props.subnetId! }).availabilityZone;
      this.dataVolume = new EbsVolume(this, 'DataVolume', {
        availabilityZone: zone,
        size: s.dataVolumeSizeGiB,
        type: 'gp3',
        encrypted: true,
        kmsKeyId: props.dataVolumeKmsKeyId,
        tags: { Name: `${this.node.path.replace(/\//g, '-')}-data` },
      });
      new VolumeAttachment(this, 'DataVolumeAttachment', {
        deviceName: '/dev/sdf',
        volumeId: this.dataVolume.id,
        instanceId: mon.instance.id,
        stopInstanceBeforeDetaching: true,
      });
      mon.addProvisioning(() => provisionMonitoring(mon.bindReferences(this.monitoringSettings(mon))));
      // The log gateway gives each watched host its own token, through that host's own secret.
      mon.addProvisioning(() => provisionLogGateway({
        discoveryId: this.node.path,
        pushRequestsPerSecond: s.logPushRequestsPerSecond,
        pushBurst: s.logPushBurst,
        maxPushMiB: OBSERVABILITY_DEFAULTS.logMaxPushMiB,
      }));
      const lookups = StackLookups.of(this);
      mon.addToRolePolicy('issue-log-credentials', [
        // ListSecrets has no resource-level permissions; it returns names and tags, never values.
        { Effect: 'Allow', Action: 'secretsmanager:ListSecrets', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'secretsmanager:PutSecretValue',
          Resource: `${mon.arnPrefix}:secretsmanager:${mon.regionName}:${lookups.accountId}:secret:${this.logSecretPrefix}*`,
          Condition: { StringEquals: { [`secretsmanager:ResourceTag/${LOG_GATEWAY.monitorTag}`]: this.node.path } },
        },
      ], "the watched hosts' log credentials (written, never read)");
      // The monitoring host watches itself: its node_exporter is discovered and scraped like any host's (disk, memory, units).
      mon.addProvisioning(() => provisionSidecars(mon.bindReferences({ hostName: this.hostLabel(mon), nginx: false })));
      mon.addInstanceTag(DISCOVERY_TAGS.monitor, this.node.path);
      mon.addReadiness(...assess(OBSERVABILITY_ITEMS, { monitoringHost: true, goService: false, frontDoor: false, logShipping: false, otel: false, isMonitoringHost: true }));
      this.addAlarms(mon);
    }
    for (const h of props.hosts ?? []) this.watch(h);
    // A job's hosts must be watched (before or after this point): only watched instances are discovered.
    this.node.addValidation({
      validate: () => s.scrapeJobs.flatMap((job, i) => (job.hosts ?? [])
        .filter((h) => !this.watched.includes(h))
        .map((h) => `scrapeJobs[${i}].hosts = ${h.node.path}: is not watched by this stack, so Prometheus would not find it. Fix: watch it (hosts or watch()).`)),
    });
  }

  /** Watches a host or an Auto Scaling service: exporters, log shipping, alarms, and scrapes from the monitoring host. */
  public watch(host: HardenedHostBase): void {
    if (!(host instanceof HardenedHostBase)) {
      reportFailure(this, 'hosts', String(host), 'is not a host of this library', 'pass HardenedGoHost, HardenedGoService or HardenedHost constructs');
      return;
    }
    if (this.watched.includes(host)) {
      reportFailure(this, 'hosts', host.node.path, 'is watched twice', 'pass each host once (in hosts or through watch())');
      return;
    }
    this.watched.push(host);
    const p = this.settings.props;
    const mon = this.monitoringHost;
    const goHost = host instanceof HardenedGoHost || host instanceof HardenedGoService ? host : undefined;
    const lokiPushUrl = mon ? `https://${mon.privateIp}:${LOG_GATEWAY.port}/loki/api/v1/push` : p.lokiPushUrl && host.lateBound(p.lokiPushUrl, BOUNDARIES.url, `lokiPushUrl (of ${this.node.path})`);
    const appPort = goHost ? this.settings.appMetricsPort : undefined;
    if (goHost && appPort !== undefined && RESERVED_LOCAL_PORTS[appPort] !== undefined) {
      reportFailure(this, 'appMetricsPort', appPort, `collides with an exporter on ${host.node.path}`, 'serve metrics on another port');
      return;
    }
    if (goHost && appPort === goHost.listenPort) {
      reportFailure(this, 'appMetricsPort', appPort, `is ${host.node.path}'s listenPort: the monitoring host could call the whole API directly, around the front door`,
        `serve metrics on a port of their own (the default, ${OBSERVABILITY_DEFAULTS.appMetricsPort}), or give the service another listenPort`);
      return;
    }

    const logCredential = mon ? this.logCredential(host) : undefined;

    // Rendered at synthesis: a front door created after watch() still gets its exporter.
    const nginx = () => this.frontDoors.has(host);
    host.addProvisioning(() => provisionSidecars(host.bindReferences({
      hostName: this.hostLabel(host),
      group: host.isGroup,
      nginx: nginx(),
      lokiPushUrl,
      logCredentialSecretArn: logCredential?.arn,
      service: goHost && { name: goHost.serviceName, limitNofile: goHost.settings.limitNofile, memoryMaxBytes: goHost.memoryMax },
    })));
    if (goHost && p.otelEndpoint) goHost.addEnvironment('OTEL_EXPORTER_OTLP_ENDPOINT', p.otelEndpoint);
    // Metrics apart from traffic: reachable by the monitoring host alone (security group and UFW), else on loopback.
    if (goHost) goHost.addEnvironment('METRICS_ADDR', `${mon ? '0.0.0.0' : '127.0.0.1'}:${appPort}`);

    // Prometheus's EC2 service discovery selects instances by these tags.
    host.addInstanceTag(DISCOVERY_TAGS.monitor, this.node.path);
    if (appPort !== undefined) host.addInstanceTag(DISCOVERY_TAGS.appPort, String(appPort));
    if (host.isGroup) host.addInstanceTag(DISCOVERY_TAGS.group, 'true');
    if (mon) {
      host.connections.allowFrom(mon, Port.NODE_EXPORTER, 'node_exporter from monitoring');
      if (appPort !== undefined) host.connections.allowFrom(mon, Port.tcp(appPort), 'app metrics from monitoring');
      mon.connections.allowFrom(host, Port.tcp(OBS.lokiPort), `logs from ${host.hostName}`);
    }
    // Before or after this call: the front door on the host gets its exporter scraped and its domain probed.
    host.whenFrontDoor((frontDoor) => {
      this.frontDoors.set(host, frontDoor);
      host.addInstanceTag(DISCOVERY_TAGS.nginx, 'true');
      if (mon) host.connections.allowFrom(mon, Port.NGINX_EXPORTER, 'nginx exporter from monitoring');
    });
    for (const job of this.settings.scrapeJobs) {
      if (job.hosts !== undefined && !job.hosts.includes(host)) continue;
      host.addInstanceTag(scrapeJobTag(job.jobName), String(job.port));
      if (mon) host.connections.allowFrom(mon, Port.tcp(job.port), `${job.jobName} metrics from monitoring`);
    }
    this.addAlarms(host);
    host.addReadinessProducer(() => assess(OBSERVABILITY_ITEMS, {
      monitoringHost: !!mon, goService: !!goHost, frontDoor: nginx(), logShipping: !!lokiPushUrl, authenticatedLogs: !!logCredential, otel: !!(goHost && p.otelEndpoint), group: host.isGroup, groupHealthCheck: host.groupHealthCheck,
    }));
  }

  /** Names of this stack's log credential secrets start with it (the monitoring host may write exactly these). */
  private get logSecretPrefix(): string {
    return `gohost-logs-${createHash('sha256').update(this.node.path).digest('hex').slice(0, 8)}-`;
  }

  /**
   * A watched host's log credential: its own secret, created empty (the monitoring host writes the
   * token into it), readable by the host's role alone; its tags tell the monitoring host whose it is.
   */
  private logCredential(host: HardenedHostBase): SecretsmanagerSecret | undefined {
    const tenant = this.hostLabel(host);
    if (!TENANT_PATTERN.test(tenant)) {
      reportFailure(this, 'hosts', host.node.path, 'cannot name a Loki tenant (its construct path holds characters other than letters, digits and -_.)', 'use letters, digits, - and _ in the construct IDs of watched hosts');
      return undefined;
    }
    const secret = new SecretsmanagerSecret(this, `LogCredential-${tenant}`, {
      namePrefix: `${this.logSecretPrefix}${tenant.slice(0, 200)}-`,
      description: `cdktf-gohost ${host.node.path}: its log token and the log gateway's certificate, written by the monitoring host`,
      tags: { [LOG_GATEWAY.monitorTag]: this.node.path, [LOG_GATEWAY.tenantTag]: tenant },
    });
    host._addRolePolicy('LogCredentialPolicy', 'read-log-credential', [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: secret.arn }], "this host's log credential");
    return secret;
  }

  /** The `host` label: the construct path, which is unique and readable. */
  private hostLabel(host: HardenedHostBase): string {
    return host.node.path.replace(/\//g, '-');
  }

  private monitoringSettings(mon: HardenedHost): MonitoringSettings {
    const s = this.settings;
    const p = s.props;
    return {
      discoveryId: this.node.path,
      region: mon.regionName,
      // One probe per front door (several hosts may run the same one), in the order of their paths.
      probes: [...new Map([...this.frontDoors.values()].map((fd) => [fd.path, fd] as const)).values()]
        .sort((a, b) => a.path.localeCompare(b.path))
        .map((fd) => ({ domain: mon.lateBound(fd.domainName, BOUNDARIES.dnsName, `domainNames[0] (of ${fd.path})`), healthPath: fd.healthPath })),
      dataVolumeId: this.dataVolume?.id,
      appMetricsPath: s.appMetricsPath,
      appMetricNames: s.appMetricNames,
      scrapeLimits: s.scrapeLimits,
      scrapeIntervalSec: s.scrapeIntervalSec,
      evaluationIntervalSec: s.evaluationIntervalSec,
      thresholds: s.thresholds,
      snsTopicArn: this.alarmTopic.arn,
      webhookUrl: p.alertWebhookUrl && mon.lateBound(p.alertWebhookUrl, BOUNDARIES.url, `alertWebhookUrl (of ${this.node.path})`),
      retentionDays: s.retentionDays,
      logIngestionRateMiB: s.logIngestionRateMiB,
      prometheusRetentionSizeGiB: s.prometheusRetentionSizeGiB,
      lokiStorageSizeGiB: s.lokiStorageSizeGiB,
      customRules: s.customRules,
      scrapeJobs: s.scrapeJobs,
    };
  }

  /**
   * Single instances: reboot on a failed instance check, and the host's recover alarm also
   * notifies the topic. Groups replace unhealthy instances themselves: the topic hears of
   * targets the load balancer finds unhealthy, or of a group with fewer instances in service than
   * its minimum.
   */
  private addAlarms(host: HardenedHostBase): void {
    const name = this.hostLabel(host);
    const lb = host instanceof HardenedGoService ? host.loadBalancer : undefined;
    if (lb) {
      const unhealthy = new CloudwatchMetricAlarm(this, `UnhealthyAlarm-${name}`, {
        alarmName: `${name}-unhealthy-targets`,
        alarmDescription: `Instances of ${host.node.path} fail the load balancer's health check (the group replaces them; this tells you it happened)`,
        namespace: 'AWS/NetworkELB',
        metricName: 'UnHealthyHostCount',
        dimensions: { TargetGroup: lb.targetGroup.arnSuffix, LoadBalancer: lb.loadBalancer.arnSuffix },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 5,
        threshold: 1,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [this.alarmTopic.arn],
        okActions: [this.alarmTopic.arn],
      });
      // A release whose instances keep failing the health check is rolled back, not finished.
      (host as HardenedGoService).rollBackRefreshOnAlarm(unhealthy.alarmName);
      return;
    }
    if (host instanceof HardenedHostGroup || host instanceof HardenedGoService) {
      // GroupInServiceInstances needs the group's metrics, which placeInGroup turns on.
      new CloudwatchMetricAlarm(this, `InServiceAlarm-${name}`, {
        alarmName: `${name}-instances-not-in-service`,
        alarmDescription: `${host.node.path} has fewer instances in service than its minimum (the group replaces them; a replacement that never becomes ready is abandoned)`,
        namespace: 'AWS/AutoScaling',
        metricName: 'GroupInServiceInstances',
        dimensions: { AutoScalingGroupName: host.autoScalingGroup.name },
        statistic: 'Minimum',
        period: 60,
        evaluationPeriods: 5,
        threshold: host.group.minCapacity,
        comparisonOperator: 'LessThanThreshold',
        treatMissingData: 'breaching',
        alarmActions: [this.alarmTopic.arn],
        okActions: [this.alarmTopic.arn],
      });
      return;
    }
    if (!(host instanceof HardenedHost)) return;
    if (host.recoverAlarm) host.recoverAlarm.alarmActions = [...(host.recoverAlarm.alarmActionsInput ?? []), this.alarmTopic.arn];
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
