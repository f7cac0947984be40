/** The props of a Go service, on one instance (HardenedGoHost) or in an Auto Scaling group (HardenedGoService). */
import type { HardenedHostProps, HostConfigurationProps } from '../host/props';
import type { ReleaseArtifact } from './release-artifact';
import type { ServiceSecret } from './service-secret';
/** The Go service itself, wherever its instances are placed. */
export interface GoServiceProps {
  /**
   * Name of the service: the systemd unit, the Linux user and the directories are named after it.
   * 2–32 lower-case letters, digits and dashes.
   */
  readonly serviceName: string;
  /** The static Go binary to run and its SHA-256; the host refuses to install anything else. Its parts may be Terraform references. */
  readonly artifact: ReleaseArtifact;
  /**
   * A background worker (a queue consumer, a scheduler): a service with no HTTP port. Its unit is
   * `Type=notify`: the service reports `READY=1` on `$NOTIFY_SOCKET` once it works (first boot waits
   * for it) and pings the watchdog (`watchdogSec`); it gets no `PORT`, `LISTEN_ADDR` or
   * `HEALTH_PATH`, and `listenPort`/`healthPath` are refused. In a group: no load balancer, EC2
   * health checks, a launch hook completed once READY, a termination hook that lets it finish its job.
   * @default false
   */
  readonly worker?: boolean;
  /** TCP port the service listens on (given to it as `PORT` and `LISTEN_ADDR`). @default 8080 (none for a worker) */
  readonly listenPort?: number;
  /** HTTP path that answers 2xx when the service is ready. @default "/healthz" (none for a worker) */
  readonly healthPath?: string;
  /**
   * Secrets of the service by credential name: each fetched on the host with the instance role
   * (exactly these ARNs in its policy) before the service starts, and given to it as a systemd
   * credential, the file `$CREDENTIALS_DIRECTORY/<name>` readable by the service alone. Only the
   * secret's name or ARN reaches user data and Terraform state; values never reach the journal.
   * A secret that cannot be read keeps the service from starting, with the reason in the journal.
   * @default - none
   */
  readonly secrets?: Readonly<Record<string, ServiceSecret>>;
  /**
   * Minutes between fetches of `secrets` after the start; when a value changed (a rotation) the
   * service is restarted to read it (systemd credentials are set up at start). Spread over the
   * interval so a group's instances restart at different times. 0: fetched at start only.
   * @default 15
   */
  readonly secretsRefreshIntervalMin?: number;
  /**
   * Extra environment for the service. Values end up in user data and Terraform state: no secrets (use `secrets`).
   * Values may be Terraform references; names must be literals.
   * @default - only the variables the library derives (GOMAXPROCS, GOMEMLIMIT, LISTEN_ADDR, PORT, HEALTH_PATH)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /** Command-line arguments for the binary. @default - none */
  readonly args?: readonly string[];
  /**
   * systemd `MemoryMax=`: the hard memory limit of the service (`1536M`, `2G`). MemoryHigh is set to
   * 95% and GOMEMLIMIT to 90% of it.
   * @default - 75% of the instance type's memory (the rest is for the OS, nginx and agents)
   */
  readonly memoryMax?: string;
  /**
   * systemd `CPUQuota=` (`150%` = one and a half CPUs). GOMAXPROCS is derived from it (rounded up).
   * @default - 90% of every vCPU of the instance type
   */
  readonly cpuQuota?: string;
  /** systemd `LimitNOFILE=` for the service. @default 65536 */
  readonly limitNofile?: number;
  /** systemd `TasksMax=` (threads and processes). @default 4096 */
  readonly tasksMax?: number;
  /** `GOGC` for the service. @default - Go's own default (100) */
  readonly gogc?: number | 'off';
  /**
   * systemd `OOMScoreAdjust=`. Lower makes the kernel kill other processes first; an OOM-immune
   * service (-1000) makes the kernel kill sshd or nginx instead, so the default is moderate.
   * @default -500
   */
  readonly oomScoreAdjust?: number;
  /** Delay before a crashed service is restarted. @default 5 */
  readonly restartSec?: number;
  /** Window for `startLimitBurst`. @default 60 */
  readonly startLimitIntervalSec?: number;
  /** Restarts allowed within the window before systemd gives up (the unit enters failed). @default 3 */
  readonly startLimitBurst?: number;
  /** Time the service gets to drain after SIGTERM before SIGKILL; at least its own drain timeout. @default 30 */
  readonly timeoutStopSec?: number;
  /**
   * systemd watchdog: the service must call `sd_notify("WATCHDOG=1")` at least every half of this,
   * or systemd kills it (SIGABRT) and restarts it. Setting it makes the unit `Type=notify`.
   * @default - no watchdog (Type=simple); 30 for a worker
   */
  readonly watchdogSec?: number;
  /**
   * Content of a configuration file delivered to `/etc/<service>/<service>.conf` (path given as
   * `CONFIG_FILE`); `systemctl reload` sends SIGHUP.
   * @default - no configuration file
   */
  readonly configFileContent?: string;
  /** How long first boot waits for the health path (a worker: for READY) before it reports failure. @default 60 */
  readonly healthTimeoutSec?: number;
  /**
   * Let the service reach the instance metadata service (IMDS), and so call AWS with the instance
   * role's credentials. Off, the unit cannot reach it (`IPAddressDeny=`), so a compromised
   * service cannot take the role. On, synthesis warns with everything else the role allows on
   * this host; grant what the service calls with `addToRolePolicy`.
   * @default false
   */
  readonly allowInstanceMetadataAccess?: boolean;
  /**
   * Accept that with allowInstanceMetadataAccess the service can use the role of a host that
   * also runs the front door (NginxFrontDoor `host`): read its TLS private key and, with a Let's
   * Encrypt certificate kept in Secrets Manager, replace the stored certificate that the next
   * replacement restores. Without it that combination fails synthesis; the safer fix is a front
   * door on its own instance.
   * @default false
   */
  readonly allowInstanceMetadataAccessBesideFrontDoor?: boolean;
}

