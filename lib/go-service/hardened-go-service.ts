/**
 * HardenedGoService: the Go service of HardenedGoHost on EC2 Auto Scaling. The same hardened
 * configuration goes into a launch template; an internal Network Load Balancer is the service's
 * stable address; a release (a new launch template version) rolls through the group with
 * instance refresh, keeping 100 % healthy capacity and rolling back on failure.
 */
import { Construct } from 'constructs';
import { asHostSettings, GoServiceConfiguration, goServiceSpec, IGoService } from './hardened-go-host';
import { goServiceSettingsOf, GoServiceSettings } from './settings';
import { HardenedHostBase } from '../host/hardened-host';
import { InternalLoadBalancer } from './internal-load-balancer';
import { GoHostSettings } from './artifacts';
import { HostProvisioning } from '../host/provisioning';
import { checkGroupProps, GroupPropsToResolve, resolveGroupSettings, ResolvedGroupSettings } from './group-checks';
import { ReadinessRow } from '../readiness/rows';
import { AutoscalingGroup, AutoscalingPolicy, LaunchTemplate } from '../private/aws';
import { Fn, Token } from '../private/cdktf';
import { placeInGroup } from '../host/auto-scaling';
import { HardenedGoServiceProps } from './props';

export type { HardenedGoServiceProps } from './props';

/** The group's props with the service's defaults applied (the host applied its own). */
function groupProps(p: HardenedGoServiceProps): GroupPropsToResolve {
  return goServiceSettingsOf(asHostSettings(p)) as GoServiceSettings & HardenedGoServiceProps;
}

export class HardenedGoService extends HardenedHostBase implements IGoService {
  public readonly serviceName: string;
  public readonly listenPort: number;
  public readonly healthPath: string;
  public readonly launchTemplate: LaunchTemplate;
  public readonly autoScalingGroup: AutoscalingGroup;
  /** The service's stable address; admit clients with `service.loadBalancer.connections.allowFrom(...)`. */
  public readonly loadBalancer: InternalLoadBalancer;
  public readonly group: ResolvedGroupSettings;
  private readonly go: GoServiceConfiguration;

  constructor(scope: Construct, id: string, props: HardenedGoServiceProps) {
    const go = goServiceSpec<HardenedGoServiceProps>();
    super(scope, id, props, {
      ...go,
      placeholders: { ...go.placeholders, subnetIds: ['subnet-00000000'] },
      checkProps: (p: HardenedGoServiceProps, checks, warnings) => {
        go.checkProps(p, checks, warnings);
        checkGroupProps(groupProps(p), (v) => Token.isUnresolved(v), checks, warnings);
      },
      describe: (p: HardenedGoServiceProps) => ({
        ...go.describe(p),
        // A list from a variable is one token: its first element is taken in Terraform.
        subnetIdForVpc: Token.isUnresolved(p.subnetIds) ? Fn.element(p.subnetIds, 0) : p.subnetIds?.[0],
        autoRecovery: false,
        publicIp: false,
        group: true,
        groupHealthCheck: 'ELB',
      }),
    });
    props = this.validProps as unknown as HardenedGoServiceProps;
    this.go = new GoServiceConfiguration(this, goServiceSettingsOf(asHostSettings(props)), this.shape);
    this.serviceName = this.go.serviceName;
    this.listenPort = this.go.listenPort;
    this.healthPath = this.go.healthPath;
    this.group = resolveGroupSettings(groupProps(props));
    const g = this.group;
    const l = this.launch;

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

    const placed = placeInGroup(this, l, {
      namePrefix: `${this.serviceName}-`,
      description: `cdktf-gohost ${this.node.path}: one version per release`,
      subnetIds: props.subnetIds,
      minSize: g.minCapacity,
      maxSize: g.maxCapacity,
      desiredCapacity: g.desiredCapacity,
      targetGroupArns: [this.loadBalancer.targetGroup.arn],
      healthCheckType: 'ELB',
      healthCheckGracePeriodSec: g.healthCheckGracePeriodSec,
      instanceWarmupSec: g.healthCheckGracePeriodSec,
      tags: this.tags,
    });
    this.launchTemplate = placed.launchTemplate;
    this.autoScalingGroup = placed.autoScalingGroup;

    new AutoscalingPolicy(this, 'CpuTargetTracking', {
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
    return this.go.provisioning();
  }

  protected ownReadiness(): ReadinessRow[] {
    return this.go.readiness(this.hostFacts);
  }
}
