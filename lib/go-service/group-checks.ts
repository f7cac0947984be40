/**
 * Defaults and validation of HardenedGoService's group props (the Go service's own props are
 * checked by checkGoHostProps). Token-valued inputs are skipped. Pure: no cdktf imports.
 */
import type { HardenedGoServiceProps } from './props';
import { GO_SERVICE_GROUP_DEFAULTS } from './settings';
import { PropChecks } from '../input/prop-checks';
import { checkPropTypes, PropType, requireLiterals } from '../input/validators';
import type { GroupScalingMetric, GroupSchedule } from './props';

export interface ResolvedGroupSettings {
  readonly minCapacity: number;
  readonly maxCapacity: number;
  readonly desiredCapacity?: number;
  readonly cpuTargetUtilizationPercent: number;
  readonly healthCheckGracePeriodSec: number;
  readonly deregistrationDelaySec: number;
  readonly internalLoadBalancer: boolean;
  readonly associatePublicIpAddress: boolean;
  readonly maxInstanceLifetimeSec?: number;
  readonly instanceRefreshCheckpointPercentages?: readonly number[];
  readonly instanceRefreshCheckpointDelaySec?: number;
  readonly instanceRefreshSkipMatching: boolean;
  readonly terminationLifecycleHook: boolean;
  readonly schedules: Readonly<Record<string, GroupSchedule>>;
  readonly scalingMetric?: GroupScalingMetric & { readonly statistic: NonNullable<GroupScalingMetric['statistic']> };
}

/** A group's props as its checks and settings see them: the service's with GO_HOST_DEFAULTS applied (goServiceSettingsOf). */
export type GroupPropsToResolve = HardenedGoServiceProps & { readonly timeoutStopSec: number; readonly healthTimeoutSec: number };

/** The group's settings with every default applied. */
export function resolveGroupSettings(props: GroupPropsToResolve): ResolvedGroupSettings {
  const d = GO_SERVICE_GROUP_DEFAULTS;
  const minCapacity = props.minCapacity ?? d.minCapacity;
  const { timeoutStopSec, healthTimeoutSec } = props;
  return {
    minCapacity,
    maxCapacity: props.maxCapacity ?? Math.max(minCapacity * d.maxCapacityFactor, 1),
    desiredCapacity: props.desiredCapacity,
    cpuTargetUtilizationPercent: props.cpuTargetUtilizationPercent ?? d.cpuTargetUtilizationPercent,
    healthCheckGracePeriodSec: props.healthCheckGracePeriodSec ?? d.bootBudgetSec + healthTimeoutSec,
    deregistrationDelaySec: props.deregistrationDelaySec ?? timeoutStopSec + d.deregistrationMarginSec,
    internalLoadBalancer: props.internalLoadBalancer ?? (props.worker ? d.workerInternalLoadBalancer : d.internalLoadBalancer),
    associatePublicIpAddress: props.associatePublicIpAddress ?? d.associatePublicIpAddress,
    maxInstanceLifetimeSec: props.maxInstanceLifetimeSec,
    instanceRefreshCheckpointPercentages: props.instanceRefreshCheckpointPercentages,
    instanceRefreshCheckpointDelaySec: props.instanceRefreshCheckpointPercentages ? props.instanceRefreshCheckpointDelaySec ?? d.instanceRefreshCheckpointDelaySec : undefined,
    instanceRefreshSkipMatching: props.instanceRefreshSkipMatching ?? d.instanceRefreshSkipMatching,
    terminationLifecycleHook: props.terminationLifecycleHook ?? d.terminationLifecycleHook,
    schedules: props.schedules ?? {},
    scalingMetric: props.scalingMetric && { ...props.scalingMetric, statistic: props.scalingMetric.statistic ?? d.scalingMetricStatistic },
  };
}

