/**
 * HardenedHostGroup: the hardened host configuration on EC2 Auto Scaling (a launch template and a
 * group rolled by instance refresh). A new instance stays out of service until its first boot has
 * passed every check and it completes the group's launch lifecycle hook itself, so a replacement
 * takes over only once it is healthy; a boot that fails is abandoned and the refresh rolls back.
 */
import { Construct } from 'constructs';
import { placeInGroup } from './auto-scaling';
import { launchReadyStep } from './first-boot-signals';
import { HardenedHostBase } from './hardened-host';
import { HardenedHostGroupProps } from './props';
import { HostProvisioning } from './provisioning';
import { HOST_GROUP_DEFAULTS, HostSettings } from './settings';
import { StackLookups } from './stack-lookups';
import { PropChecks } from '../input/prop-checks';
import { groupHostPropNames, hostPropNames } from './checks';
import { checkPropTypes, requireLiterals } from '../input/validators';
import { AutoscalingGroup, LaunchTemplate } from '../private/aws';
import { Fn, Token } from '../private/cdktf';

export type { HardenedHostGroupProps } from './props';

/** The group's own settings, every default applied. */
export interface HostGroupSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly desiredCapacity: number;
  readonly readyTimeoutSec: number;
}

export function resolveHostGroupSettings(p: Pick<HardenedHostGroupProps, 'minCapacity' | 'maxCapacity' | 'desiredCapacity' | 'readyTimeoutSec'>): HostGroupSettings {
  const d = HOST_GROUP_DEFAULTS;
  const minCapacity = p.minCapacity ?? d.minCapacity;
  return {
    minCapacity,
    maxCapacity: p.maxCapacity ?? minCapacity,
    desiredCapacity: p.desiredCapacity ?? minCapacity,
    readyTimeoutSec: p.readyTimeoutSec ?? d.readyTimeoutSec,
  };
}

const GROUP_TYPES = { subnetIds: 'string[]', minCapacity: 'number', maxCapacity: 'number', desiredCapacity: 'number', readyTimeoutSec: 'number', associatePublicIpAddress: 'boolean' } as const;

/** Every prop a HardenedHostGroup takes. @internal */
export const HOST_GROUP_PROP_NAMES = groupHostPropNames(hostPropNames(), Object.keys(GROUP_TYPES));

