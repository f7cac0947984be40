/**
 * The Go service's defaults, on one instance and in an Auto Scaling group (the only place they
 * live; each prop's `@default` says the same). Pure.
 */

export const GO_HOST_DEFAULTS = {
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
  /** Share of the instance's memory the service may use when memoryMax is not given. */
  memoryShare: 0.75,
  /** Share of each vCPU the service may use when cpuQuota is not given (headroom for sshd, nginx, agents). */
  cpuShare: 0.9,
} as const;

export const GO_SERVICE_DEFAULTS = {
  minCapacity: 2,
  /** maxCapacity defaults to this multiple of minCapacity. */
  maxCapacityFactor: 2,
  cpuTargetUtilizationPercent: 50,
  /** Seconds a new instance needs on EC2 before its service can be healthy (packages, hardening, artifact). */
  bootBudgetSec: 300,
  /** Seconds the deregistration delay adds to the service's TimeoutStopSec. */
  deregistrationMarginSec: 10,
} as const;