/** The types of the group's own props, for plain JavaScript and JSON configuration. */
export const GROUP_PROP_TYPES: Readonly<Record<string, PropType>> = {
  subnetIds: 'string[]', minCapacity: 'number', maxCapacity: 'number', desiredCapacity: 'number', cpuTargetUtilizationPercent: 'number',
  healthCheckGracePeriodSec: 'number', deregistrationDelaySec: 'number', internalLoadBalancer: 'boolean', associatePublicIpAddress: 'boolean',
  maxInstanceLifetimeSec: 'number', instanceRefreshCheckpointPercentages: 'array', instanceRefreshCheckpointDelaySec: 'number', instanceRefreshSkipMatching: 'boolean', terminationLifecycleHook: 'boolean',
  schedules: 'object', scalingMetric: 'object',
};

const GROUP_LITERAL_EXAMPLES: Record<string, string> = {
  minCapacity: '2', maxCapacity: '6', desiredCapacity: '3', cpuTargetUtilizationPercent: '50', healthCheckGracePeriodSec: '360', deregistrationDelaySec: '40',
  maxInstanceLifetimeSec: '604800', instanceRefreshCheckpointDelaySec: '600',
};

export function checkGroupProps(props: GroupPropsToResolve, isToken: (v: unknown) => boolean, c: PropChecks, warnings: string[]): void {
  const before = c.all.length;
  checkPropTypes(props, GROUP_PROP_TYPES, ['subnetIds'], (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
  // The capacities and delays are compared and derived at synth.
  requireLiterals(props, GROUP_LITERAL_EXAMPLES, Object.keys(GROUP_LITERAL_EXAMPLES), isToken, c);
  if (c.all.length > before) return;
  const s = resolveGroupSettings(props);
  const whole = (v: number) => Number.isInteger(v) && v >= 0;
  const subnets = props.subnetIds;
  if (!Array.isArray(subnets) || subnets.length === 0) {
    c.fail('subnetIds', subnets, 'is empty: the group has nowhere to launch instances', 'pass private subnets, one per Availability Zone, e.g. [subnetA, subnetB, subnetC]');
  } else if (subnets.length === 1 && !isToken(subnets)) {
    warnings.push(`subnetIds has one subnet: every instance of the group${s.internalLoadBalancer ? ' and the load balancer are' : ' is'} in one Availability Zone, so an AZ outage takes the service down. Pass subnets in two or more zones.`);
  }
  // A list from a variable is one token; its elements are not known at synth.
  if (Array.isArray(subnets) && !isToken(subnets)) subnets.forEach((id, i) => {
    if (!isToken(id) && !/^subnet-[0-9a-f]{8,17}$/.test(id)) {
      c.fail(`subnetIds[${i}]`, id, 'is not a subnet ID', 'pass an ID like "subnet-0123456789abcdef0" or a reference to an aws_subnet');
    }
  });
  if (!whole(s.minCapacity)) c.fail('minCapacity', s.minCapacity, 'is not a whole number ≥ 0', 'use e.g. 2');
  if (!whole(s.maxCapacity) || s.maxCapacity < 1) c.fail('maxCapacity', s.maxCapacity, 'is not a whole number ≥ 1', 'use e.g. 6');
  else if (s.minCapacity > s.maxCapacity) {
    c.fail('minCapacity', s.minCapacity, `is larger than maxCapacity (${s.maxCapacity})`, `lower minCapacity or raise maxCapacity to at least ${s.minCapacity}`);
  }
  if (s.desiredCapacity !== undefined && (!whole(s.desiredCapacity) || s.desiredCapacity < s.minCapacity || s.desiredCapacity > s.maxCapacity)) {
    c.fail('desiredCapacity', s.desiredCapacity, `is outside [minCapacity, maxCapacity] = [${s.minCapacity}, ${s.maxCapacity}]`, `use a whole number from ${s.minCapacity} to ${s.maxCapacity}, or leave it out to let the scaling policy decide`);
  }
  if (s.desiredCapacity !== undefined) {
    warnings.push(`desiredCapacity = ${s.desiredCapacity}: every apply resets the group to it, undoing what the CPU scaling policy decided since. Leave it out to let the policy manage it (the group starts at minCapacity).`);
  }
  if (s.minCapacity === 0 && s.maxCapacity > 0) {
    warnings.push('minCapacity = 0: once the CPU policy scales the group in to no instance there is no CPU left to track, so it never scales out again on its own. Use minCapacity ≥ 1, or manage desiredCapacity yourself.');
  }
  if (!(s.cpuTargetUtilizationPercent > 0 && s.cpuTargetUtilizationPercent <= 100)) {
    c.fail('cpuTargetUtilizationPercent', s.cpuTargetUtilizationPercent, 'is not a percentage in (0, 100]', 'use e.g. 50');
  }
  if (!Number.isInteger(s.healthCheckGracePeriodSec) || s.healthCheckGracePeriodSec < 0) {
    c.fail('healthCheckGracePeriodSec', s.healthCheckGracePeriodSec, 'is not a whole number of seconds', 'leave it out to derive it from the boot, or use e.g. 360');
  } else if (s.internalLoadBalancer && s.healthCheckGracePeriodSec < GO_SERVICE_GROUP_DEFAULTS.bootBudgetSec + props.healthTimeoutSec) {
    warnings.push(`healthCheckGracePeriodSec = ${s.healthCheckGracePeriodSec}: shorter than a first boot on EC2 (GO_SERVICE_GROUP_DEFAULTS.bootBudgetSec ${GO_SERVICE_GROUP_DEFAULTS.bootBudgetSec} s + healthTimeoutSec ${props.healthTimeoutSec} s), so the group may replace instances that are still booting and never get one in service. Leave it out unless your image boots faster (a baked image).`);
  } else if (!s.internalLoadBalancer && (s.healthCheckGracePeriodSec < 30 || s.healthCheckGracePeriodSec > 7200)) {
    c.fail('healthCheckGracePeriodSec', s.healthCheckGracePeriodSec, 'is outside 30–7200 seconds: without a load balancer it is how long a first boot may take to say it is ready (a lifecycle hook\'s heartbeat range)', 'use e.g. 360');
  }
  checkGroupOptions(s, c);
  const stop = props.timeoutStopSec;
  if (props.worker && props.internalLoadBalancer === true) {
    c.fail('internalLoadBalancer', true, 'is set on a worker (worker: true), which has no port for a load balancer to send traffic to or health-check', 'drop internalLoadBalancer: the group judges a worker by EC2 status checks and its launch hook (completed once READY)');
  }
  if (!s.internalLoadBalancer && props.deregistrationDelaySec !== undefined) {
    c.fail('deregistrationDelaySec', props.deregistrationDelaySec, `has no effect ${props.worker ? 'on a worker' : 'with internalLoadBalancer: false'} (there is no target group to drain)`,
      `drop deregistrationDelaySec; a leaving instance stops its service with timeoutStopSec (${stop} s) to finish its work`);
  }
  if (!Number.isInteger(s.deregistrationDelaySec) || s.deregistrationDelaySec < 0 || s.deregistrationDelaySec > 3600) {
    c.fail('deregistrationDelaySec', s.deregistrationDelaySec, 'is outside 0–3600 seconds (the load balancer\'s range)', `use at least timeoutStopSec (${stop})`);
  } else if (s.deregistrationDelaySec < stop) {
    c.fail('deregistrationDelaySec', s.deregistrationDelaySec, `is shorter than timeoutStopSec (${stop} s): connections would be cut before the service finished draining`,
      `use at least ${stop}, or leave it out (timeoutStopSec + ${GO_SERVICE_GROUP_DEFAULTS.deregistrationMarginSec})`);
  }
}

/** Five cron fields as Auto Scaling takes them: numbers, ranges, lists, steps, `*`, names of months and weekdays. */
const CRON_FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;
const SCHEDULE_NAME = /^[A-Za-z0-9_.-]{1,255}$/;
const TIME_ZONE = /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/;

/** The anchors' Auto Scaling options: lifetime, refresh checkpoints, schedules, a metric to track. */
function checkGroupOptions(s: ResolvedGroupSettings, c: PropChecks): void {
  const life = s.maxInstanceLifetimeSec;
  if (life !== undefined && !(Number.isInteger(life) && (life === 0 || (life >= 86400 && life <= 31536000)))) {
    c.fail('maxInstanceLifetimeSec', life, 'is not 0 or a whole number of seconds from 86400 (1 day) to 31536000 (365 days): AWS refuses it', 'use e.g. 604800 (a week)');
  }
  const cp = s.instanceRefreshCheckpointPercentages;
  if (cp !== undefined) {
    const ascending = cp.every((p, i) => Number.isInteger(p) && p >= 1 && p <= 100 && (i === 0 || p > cp[i - 1]));
    if (cp.length === 0 || !ascending || cp[cp.length - 1] !== 100) {
      c.fail('instanceRefreshCheckpointPercentages', cp, 'must be whole percentages from 1 to 100, ascending, ending with 100 (the refresh finishes at the last)', 'use e.g. [20, 50, 100]');
    }
  }
  const delay = s.instanceRefreshCheckpointDelaySec;
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 172800)) {
    c.fail('instanceRefreshCheckpointDelaySec', delay, 'is outside 0–172800 seconds (two days, AWS\'s limit)', 'use e.g. 600');
  }
  for (const [name, sch] of Object.entries(s.schedules)) {
    const prop = `schedules.${name}`;
    if (!SCHEDULE_NAME.test(name)) c.fail(prop, name, 'is not a scheduled action name (letters, digits, _ . -)', 'name it like "business-hours"');
    if (typeof sch !== 'object' || sch === null) { c.fail(prop, sch, 'is not an object with recurrence and capacities', 'pass e.g. { recurrence: "0 7 * * MON-FRI", minCapacity: 4 }'); continue; }
    const fields = typeof sch.recurrence === 'string' ? sch.recurrence.trim().split(/\s+/) : [];
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
      c.fail(`${prop}.recurrence`, sch.recurrence, 'is not a cron expression of five fields (minute hour day-of-month month day-of-week)', 'use e.g. "0 7 * * MON-FRI"');
    }
    if (sch.timeZone !== undefined && !TIME_ZONE.test(sch.timeZone)) c.fail(`${prop}.timeZone`, sch.timeZone, 'is not an IANA time zone name', 'use e.g. "Europe/Berlin"');
    const caps = (['minCapacity', 'maxCapacity', 'desiredCapacity'] as const).filter((k) => sch[k] !== undefined);
    if (caps.length === 0) c.fail(prop, sch, 'changes no capacity', 'give minCapacity, maxCapacity or desiredCapacity');
    for (const k of caps) if (!(Number.isInteger(sch[k]) && sch[k]! >= 0)) c.fail(`${prop}.${k}`, sch[k], 'is not a whole number ≥ 0', 'use e.g. 4');
    if (sch.minCapacity !== undefined && sch.maxCapacity !== undefined && sch.minCapacity > sch.maxCapacity) {
      c.fail(`${prop}.minCapacity`, sch.minCapacity, `is larger than its maxCapacity (${sch.maxCapacity})`, 'lower minCapacity or raise maxCapacity');
    }
  }
  const m = s.scalingMetric;
  if (m !== undefined) {
    if (typeof m.namespace !== 'string' || !/^[^:\u0000-\u001f]{1,255}$/.test(m.namespace) || m.namespace.startsWith('AWS/') && m.namespace.length < 5) {
      c.fail('scalingMetric.namespace', m.namespace, 'is not a CloudWatch namespace', 'use e.g. "OrdersApi"');
    }
    if (typeof m.metricName !== 'string' || !/^[^\u0000-\u001f]{1,255}$/.test(m.metricName)) c.fail('scalingMetric.metricName', m.metricName, 'is not a CloudWatch metric name', 'use e.g. "BacklogPerInstance"');
    if (!(typeof m.targetValue === 'number' && Number.isFinite(m.targetValue) && m.targetValue > 0)) c.fail('scalingMetric.targetValue', m.targetValue, 'is not a positive number', 'use e.g. 100');
    if (!['Average', 'Minimum', 'Maximum', 'Sum', 'SampleCount'].includes(m.statistic)) c.fail('scalingMetric.statistic', m.statistic, 'is not a CloudWatch statistic', 'use "Average"');
  }
}