export function checkHostGroupProps(p: HardenedHostGroupProps, isToken: (v: unknown) => boolean, c: PropChecks, warnings: string[]): void {
  const before = c.all.length;
  checkPropTypes(p, GROUP_TYPES, ['subnetIds'], (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
  requireLiterals(p, { minCapacity: '1', maxCapacity: '2', desiredCapacity: '1', readyTimeoutSec: '900' }, ['minCapacity', 'maxCapacity', 'desiredCapacity', 'readyTimeoutSec'], isToken, c);
  if (c.all.length > before) return;
  const subnets = p.subnetIds;
  if (!isToken(subnets)) {
    if (subnets.length === 0) c.fail('subnetIds', subnets, 'is empty: the group has nowhere to launch instances', 'pass subnets in two or more Availability Zones');
    else if (subnets.length === 1) warnings.push('subnetIds has one subnet: a replacement for an instance lost with its Availability Zone has nowhere else to go. Pass subnets in two or more zones.');
    subnets.forEach((id, i) => {
      if (!isToken(id) && !/^subnet-[0-9a-f]{8,17}$/.test(id)) c.fail(`subnetIds[${i}]`, id, 'is not a subnet ID', 'pass an ID like "subnet-0123456789abcdef0" or a reference to an aws_subnet');
    });
  }
  const s = resolveHostGroupSettings(p);
  const whole = (v: number) => Number.isInteger(v) && v >= 0;
  if (!whole(s.minCapacity)) c.fail('minCapacity', s.minCapacity, 'is not a whole number ≥ 0', 'use e.g. 1');
  if (!whole(s.maxCapacity) || s.maxCapacity < 1) c.fail('maxCapacity', s.maxCapacity, 'is not a whole number ≥ 1', 'use e.g. 2');
  else if (s.minCapacity > s.maxCapacity) c.fail('minCapacity', s.minCapacity, `is larger than maxCapacity (${s.maxCapacity})`, `lower minCapacity or raise maxCapacity to at least ${s.minCapacity}`);
  if (!whole(s.desiredCapacity) || s.desiredCapacity < s.minCapacity || s.desiredCapacity > s.maxCapacity) {
    c.fail('desiredCapacity', s.desiredCapacity, `is outside [minCapacity, maxCapacity] = [${s.minCapacity}, ${s.maxCapacity}]`, `use a whole number from ${s.minCapacity} to ${s.maxCapacity}`);
  }
  if (!(Number.isInteger(s.readyTimeoutSec) && s.readyTimeoutSec >= 30 && s.readyTimeoutSec <= 7200)) {
    c.fail('readyTimeoutSec', s.readyTimeoutSec, 'is outside 30–7200 seconds (a lifecycle hook\'s heartbeat range)', `use e.g. ${HOST_GROUP_DEFAULTS.readyTimeoutSec}`);
  }
}

/** What a library construct tells the group about itself. */
export interface HostGroupSpec {
  /** Short name (name prefixes, tags). @default - the construct ID in lower case */
  readonly name?: string;
  /** Target groups the instances join; the group then judges them by the load balancer's health check. */
  readonly targetGroupArns?: readonly string[];
}

/** A group host's short name: its construct ID in lower case, for name prefixes and tags. */
function groupNameFromId(id: string): string {
  return id.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 32) || 'group';
}

/**
 * The host's role may complete the launch hook of its own group (by name prefix) and look up
 * which group its instance is in: what launchReadyStep calls.
 */
export function allowLaunchReady(host: HardenedHostBase, groupNamePrefix: string): void {
  const account = StackLookups.of(host).accountId;
  host._addRolePolicy('LaunchReady', 'launch-ready', [
    { Effect: 'Allow', Action: 'autoscaling:DescribeAutoScalingInstances', Resource: '*' },
    {
      Effect: 'Allow',
      Action: 'autoscaling:CompleteLifecycleAction',
      Resource: `${host.arnPrefix}:autoscaling:${host.regionName}:${account}:autoScalingGroup:*:autoScalingGroupName/${groupNamePrefix}*`,
    },
  ], 'its own Auto Scaling group\'s lifecycle hooks (ready after its first boot, stopped before termination)');
}

export class HardenedHostGroup extends HardenedHostBase {
  public readonly launchTemplate: LaunchTemplate;
  public readonly autoScalingGroup: AutoscalingGroup;
  public readonly group: HostGroupSettings;
  /** Subnets the group launches in. */
  public readonly subnetIds: readonly string[];

  /**
   * @param spec how a library construct names the host; a plain group is named after its construct ID.
   */
  constructor(scope: Construct, id: string, rawProps: HardenedHostGroupProps, spec: HostGroupSpec = {}) {
    super(scope, id, rawProps, {
      placeholders: { subnetIds: ['subnet-00000000'] },
      propNames: HOST_GROUP_PROP_NAMES,
      checkProps: (p: HostSettings<HardenedHostGroupProps>, c, w) => checkHostGroupProps(p, (v) => Token.isUnresolved(v), c, w),
      describe: (p: HostSettings<HardenedHostGroupProps>) => ({
        name: spec.name ?? groupNameFromId(id),
        // A list from a variable is one token: its first element is taken in Terraform.
        subnetIdForVpc: Token.isUnresolved(p.subnetIds) ? Fn.element(p.subnetIds, 0) : p.subnetIds?.[0],
        autoRecovery: false,
        publicIp: p.associatePublicIpAddress ?? false,
        group: true,
        groupHealthCheck: spec.targetGroupArns ? 'ELB' : 'EC2',
      }),
    });
    const props = this.validProps as HostSettings<HardenedHostGroupProps>;
    this.subnetIds = props.subnetIds;
    this.group = resolveHostGroupSettings(props);
    const g = this.group;
    // The path's Name tag, not the short name: the role may complete only this group's hook.
    const namePrefix = `${this.nameTag.slice(0, 64)}-`;
    const placed = placeInGroup(this, this.launch, {
      namePrefix,
      description: `cdktf-gohost ${this.node.path}: one version per change`,
      subnetIds: props.subnetIds,
      minSize: g.minCapacity,
      maxSize: g.maxCapacity,
      desiredCapacity: g.desiredCapacity,
      associatePublicIpAddress: props.associatePublicIpAddress,
      // Out of service until ready (the hook); then the load balancer's health check, or EC2's status checks, replace one that fails.
      targetGroupArns: spec.targetGroupArns,
      healthCheckType: spec.targetGroupArns ? 'ELB' : 'EC2',
      healthCheckGracePeriodSec: spec.targetGroupArns ? HOST_GROUP_DEFAULTS.loadBalancerGraceSec : HOST_GROUP_DEFAULTS.instanceWarmupSec,
      instanceWarmupSec: spec.targetGroupArns ? HOST_GROUP_DEFAULTS.loadBalancerGraceSec : HOST_GROUP_DEFAULTS.instanceWarmupSec,
      launchHook: { name: HOST_GROUP_DEFAULTS.launchHookName, heartbeatTimeoutSec: g.readyTimeoutSec },
      tags: this.tags,
    });
    this.launchTemplate = placed.launchTemplate;
    this.autoScalingGroup = placed.autoScalingGroup;
    allowLaunchReady(this, namePrefix);
  }

  protected ownProvisioning(): HostProvisioning {
    const p = super.ownProvisioning();
    p.addStep('ready', launchReadyStep(HOST_GROUP_DEFAULTS.launchHookName));
    return p;
  }
}