/** A Go service on one EC2 instance. */
export interface HardenedGoHostProps extends HardenedHostProps, GoServiceProps {}

export interface HardenedGoServiceProps extends HostConfigurationProps, GoServiceProps {
  /** Subnets the instances and the internal load balancer are placed in: private, one per Availability Zone. */
  readonly subnetIds: readonly string[];
  /** @default 2 */
  readonly minCapacity?: number;
  /** @default - twice minCapacity */
  readonly maxCapacity?: number;
  /**
   * Instances Terraform keeps the group at. Every apply resets the group to it, undoing the
   * scaling policy's decisions, so leave it out unless you scale by hand.
   * @default - not managed by Terraform: the group starts at minCapacity and the CPU policy moves it
   */
  readonly desiredCapacity?: number;
  /** Average CPU utilization the target-tracking policy keeps the group at. @default 50 */
  readonly cpuTargetUtilizationPercent?: number;
  /**
   * Seconds a new instance has before failed load-balancer health checks count; also the
   * instance warm-up of refreshes and scaling. Without internalLoadBalancer: how long its first
   * boot may take to say it is ready (the launch hook's heartbeat; past it the instance is
   * abandoned and a refresh rolls back).
   * @default - GO_SERVICE_GROUP_DEFAULTS.bootBudgetSec (300, a first boot on EC2) + healthTimeoutSec
   */
  readonly healthCheckGracePeriodSec?: number;
  /**
   * Seconds the load balancer keeps a deregistering instance's connections open. At least
   * timeoutStopSec; longer than the front door's upstreamKeepaliveTimeSec, so nginx has renewed
   * its keep-alive connections before the load balancer closes them.
   * @default - timeoutStopSec + GO_SERVICE_GROUP_DEFAULTS.deregistrationMarginSec (10)
   */
  readonly deregistrationDelaySec?: number;
  /**
   * An internal Network Load Balancer in front of the group: the service's stable address for
   * other hosts. `false`: none, for a group of one that carries its own front door (NginxFrontDoor
   * `host`) or a service nothing calls; the group then judges instances by EC2's status checks,
   * and a new instance goes in service (and a refresh moves on) only once its first boot passed
   * every check, the service's health path included (a launch lifecycle hook it completes itself).
   * A worker has none (it has no port).
   * @default true (false for a worker)
   */
  readonly internalLoadBalancer?: boolean;
  /** Instances get a public IPv4 address of their own (egress from a public subnet without NAT). @default false */
  readonly associatePublicIpAddress?: boolean;
  /**
   * `max_instance_lifetime`: instances older than this are replaced (one at a time, the group's
   * minimum healthy kept), so none runs long on an old kernel. 0 or 86400–31536000 (1–365 days).
   * @default - no limit
   */
  readonly maxInstanceLifetimeSec?: number;
  /**
   * Instance refresh checkpoints: the refresh pauses after replacing these percentages of the
   * group (ascending, the last 100) for instanceRefreshCheckpointDelaySec, so a bad release is
   * caught on part of the group.
   * @default - no checkpoints
   */
  readonly instanceRefreshCheckpointPercentages?: readonly number[];
  /** Seconds an instance refresh waits at each checkpoint. @default 3600 (AWS's) */
  readonly instanceRefreshCheckpointDelaySec?: number;
  /**
   * A termination lifecycle hook: an instance leaving the group (scale-in, refresh, lifetime) is
   * held while a watcher on it lets the load balancer drain (deregistrationDelaySec), stops the
   * service (SIGTERM, timeoutStopSec to finish its work) and then completes the hook.
   * @default true
   */
  readonly terminationLifecycleHook?: boolean;
  /** Instance refresh `skip_matching`: instances already on the new launch template version are kept. @default false */
  readonly instanceRefreshSkipMatching?: boolean;
  /**
   * Scheduled capacity changes by name (`aws_autoscaling_schedule`): `recurrence` is a cron
   * expression (minute hour day month weekday) in `timeZone` (IANA, default UTC).
   * @default - none
   */
  readonly schedules?: Readonly<Record<string, GroupSchedule>>;
  /**
   * Target tracking on a CloudWatch metric besides CPU (e.g. a queue's depth per instance): the
   * group adds or removes instances to keep the metric at `targetValue`.
   * @default - CPU only
   */
  readonly scalingMetric?: GroupScalingMetric;
}

/** One scheduled capacity change of a Go service group. */
export interface GroupSchedule {
  /** Cron (five fields: minute hour day-of-month month day-of-week), e.g. "0 7 * * MON-FRI". */
  readonly recurrence: string;
  /** IANA time zone of the recurrence. @default "Etc/UTC" */
  readonly timeZone?: string;
  readonly minCapacity?: number;
  readonly maxCapacity?: number;
  readonly desiredCapacity?: number;
}

/** A CloudWatch metric a Go service group tracks (a target-tracking policy's customized metric). */
export interface GroupScalingMetric {
  readonly namespace: string;
  readonly metricName: string;
  /** @default - none */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** @default "Average" */
  readonly statistic?: 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount';
  readonly targetValue: number;
}
