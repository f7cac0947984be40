/**
 * The Go service's checklist items (owner HardenedGoHost), assessed with the host's on every
 * placement of the service. Pure.
 */
import type { GoHostSettings } from './artifacts';
import { gomaxprocsForQuota, gomemlimitFor, memoryHighFor, systemdMiB } from './units';
import { HOST_ITEMS, HostReadinessFacts, HostServiceFacts } from '../host/readiness';
import { ChecklistItem, enforced, notApplicable, off, orderedById } from '../readiness/checklist';

/** A Go service host's facts: the host's, and the service's settings. */
export interface GoReadinessFacts extends HostReadinessFacts {
  readonly go: { readonly settings: GoHostSettings; readonly artifactFromS3: boolean };
}

type Item = ChecklistItem<GoReadinessFacts>;
type GoFacts = GoReadinessFacts['go'];

const service = (id: string, title: string, why: string, assess: (go: GoFacts, f: GoReadinessFacts) => ReturnType<Item['assess']>): Item =>
  ({ id, title, why, owner: 'HardenedGoHost', assess: (f) => assess(f.go, f) });

export const GO_SERVICE_ITEMS: readonly Item[] = [
  service('G2', 'One verified release artifact', 'A static binary checked against a pinned SHA-256 cannot be swapped or corrupted on the way to the host.',
    (g) => enforced(`one release artifact (${g.artifactFromS3 ? 'S3 object' : 'HTTPS URL'}) verified against SHA-256 ${g.settings.artifact.sha256.slice(0, 12)}…; a mismatch stops provisioning`)),
  service('G4', 'A dedicated unprivileged service user', 'A compromised service cannot log in, own its binary or act as root.',
    (g) => enforced(`system user ${g.settings.serviceName}, /usr/sbin/nologin, state in /var/lib/${g.settings.serviceName}; binary owned by root`)),
  service('G5', 'Memory, CPU and task limits in the unit', 'A leaking or runaway service is throttled and then stopped before it takes the host down.',
    (g) => enforced(`MemoryHigh=${memoryHighFor(g.settings.memoryMaxBytes)} MemoryMax=${systemdMiB(g.settings.memoryMaxBytes)} CPUQuota=${g.settings.cpuQuotaPercent}% TasksMax=${g.settings.tasksMax}, accounting on`)),
  service('G14', 'OOM priority chosen deliberately', 'The kernel kills something else first, but not sshd or nginx in its place.',
    (g) => enforced(`OOMScoreAdjust=${g.settings.oomScoreAdjust}`)),
  service('G15', 'Restart on failure, with a limit', 'Crashes heal themselves; a crash loop stops and is visible instead of spinning.',
    (g) => enforced(`Restart=on-failure RestartSec=${g.settings.restartSec}; StartLimitIntervalSec=${g.settings.startLimitIntervalSec} StartLimitBurst=${g.settings.startLimitBurst} in [Unit]`)),
  service('G16', 'Go runtime sized to its limits', 'GOMAXPROCS matching the CPU quota avoids throttling; GOMEMLIMIT below MemoryMax makes the GC work before the OOM killer does.',
    (g) => enforced(`GOMAXPROCS=${gomaxprocsForQuota(g.settings.cpuQuotaPercent)} from CPUQuota, GOMEMLIMIT=${gomemlimitFor(g.settings.memoryMaxBytes)}${g.settings.gogc !== undefined ? `, GOGC=${g.settings.gogc}` : ''}`)),
  service('G17', 'Graceful shutdown', 'In-flight requests finish during a release instead of failing.',
    (g) => enforced(`KillSignal=SIGTERM KillMode=mixed TimeoutStopSec=${g.settings.timeoutStopSec}`)),
  service('G18', 'A precheck before every start', 'A missing or altered binary, or a taken port, fails fast with a clear message.',
    (g) => enforced(`ExecStartPre precheck: binary present with the pinned SHA-256, config present${g.settings.http ? ', port free' : ''}`)),
  service('G20', 'A health endpoint everyone uses', 'The boot check, nginx, the load balancer and the probes agree on what healthy means.',
    (g) => enforced(g.settings.http ? `health path ${g.settings.http.healthPath}, waited for at first boot`
      : `a worker: healthy is READY=1 (Type=notify, waited for at first boot, TimeoutStartSec=${g.settings.healthTimeoutSec}) and the watchdog (WatchdogSec=${g.settings.watchdogSec})`)),
  service('G21', 'Debug endpoints never public', 'pprof exposes memory and can stall the service.',
    () => enforced('no security group rule or proxy route for a debug port; reach pprof through SSM port forwarding')),
  service('G24', 'A sandboxed service unit', 'A compromised service sees a read-only system, no capabilities and a narrow set of system calls.',
    () => enforced('unit sandbox: NoNewPrivileges, empty capability set, ProtectSystem=strict, syscall filter …; exposure checked ≤ 2.0 by the test suite')),
  service('G25', 'Configuration reload without a restart', 'Configuration changes do not drop connections.',
    (g) => (g.settings.configFileContent !== undefined ? enforced('config file delivered to /etc; ExecReload sends SIGHUP') : notApplicable('no configFileContent'))),
  service('G26', 'Secrets fetched at runtime, never in user data', 'A database password or API key in user data or Terraform state is readable by anyone who can describe the instance or read the state.',
    (g) => (g.settings.secrets.length > 0
      ? enforced(`${g.settings.secrets.length} secret(s) fetched by a root unit with the instance role (exactly their ARNs), given as systemd credentials readable by the service alone`
        + (g.settings.secretsRefreshIntervalMin > 0 ? `; fetched again every ${g.settings.secretsRefreshIntervalMin} min, the service restarted on a change` : '')
        + (g.settings.secrets.some((x) => x.environmentVariable) ? '; some also in the environment (opted in)' : ''))
      : off('no secrets prop: the service gets no secret unless it reads one itself'))),
];

/** Every item of a Go service host, in checklist order. */
export const GO_HOST_ITEMS: readonly Item[] = orderedById([...HOST_ITEMS, ...GO_SERVICE_ITEMS]);

/** What the host's own items say about the service. */
export function hostServiceFacts(go: GoFacts): HostServiceFacts {
  const s = go.settings;
  return {
    name: s.serviceName,
    listen: s.http && `${s.http.listenAddress}:${s.http.listenPort}`,
    limitNofile: s.limitNofile,
    watchdogSec: s.watchdogSec,
    instanceMetadataAccess: s.instanceMetadataAccess,
    artifactFromS3: go.artifactFromS3,
  };
}
