/**
 * HardenedGoService: the Go service of HardenedGoHost on EC2 Auto Scaling. The same hardened
 * configuration goes into a launch template; an internal Network Load Balancer is the service's
 * stable address (or none: a group of one carrying its front door, which then claims the Elastic
 * IP when healthy); a release (a new launch template version) rolls through the group with
 * instance refresh, keeping 100 % healthy capacity and rolling back on failure.
 */
import { Construct } from 'constructs';
import { asHostSettings, GO_HOST_PROP_NAMES, GoServiceConfiguration, goServiceSpec, IGoService } from './hardened-go-host';
import { goServiceSettingsOf, GoServiceSettings } from './settings';
import { HardenedHostBase } from '../host/hardened-host';
import { InternalLoadBalancer } from './internal-load-balancer';
import { GoHostSettings } from './artifacts';
import { HostProvisioning } from '../host/provisioning';
import { checkGroupProps, GROUP_PROP_TYPES, GroupPropsToResolve, resolveGroupSettings, ResolvedGroupSettings } from './group-checks';
import { groupHostPropNames } from '../host/checks';
import { ReadinessRow } from '../readiness/rows';
import { AutoscalingGroup, AutoscalingPolicy, AutoscalingSchedule, LaunchTemplate } from '../private/aws';
import { Fn, Token } from '../private/cdktf';
import { placeInGroup } from '../host/auto-scaling';
import { launchReadyStep } from '../host/first-boot-signals';
import { allowLaunchReady } from '../host/hardened-host-group';
import { HOST_GROUP_DEFAULTS } from '../host/settings';
import { provisionTerminationWatch, TERMINATION_WATCH } from '../host/termination';
import { GO_SERVICE_GROUP_DEFAULTS } from './settings';
import { HardenedGoServiceProps } from './props';

/** Every prop HardenedGoService takes. @internal */
export const GO_SERVICE_GROUP_PROP_NAMES: readonly string[] = groupHostPropNames(GO_HOST_PROP_NAMES, Object.keys(GROUP_PROP_TYPES));

export type { HardenedGoServiceProps } from './props';

/** The group's props with the service's defaults applied (the host applied its own). */
function groupProps(p: HardenedGoServiceProps): GroupPropsToResolve {
  return goServiceSettingsOf(asHostSettings(p)) as GoServiceSettings & HardenedGoServiceProps;
}

export class HardenedGoService extends HardenedHostBase implements IGoService {
  public readonly serviceName: string;
  public readonly worker: boolean;
  public readonly listenPort: number | undefined;
  public readonly healthPath: string | undefined;
  public readonly launchTemplate: LaunchTemplate;
  public readonly autoScalingGroup: AutoscalingGroup;
  /**
   * The service's stable address; admit clients with `service.loadBalancer.connections.allowFrom(...)`.
   * Undefined with internalLoadBalancer: false.
   */
  public readonly loadBalancer?: InternalLoadBalancer;
  public readonly group: ResolvedGroupSettings;
  private readonly go: GoServiceConfiguration;
  private readonly rollbackAlarms: string[] = [];

