/**
 * The Go service's defaults, on one instance and in an Auto Scaling group (the only place they
 * live; each prop's `@default` says the same), and the pure function that applies them. Pure.
 */
import type { GoHostSettings } from './artifacts';
import type { GoServiceProps } from './props';
import { ReleaseArtifact } from './release-artifact';
import { parseCpuQuotaPercent, parseSystemdBytes } from '../input/systemd-values';
import type { BaseHostSettings } from '../host/artifacts';
import { checkGoHostProps } from './checks';
import { instanceShape } from '../host/instance-types';
import type { HostConfigurationProps } from '../host/props';
import type { HostSettings } from '../host/settings';
import { WithDefaults, withDefaults } from '../input/defaults';
import { PropChecks, PropFailure } from '../input/prop-checks';
import { MANAGED_ENV } from '../input/validators';
import { shq } from '../render/shell';
import { checkServiceSecrets } from './secrets';

/** The Go service's defaults, wherever it is placed (one instance or a group). */
export const GO_HOST_DEFAULTS = {
  worker: false,
  /** A service with an HTTP port (not a worker). */
  listenPort: 8080,
  healthPath: '/healthz',
  limitNofile: 65536,
  tasksMax: 4096,
  oomScoreAdjust: -500,
  restartSec: 5,
  startLimitIntervalSec: 60,
  startLimitBurst: 3,
  timeoutStopSec: 30,
  healthTimeoutSec: 60,
  allowInstanceMetadataAccess: false,
  allowInstanceMetadataAccessBesideFrontDoor: false,
  secretsRefreshIntervalMin: 15,
  /** watchdogSec of a worker: its only health signal besides the process running. */
  workerWatchdogSec: 30,
  /** Share of the instance's memory the service may use when memoryMax is not given. */
  memoryShare: 0.75,
  /** Share of each vCPU the service may use when cpuQuota is not given (headroom for sshd, nginx, agents). */
  cpuShare: 0.9,
} as const;

/** The defaults of a Go service's Auto Scaling group (HardenedGoService's own props). */
export const GO_SERVICE_GROUP_DEFAULTS = {
  minCapacity: 2,
  /** maxCapacity defaults to this multiple of minCapacity. */
  maxCapacityFactor: 2,
  cpuTargetUtilizationPercent: 50,
  /** Seconds a new instance needs on EC2 before its service can be healthy (packages, hardening, artifact). */
  bootBudgetSec: 300,
  /** Seconds the deregistration delay adds to the service's TimeoutStopSec. */
  deregistrationMarginSec: 10,
  internalLoadBalancer: true,
  /** A worker has no port to balance. */
  workerInternalLoadBalancer: false,
  associatePublicIpAddress: false,
  /** AWS's own checkpoint delay. */
  instanceRefreshCheckpointDelaySec: 3600,
  instanceRefreshSkipMatching: false,
  terminationLifecycleHook: true,
  scalingMetricStatistic: 'Average',
  /** Seconds the termination hook's heartbeat adds to the drain and the stop (the API calls that complete it). */
  terminationMarginSec: 60,
} as const;

/** @deprecated The group's defaults: use GO_SERVICE_GROUP_DEFAULTS (GO_HOST_DEFAULTS are the service's, on any placement). */
export const GO_SERVICE_DEFAULTS = GO_SERVICE_GROUP_DEFAULTS;

/**
 * A Go service's props (host props with HOST_DEFAULTS) with GO_HOST_DEFAULTS applied: what its
 * construct, checks and artifacts read. A worker has no port and no health path.
 */
export type GoServiceSettings = Omit<WithDefaults<HostSettings<GoServiceProps & HostConfigurationProps>, typeof GO_HOST_DEFAULTS>, 'listenPort' | 'healthPath'> & {
  readonly listenPort: number | undefined;
  readonly healthPath: string | undefined;
  /**
   * MemoryMax in bytes: memoryMax parsed (here only), or a share of the instance type's memory;
   * undefined when memoryMax is not in systemd's syntax or the instance type is unknown (the checks fail then).
   */
  readonly memoryMaxBytes: number | undefined;
  /** CPUQuota in percent: cpuQuota parsed, or a share of every vCPU; undefined as memoryMaxBytes. */
  readonly cpuQuotaPercent: number | undefined;
};

/** The service's defaults on top of the host's settings (a worker's: no port, a watchdog), its limits parsed. */
export function goServiceSettingsOf(host: HostSettings<GoServiceProps & HostConfigurationProps>): GoServiceSettings {
  const s = withDefaults(host, GO_HOST_DEFAULTS);
  const shape = typeof s.instanceType === 'string' ? instanceShape(s.instanceType) : undefined;
  const limits = {
    memoryMaxBytes: typeof s.memoryMax === 'string' ? parseSystemdBytes(s.memoryMax) : shape && Math.floor(shape.memoryMiB * GO_HOST_DEFAULTS.memoryShare) * 1024 * 1024,
    cpuQuotaPercent: typeof s.cpuQuota === 'string' ? parseCpuQuotaPercent(s.cpuQuota) : shape && Math.round(shape.vcpus * 100 * GO_HOST_DEFAULTS.cpuShare),
  };
  if (!s.worker) return { ...s, ...limits };
  return { ...s, ...limits, listenPort: host.listenPort, healthPath: host.healthPath, watchdogSec: host.watchdogSec ?? GO_HOST_DEFAULTS.workerWatchdogSec };
}

/**
 * Checks the Go service's own props (given with the host's defaults applied) with its defaults
 * applied, so no check re-applies one.
 */
