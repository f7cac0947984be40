/**
 * Validation of the Go service's own props (the host's are checked by checkHostProps): every
 * failure names the prop, the bad value and the fix. Token-valued inputs (late-bound Terraform
 * references) are skipped. Pure: no cdktf imports.
 */
import type { GoServiceProps } from './props';
import { RESERVED_SERVICE_NAMES } from './reserved-names';
import { HOST_PORTS } from '../facts';
import type { HostPropsToCheck } from '../host/checks';
import { instanceShape } from '../host/instance-types';
import { PropChecks } from '../input/prop-checks';
import {
  CONTROL_CHARACTER, PropType, requireLiterals, urlHasCredentials, environmentNameProblem, isPort, SECRET_ENV_PATTERN,
  SERVICE_NAME_PATTERN, SHA256_PATTERN, URL_PATH_PATTERN,
} from '../input/validators';

const isInt = (v: number) => Number.isInteger(v);

/** Go service props as the checks see them: with GO_HOST_DEFAULTS applied as well. */
export type GoHostPropsToCheck = GoServiceProps & HostPropsToCheck & {
  readonly listenPort: number | undefined; readonly healthPath: string | undefined; readonly limitNofile: number; readonly tasksMax: number; readonly oomScoreAdjust: number;
  readonly timeoutStopSec: number; readonly restartSec: number; readonly startLimitBurst: number; readonly startLimitIntervalSec: number;
  /** memoryMax and cpuQuota as resolved (parsed once, by goServiceSettingsOf): undefined when not in systemd's syntax. */
  readonly memoryMaxBytes: number | undefined; readonly cpuQuotaPercent: number | undefined;
};

/** The types of the Go service's props. */
export const GO_SERVICE_PROP_TYPES: Readonly<Record<string, PropType>> = {
  serviceName: 'string', artifact: 'object', worker: 'boolean', listenPort: 'number', healthPath: 'string', environment: 'Record<string, string>',
  args: 'string[]', memoryMax: 'string', cpuQuota: 'string', limitNofile: 'number', tasksMax: 'number', oomScoreAdjust: 'number',
  restartSec: 'number', startLimitIntervalSec: 'number', startLimitBurst: 'number', timeoutStopSec: 'number', watchdogSec: 'number',
  configFileContent: 'string', healthTimeoutSec: 'number', allowInstanceMetadataAccess: 'boolean', allowInstanceMetadataAccessBesideFrontDoor: 'boolean',
  secrets: 'object', secretsRefreshIntervalMin: 'number',
};

const LITERAL_EXAMPLES: Record<string, string> = {
  serviceName: '"orders-api"', listenPort: '8080', healthPath: '"/healthz"', memoryMax: '"1536M"', cpuQuota: '"180%"', secretsRefreshIntervalMin: '15',
};