  constructor(scope: Construct, id: string, props: HardenedGoServiceProps) {
    const go = goServiceSpec<HardenedGoServiceProps>();
    super(scope, id, props, {
      ...go,
      placeholders: { ...go.placeholders, subnetIds: ['subnet-00000000'] },
      propNames: GO_SERVICE_GROUP_PROP_NAMES,
      checkProps: (p: HardenedGoServiceProps, checks, warnings) => {
        go.checkProps(p, checks, warnings);
        checkGroupProps(groupProps(p), (v) => Token.isUnresolved(v), checks, warnings);
      },
      describe: (p: HardenedGoServiceProps) => ({
        ...go.describe(p),
        // A list from a variable is one token: its first element is taken in Terraform.
        subnetIdForVpc: Token.isUnresolved(p.subnetIds) ? Fn.element(p.subnetIds, 0) : p.subnetIds?.[0],
        autoRecovery: false,
        publicIp: p.associatePublicIpAddress ?? false,
        group: true,
        groupHealthCheck: resolveGroupSettings(groupProps(p)).internalLoadBalancer ? 'ELB' : 'EC2',
      }),
    });
    props = this.validProps as unknown as HardenedGoServiceProps;
    this.go = new GoServiceConfiguration(this, goServiceSettingsOf(asHostSettings(props)));
    this.serviceName = this.go.serviceName;
    this.worker = this.go.worker;
    this.listenPort = this.go.listenPort;
    this.healthPath = this.go.healthPath;
    this.group = resolveGroupSettings(groupProps(props));
    const g = this.group;
    const l = this.launch;

    if (g.internalLoadBalancer && this.listenPort !== undefined && this.healthPath !== undefined) {
      this.loadBalancer = new InternalLoadBalancer(this, 'LoadBalancer', {
        subnetIds: props.subnetIds,
        vpcId: this.vpcId,
        port: this.listenPort,
        healthPath: this.healthPath,
        deregistrationDelaySec: g.deregistrationDelaySec,
        targets: [this],
        name: this.serviceName,
        tags: this.tags,
      });
    }
    const lb = this.loadBalancer;
    const namePrefix = `${this.serviceName}-`;
    const placed = placeInGroup(this, l, {
      namePrefix,
      description: `cdktf-gohost ${this.node.path}: one version per release`,
      subnetIds: props.subnetIds,
      minSize: g.minCapacity,
      maxSize: g.maxCapacity,
      desiredCapacity: g.desiredCapacity,
      associatePublicIpAddress: g.associatePublicIpAddress,
      ...(lb
        ? { targetGroupArns: [lb.targetGroup.arn], healthCheckType: 'ELB' as const, healthCheckGracePeriodSec: g.healthCheckGracePeriodSec, instanceWarmupSec: g.healthCheckGracePeriodSec }
        // No load balancer to judge a new instance: it is out of service until its first boot passed every check (the hook).
        : {
            healthCheckType: 'EC2' as const,
            healthCheckGracePeriodSec: HOST_GROUP_DEFAULTS.instanceWarmupSec,
            instanceWarmupSec: HOST_GROUP_DEFAULTS.instanceWarmupSec,
            launchHook: { name: HOST_GROUP_DEFAULTS.launchHookName, heartbeatTimeoutSec: g.healthCheckGracePeriodSec },
          }),
      // Drain (with a load balancer), stop the service gracefully, then let the group terminate it; a margin for the calls.
      terminationHook: !g.terminationLifecycleHook ? undefined : { name: TERMINATION_WATCH.hookName, heartbeatTimeoutSec: this.drainSec + this.go.timeoutStopSec + GO_SERVICE_GROUP_DEFAULTS.terminationMarginSec },
      tags: this.tags,
      maxInstanceLifetimeSec: g.maxInstanceLifetimeSec,
      refresh: {
        checkpointPercentages: g.instanceRefreshCheckpointPercentages,
        checkpointDelaySec: g.instanceRefreshCheckpointDelaySec,
        skipMatching: g.instanceRefreshSkipMatching,
      },
    });
    this.launchTemplate = placed.launchTemplate;
    this.autoScalingGroup = placed.autoScalingGroup;
    // Lifecycle actions on its own group only when it has a hook to complete.
    if (!lb || g.terminationLifecycleHook) allowLaunchReady(this, namePrefix);

    for (const [name, sch] of Object.entries(g.schedules)) {
      new AutoscalingSchedule(this, `Schedule-${name}`, {
        scheduledActionName: name,
        autoscalingGroupName: this.autoScalingGroup.name,
        recurrence: sch.recurrence.trim(),
        timeZone: sch.timeZone ?? 'Etc/UTC',
        minSize: sch.minCapacity ?? -1,
        maxSize: sch.maxCapacity ?? -1,
        desiredCapacity: sch.desiredCapacity ?? -1,
      });
    }
    const m = g.scalingMetric;
    if (m && g.maxCapacity > g.minCapacity) {
      new AutoscalingPolicy(this, 'MetricTargetTracking', {
        name: `${this.tags.Name}-metric-target`,
        autoscalingGroupName: this.autoScalingGroup.name,
        policyType: 'TargetTrackingScaling',
        estimatedInstanceWarmup: g.healthCheckGracePeriodSec,
        targetTrackingConfiguration: {
          customizedMetricSpecification: {
            namespace: m.namespace,
            metricName: m.metricName,
            statistic: m.statistic,
            metricDimension: Object.entries(m.dimensions ?? {}).map(([name, value]) => ({ name, value })),
          },
          targetValue: m.targetValue,
        },
      });
    }
    // A group that cannot scale (minCapacity = maxCapacity) gets no policy.
    if (g.maxCapacity > g.minCapacity) new AutoscalingPolicy(this, 'CpuTargetTracking', {
      name: `${this.tags.Name}-cpu-target`,
      autoscalingGroupName: this.autoScalingGroup.name,
      policyType: 'TargetTrackingScaling',
      estimatedInstanceWarmup: g.healthCheckGracePeriodSec,
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: g.cpuTargetUtilizationPercent,
      },
    });
  }

  /**
   * A CloudWatch alarm whose ALARM state rolls an instance refresh back (the refresh's
   * `alarm_specification`); ObservabilityStack adds its unhealthy-targets alarm.
   */
  public rollBackRefreshOnAlarm(alarmName: string): void {
    if (this.rollbackAlarms.includes(alarmName)) return;
    // Added after the group exists (by the observability stack): an override, read at synthesis.
    if (this.rollbackAlarms.length === 0) this.autoScalingGroup.addOverride('instance_refresh.preferences.alarm_specification', { alarms: this.rollbackAlarms });
    this.rollbackAlarms.push(alarmName);
  }

  public addEnvironment(name: string, value: string): void {
    this.go.addEnvironment(name, value);
  }

  /** MemoryMax of the service, in bytes. */
  public get memoryMax(): number {
    return this.go.memoryMaxBytes;
  }

  public get settings(): GoHostSettings {
    return this.go.settings;
  }

  protected ownProvisioning(): HostProvisioning {
    const p = this.go.provisioning();
    if (!this.loadBalancer) p.addStep('ready', launchReadyStep(HOST_GROUP_DEFAULTS.launchHookName));
    if (this.group.terminationLifecycleHook) provisionTerminationWatch(p, { units: [`${this.serviceName}.service`], drainSec: this.drainSec });
    return p;
  }

  /** Seconds a leaving instance waits for the load balancer to drain it before its service stops. */
  private get drainSec(): number {
    return this.group.internalLoadBalancer ? this.group.deregistrationDelaySec : 0;
  }

  protected ownReadiness(): ReadinessRow[] {
    return this.go.readiness(this.hostFacts);
  }
}