export function resolveGoServiceSettings(
  props: HostSettings<GoServiceProps & HostConfigurationProps>,
  isToken: (v: unknown) => boolean,
): { settings: GoServiceSettings; failures: readonly PropFailure[]; warnings: readonly string[] } {
  const checks = new PropChecks();
  const warnings: string[] = [];
  const settings = goServiceSettingsOf(props);
  checkGoHostProps(settings, isToken, checks, warnings);
  const taken = [...Object.keys(settings.environment ?? {}), ...MANAGED_ENV];
  checkServiceSecrets(settings.secrets, settings.secretsRefreshIntervalMin, taken, isToken, checks);
  return { settings, failures: checks.all, warnings };
}

/** Where a value of the service's text lands (the host quotes references for it). */
export type GoServiceBoundary = 'systemdValue' | 'systemdWord' | 'shellWord' | 'fileContent' | 's3Key' | 's3Bucket' | 'awsRegion' | 'sha256' | 'secretId' | 'ssmParameterName';

/** What the service's settings depend on beyond its props: the host and its placement. */
export interface GoServiceContext {
  readonly base: BaseHostSettings;
  /** `0.0.0.0` when a security-group rule admits the service port, else loopback (unused for a worker). */
  readonly listenAddress: string;
  /** Variables other constructs added (addEnvironment). */
  readonly extraEnvironment: Readonly<Record<string, string>>;
  readonly isToken: (v: unknown) => boolean;
  /** A value for the service's text: itself, or a reference quoted for `boundary`. */
  readonly bind: (value: string, boundary: GoServiceBoundary, prop: string) => string;
}

/** Stand-ins for limits the checks refused (the stack then does not synthesize; the other checks still run). */
const INVALID_LIMITS = { memoryMaxBytes: 1024 * 1024 * 1024, cpuQuotaPercent: 100 };

/** MemoryMax in bytes as resolved, or its stand-in. */
export function memoryMaxBytesOf(s: GoServiceSettings): number {
  return s.memoryMaxBytes ?? INVALID_LIMITS.memoryMaxBytes;
}

/** CPUQuota in percent as resolved, or its stand-in. */
export function cpuQuotaPercentOf(s: GoServiceSettings): number {
  return s.cpuQuotaPercent ?? INVALID_LIMITS.cpuQuotaPercent;
}

/** What the service's artifacts need: its settings on the host's, references bound for their destinations. */
export function goHostArtifactSettings(p: GoServiceSettings, c: GoServiceContext): GoHostSettings {
  const l = c.bind;
  const environment = Object.fromEntries(Object.entries({ ...p.environment, ...c.extraEnvironment })
    .map(([k, v]) => [k, l(v, 'systemdValue', `environment.${k}`)]));
  const a = p.artifact;
  // The download URL carries the key percent-encoded (a reference is encoded by Terraform).
  const keyPath = (key: string) => (c.isToken(key) ? l(key, 's3Key', 'artifact.key') : key.split('/').map(encodeURIComponent).join('/'));
  const artifact = a.s3
    ? ReleaseArtifact.fromS3(
        { bucket: l(a.s3.bucket, 's3Bucket', 'artifact.bucket'), key: keyPath(a.s3.key), region: a.s3.region && l(a.s3.region, 'awsRegion', 'artifact.region') },
        l(a.sha256, 'sha256', 'artifact.sha256'),
      )
    : ReleaseArtifact.fromUrl(l(a.url!, 'shellWord', 'artifact.url'), l(a.sha256, 'sha256', 'artifact.sha256'));
  const config = p.configFileContent;
  const configIsReference = config !== undefined && c.isToken(config);
  return {
    ...c.base,
    serviceName: p.serviceName,
    artifact,
    http: p.worker || p.listenPort === undefined || p.healthPath === undefined ? undefined : { listenAddress: c.listenAddress, listenPort: p.listenPort, healthPath: p.healthPath },
    environment,
    args: (p.args ?? []).map((arg, i) => l(arg, 'systemdWord', `args[${i}]`)),
    memoryMaxBytes: memoryMaxBytesOf(p),
    cpuQuotaPercent: cpuQuotaPercentOf(p),
    limitNofile: p.limitNofile,
    tasksMax: p.tasksMax,
    gogc: p.gogc,
    oomScoreAdjust: p.oomScoreAdjust,
    restartSec: p.restartSec,
    startLimitIntervalSec: p.startLimitIntervalSec,
    startLimitBurst: p.startLimitBurst,
    timeoutStopSec: p.timeoutStopSec,
    watchdogSec: p.watchdogSec,
    configFileContent: config === undefined ? undefined : configIsReference ? l(config, 'fileContent', 'configFileContent') : config,
    configFileEncoding: configIsReference ? 'b64' : undefined,
    healthTimeoutSec: p.healthTimeoutSec,
    instanceMetadataAccess: p.allowInstanceMetadataAccess,
    // A literal ID is one quoted bash word; a reference has the boundary's shell-safe form (checked at plan).
    secrets: Object.entries(p.secrets ?? {}).map(([name, s]) => ({
      name,
      kind: s.kind,
      id: c.isToken(s.id) ? l(s.id, s.kind === 'ssm' ? 'ssmParameterName' : 'secretId', `secrets.${name}`) : shq(s.id),
      jsonField: s.jsonField,
      environmentVariable: s.environmentVariable,
    })),
    secretsRefreshIntervalMin: p.secretsRefreshIntervalMin,
  };
}