/** The Go service's own props (the base host's are checked by checkHostProps). */
export function checkGoHostProps(props: GoHostPropsToCheck, isToken: (v: unknown) => boolean, c: PropChecks, warnings: string[]): void {
  const known = (v: unknown): boolean => v !== undefined && !isToken(v);
  requireLiterals(props, LITERAL_EXAMPLES, ['serviceName', 'listenPort', 'healthPath', 'memoryMax', 'cpuQuota', 'limitNofile', 'tasksMax', 'gogc', 'oomScoreAdjust',
    'restartSec', 'startLimitIntervalSec', 'startLimitBurst', 'timeoutStopSec', 'watchdogSec', 'healthTimeoutSec', 'secretsRefreshIntervalMin'], isToken, c);
  // Secrets in user data: a warning, or an error when allowSecretsInUserData is false.
  const secret = (prop: string, value: unknown, problem: string) => {
    const fix = 'pass it in secrets (ServiceSecret.fromSecretsManager or fromSsmParameter): fetched on the host with the instance role, given to the service as a systemd credential';
    if (props.allowSecretsInUserData === false) c.fail(prop, value, problem, fix);
    else warnings.push(`${prop} ${problem}; ${fix} (allowSecretsInUserData: false makes this an error).`);
  };

  // Service name: it becomes the unit name, the user name and directory names.
  if (known(props.serviceName)) {
    if (!SERVICE_NAME_PATTERN.test(props.serviceName)) {
      c.fail('serviceName', props.serviceName, 'is not usable as a systemd unit and Linux user name',
        'use 2–32 lower-case letters, digits and dashes, starting with a letter, e.g. "orders-api"');
    } else if (RESERVED_SERVICE_NAMES.has(props.serviceName)) {
      c.fail('serviceName', props.serviceName, 'is the name of a distribution unit or system account: the service would shadow the unit or reuse the account',
        'choose a name of your own, e.g. "orders-api"');
    }
  }

  // The artifact: where it comes from and what it must hash to.
  const artifact = props.artifact;
  if (artifact === undefined) {
    c.fail('artifact', undefined, 'is required', 'pass ReleaseArtifact.fromS3({...}, sha256) or ReleaseArtifact.fromUrl(url, sha256)');
  } else {
    // Plain JavaScript can leave a part out: it would reach the host as the text "undefined".
    const parts: Array<[string, unknown, string]> = [
      ['artifact.sha256', artifact.sha256, 'pass the output of `sha256sum <binary>` as the second argument of ReleaseArtifact.fromS3/fromUrl'],
      ...(artifact.s3
        ? [['artifact.bucket', artifact.s3.bucket, 'pass { bucket, key } to ReleaseArtifact.fromS3'], ['artifact.key', artifact.s3.key, 'pass { bucket, key } to ReleaseArtifact.fromS3']] as Array<[string, unknown, string]>
        : [['artifact.url', artifact.url, 'pass the https:// URL to ReleaseArtifact.fromUrl'] as [string, unknown, string]]),
    ];
    for (const [prop, value, fix] of parts) {
      if (typeof value !== 'string') c.fail(prop, value, value === undefined ? 'is required' : `is a ${typeof value}, not a string`, fix);
    }
    if (known(artifact.url) && urlHasCredentials(artifact.url)) {
      secret('artifact.url', artifact.url.replace(/\/\/[^@/]*@/, '//***@'), 'carries credentials, which land in user data and Terraform state');
    }
    if (known(artifact.url) && !/^(https:\/\/[^\s/]+\/\S+|s3:\/\/[^\s/]+\/\S+)$/.test(artifact.url)) {
      c.fail('artifact.url', artifact.url, 'is neither an https:// URL nor an s3://bucket/key location',
        'serve the binary over HTTPS or from S3 (plain HTTP cannot be trusted even with a checksum pinned)');
    }
    if (known(artifact.sha256) && typeof artifact.sha256 === 'string' && !SHA256_PATTERN.test(artifact.sha256)) {
      c.fail('artifact.sha256', artifact.sha256, `is not 64 lower-case hex characters (got ${artifact.sha256.length})`,
        'use the output of `sha256sum <binary>` (lower-case hex)');
    }
    if (artifact.s3 && known(artifact.s3.key) && /[*?]/.test(artifact.s3.key)) {
      c.fail('artifact.key', artifact.s3.key, 'has an IAM wildcard (* or ?): the role would read every matching object, not the one release', 'name the one object, e.g. "orders-api/v1.4.2/orders-api"');
    }
    if (artifact.s3 && known(artifact.s3.bucket) && !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(artifact.s3.bucket)) {
      c.fail('artifact.bucket', artifact.s3.bucket, 'is not a valid S3 bucket name', 'use 3–63 lower-case letters, digits, dots and dashes');
    }
  }

  const instanceType = props.instanceType;
  const shape = known(instanceType) ? instanceShape(instanceType) : undefined;

  // The service's port and health path; a worker has neither.
  if (props.worker) {
    for (const prop of ['listenPort', 'healthPath'] as const) {
      if (props[prop] !== undefined) c.fail(prop, props[prop], 'is set on a worker (worker: true), which has no HTTP port: its health is READY=1 and the watchdog', `remove ${prop}, or drop worker for a service that answers HTTP`);
    }
  }
  const listenPort = props.listenPort;
  if (listenPort !== undefined && known(listenPort)) {
    if (!isPort(listenPort)) {
      c.fail('listenPort', listenPort, 'is not a TCP port (1–65535)', 'use a port such as 8080');
    } else if (listenPort < 1024) {
      c.fail('listenPort', listenPort, 'is a privileged port and the service runs without capabilities',
        'listen on a port ≥ 1024 (e.g. 8080); NginxFrontDoor serves 80/443');
    } else if (HOST_PORTS[listenPort]) {
      c.fail('listenPort', listenPort, `collides with ${HOST_PORTS[listenPort]} on the same host`, 'choose another port, e.g. 8080');
    }
  }
  const healthPath = props.healthPath;
  if (healthPath !== undefined && known(healthPath) && !URL_PATH_PATTERN.test(healthPath)) {
    c.fail('healthPath', healthPath, 'is not an absolute URL path', 'start it with "/" and leave out spaces, query and fragment, e.g. "/healthz"');
  }

  // Environment.
  for (const [name, value] of Object.entries(props.environment ?? {})) {
    const nameProblem = environmentNameProblem(name);
    if (nameProblem) {
      c.fail(`environment.${name}`, value, nameProblem.problem, nameProblem.fix);
    } else if (SECRET_ENV_PATTERN.test(name) || (known(value) && urlHasCredentials(value))) {
      secret(`environment.${name}`, value, `${SECRET_ENV_PATTERN.test(name) ? 'has a name that' : 'is a URL with credentials, which'} looks like a secret: environment values are stored in user data and Terraform state`);
    }
    if (known(value) && CONTROL_CHARACTER.test(value)) {
      c.fail(`environment.${name}`, value, 'contains a control character (a line break, tab or NUL), which would end the Environment= line and could start a new directive', 'remove it, or deliver the value in configFileContent');
    }
  }
  (props.args ?? []).forEach((arg, i) => {
    if (known(arg) && CONTROL_CHARACTER.test(arg)) {
      c.fail(`args[${i}]`, arg, 'contains a control character (a line break, tab or NUL), which would end the ExecStart= line and could start a new directive', 'remove it, or pass the value in configFileContent');
    }
  });

  // Resource limits.
  const memoryMax = props.memoryMax;
  if (memoryMax === undefined) {
    if (known(instanceType) && !shape) {
      c.fail('memoryMax', undefined, `cannot be derived: the memory of instance type "${instanceType}" is not known to the library`,
        'set memoryMax (e.g. "1536M") and cpuQuota (e.g. "180%") explicitly');
    }
  } else if (known(memoryMax)) {
    const bytes = props.memoryMaxBytes;
    if (bytes === undefined) {
      c.fail('memoryMax', memoryMax, "is not in systemd's MemoryMax= byte syntax", 'write a size like "1536M" or "2G" (K, M, G, T are powers of 1024)');
    } else if (bytes < 64 * 1024 * 1024) {
      c.fail('memoryMax', memoryMax, 'is below 64 MiB, too little for a Go service and its runtime', 'give the service at least "64M"');
    } else if (shape && bytes > shape.memoryMiB * 1024 * 1024) {
      c.fail('memoryMax', memoryMax, `exceeds the ${shape.memoryMiB} MiB of a ${instanceType}`, 'lower memoryMax or pick a larger instance type');
    }
  }
  const cpuQuota = props.cpuQuota;
  if (cpuQuota === undefined) {
    if (known(instanceType) && !shape) {
      c.fail('cpuQuota', undefined, `cannot be derived: the vCPU count of instance type "${instanceType}" is not known to the library`, 'set cpuQuota explicitly, e.g. "180%"');
    }
  } else if (known(cpuQuota)) {
    const pct = props.cpuQuotaPercent;
    if (pct === undefined) {
      c.fail('cpuQuota', cpuQuota, "is not in systemd's CPUQuota= syntax", 'write a percentage of one CPU, e.g. "150%" for one and a half CPUs');
    } else if (shape && pct > shape.vcpus * 100) {
      c.fail('cpuQuota', cpuQuota, `exceeds the ${shape.vcpus} vCPUs (${shape.vcpus * 100}%) of a ${instanceType}`, `use at most "${shape.vcpus * 100}%"`);
    }
  }
  const limitNofile = props.limitNofile;
  if (!isInt(limitNofile) || limitNofile < 1024 || limitNofile > 1048576) {
    c.fail('limitNofile', limitNofile, 'is outside 1024–1048576 (fs.nr_open)', 'use a value such as 65536');
  }
  const tasksMax = props.tasksMax;
  if (!isInt(tasksMax) || tasksMax < 16) c.fail('tasksMax', tasksMax, 'is below 16 threads, too few for the Go runtime', 'use a value such as 4096');
  else if (tasksMax > PID_MAX_LIMIT) c.fail('tasksMax', tasksMax, `is above ${PID_MAX_LIMIT}, the most tasks Linux allows`, 'use a value such as 4096, or leave it out');
  const oom = props.oomScoreAdjust;
  if (!isInt(oom) || oom < -1000 || oom > 1000) c.fail('oomScoreAdjust', oom, 'is outside -1000–1000', 'use a value such as -500');
  if (props.gogc !== undefined && props.gogc !== 'off' && (!isInt(props.gogc) || props.gogc < 1 || props.gogc > GOGC_MAX)) {
    c.fail('gogc', props.gogc, `is neither a positive integer up to ${GOGC_MAX} nor "off"`, 'use a percentage such as 100 (Go\'s default) or 200');
  }

  // Restart and stop behaviour.
  const timeoutStopSec = props.timeoutStopSec;
  if (!(timeoutStopSec > 0)) c.fail('timeoutStopSec', timeoutStopSec, 'must be positive', 'set it at least as long as the service\'s shutdown drain timeout, e.g. 30');
  const restartSec = props.restartSec;
  if (!(restartSec >= 0)) c.fail('restartSec', restartSec, 'must not be negative', 'use a delay such as 5');
  const burst = props.startLimitBurst;
  if (!isInt(burst) || burst < 1) c.fail('startLimitBurst', burst, 'must be a positive integer', 'use a value such as 3');
  const interval = props.startLimitIntervalSec;
  if (!(interval > 0)) c.fail('startLimitIntervalSec', interval, 'must be positive', 'use a value such as 60');
  else if (burst >= 1 && interval < burst * restartSec) {
    c.fail('startLimitIntervalSec', interval, `is shorter than startLimitBurst × restartSec (${burst * restartSec} s), so the start limit can never trigger`,
      `raise it above ${burst * restartSec} or lower restartSec`);
  }
  if (props.watchdogSec !== undefined && !(props.watchdogSec > 0)) {
    c.fail('watchdogSec', props.watchdogSec, 'must be positive', 'use a value such as 30, and call sd_notify("WATCHDOG=1") from the service at least every half of it');
  }
  // Seconds reach unit files and scripts as text: a day at most, never in exponent form (1e-7, 1e+21).
  for (const prop of ['timeoutStopSec', 'restartSec', 'startLimitIntervalSec', 'healthTimeoutSec', 'watchdogSec'] as const) {
    const v = props[prop];
    if (typeof v !== 'number' || !(v >= 0)) continue;
    if (v > SECONDS_MAX) c.fail(prop, v, `is more than a day (${SECONDS_MAX} s)`, `use seconds up to ${SECONDS_MAX}`);
    // Judged on the text the files get: v * 1000 is not an integer for 1.005 in binary floating point.
    else if (!/^\d+(\.\d{1,3})?$/.test(String(v))) c.fail(prop, v, `has more precision than a millisecond (systemd and the scripts read it as the text ${String(v)})`, 'give whole seconds, or at most three decimals');
  }

}

/** Linux's PID_MAX_LIMIT on 64-bit: more tasks than this cannot exist. */
const PID_MAX_LIMIT = 4194304;
/** GOGC as a percentage; Go reads an int, and beyond this the collector effectively never runs ("off" says so). */
const GOGC_MAX = 1_000_000;
/** The longest stop, restart, health or watchdog span accepted, in seconds. */
const SECONDS_MAX = 86400;

