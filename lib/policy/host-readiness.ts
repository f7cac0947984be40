/** Readiness rows for a HardenedGoHost (the G and X rows of GUIDANCE.md). Pure. */
import { GoHostSettings } from '../model/go-host';
import { BaseHostSettings, HOST_HARDENING } from '../model/host';
import { gomaxprocsForQuota, gomemlimitFor, memoryHighFor, systemdMiB } from '../model/units';
import { ReadinessRow } from './readiness';

export interface HostFacts {
  readonly settings: BaseHostSettings;
  readonly sshCidrs: readonly string[];
  readonly imdsHopLimit: number;
  readonly autoRecovery: boolean;
  readonly publicIp: boolean;
  /** An Auto Scaling group member: the group replaces an unhealthy instance. */
  readonly group?: boolean;
}

const GROUP_HEALING = 'Auto Scaling group with load-balancer health checks replaces an unhealthy instance (no per-instance recover alarm)';

const e = (id: string, detail: string): ReadinessRow => ({ id, status: 'enforced', detail });

/** Rows of a host without a Go service: the service rows are "not applicable". */
export function hostReadiness(f: HostFacts): ReadinessRow[] {
  const s = f.settings;
  const na = (id: string): ReadinessRow => ({ id, status: 'not applicable', detail: 'no Go service on this host' });
  return [
    e('G1', `${s.distro.title}, AMI looked up by owner ${s.distro.amiOwner} and name, or pinned by ID`),
    na('G2'),
    e('G3', `chrony with ${s.ntpServers.join(', ')}`),
    na('G4'),
    na('G5'),
    e('G6', `UFW default deny with ${s.ufwRules.length} allow rule(s) from the port model`),
    e('G7', `somaxconn and tcp_max_syn_backlog ${s.somaxconn}`),
    e('G8', 'tcp_tw_reuse=1, tcp_timestamps=1, tcp_fin_timeout=30; tcp_tw_recycle never set'),
    e('G9', `ip_local_port_range ${s.ephemeralPortRange[0]}–${s.ephemeralPortRange[1]}, checked against every listening port`),
    e('G10', 'fs.file-max 2097152; per-service LimitNOFILE in each unit'),
    e('G11', 'vm.swappiness=1'),
    s.strictOvercommit
      ? { id: 'G12', status: 'enforced', detail: 'strict overcommit opted in (vm.overcommit_memory=2, ratio 80) — warned at synth' }
      : { id: 'G12', status: 'off', detail: 'strict overcommit breaks Go runtime reservations (correction); overcommit left at the kernel default 0' },
    e('G13', s.tcpCongestionControl === 'bbr' ? 'bbr + fq, tcp_bbr loaded at boot, tcp_fastopen=3' : `congestion control ${s.tcpCongestionControl} (BBR turned off), tcp_fastopen=3`),
    ...['G14', 'G15', 'G16', 'G17', 'G18'].map(na),
    e('G19', `persistent journal capped at ${s.journalSystemMaxUse}`),
    ...['G20', 'G21'].map(na),
    f.group ? e('G22', GROUP_HEALING) : f.autoRecovery ? e('G22', 'EC2 auto-recovery alarm on StatusCheckFailed_System') : { id: 'G22', status: 'off', detail: 'autoRecovery is false' },
    { id: 'G23', status: 'not applicable', detail: `${s.distro.title} uses AppArmor; unit sandboxing confines services` },
    na('G24'),
    na('G25'),
    e('X1', f.sshCidrs.length > 0 ? `SSH only from ${f.sshCidrs.join(', ')}; everything else closed unless a construct opens it` : 'SSH closed (SSM Session Manager); nothing open unless a construct opens it'),
    e('X2', `IMDSv2 required (hop limit ${f.imdsHopLimit}), encrypted gp3 root volume, role limited to SSM core and the grants constructs add${f.publicIp ? '; public IP requested' : ''}`),
    e('X3', 'readiness report written at synth (this table)'),
    e('R1', 'this report'),
    ...hardeningRows(),
  ];
}

/** The host audit rows (the project's own IDs H1–H7): what dev-sec's baselines expect beyond GUIDANCE.md. */
function hardeningRows(): ReadinessRow[] {
  return [
    e('H1', 'sshd: MaxAuthTries 3, MaxSessions 2, ClientAliveCountMax 2, no TCP/stream forwarding or tunnels, TCPKeepAlive no, LogLevel VERBOSE'),
    e('H2', `legal notice before login (/etc/issue and ${HOST_HARDENING.bannerFile} as the sshd Banner)`),
    e('H3', `modules that cannot be loaded: ${HOST_HARDENING.refusedModules.join(', ')}`),
    e('H4', 'no core dumps from PAM sessions (hard core 0); setuid programs covered by fs.suid_dumpable=0'),
    e('H6', `auditd with rules for accounts, privileges, sshd, kernel modules and clock steps (${HOST_HARDENING.auditRulesFile})`),
    e('H7', 'needrestart restarts services that run outdated libraries after unattended upgrades'),
    e('H5', `login.defs UMASK ${HOST_HARDENING.umask}, SHA_CRYPT rounds ${HOST_HARDENING.shaCryptRounds.SHA_CRYPT_MIN_ROUNDS}–${HOST_HARDENING.shaCryptRounds.SHA_CRYPT_MAX_ROUNDS}`),
  ];
}

/** Rows of a Go service host: the host rows with the service rows filled in. */
export function goHostReadiness(f: HostFacts & { readonly settings: GoHostSettings; readonly artifactFromS3: boolean }): ReadinessRow[] {
  const s = f.settings;
  const rows: ReadinessRow[] = [
    e('G1', `${s.distro.title}, AMI looked up by owner ${s.distro.amiOwner} and name, or pinned by ID`),
    e('G2', `one release artifact (${f.artifactFromS3 ? 'S3 object' : 'HTTPS URL'}) verified against SHA-256 ${s.artifact.sha256.slice(0, 12)}…; a mismatch stops provisioning`),
    e('G3', `chrony with ${s.ntpServers.join(', ')}`),
    e('G4', `system user ${s.serviceName}, /usr/sbin/nologin, state in /var/lib/${s.serviceName}; binary owned by root`),
    e('G5', `MemoryHigh=${memoryHighFor(s.memoryMaxBytes)} MemoryMax=${systemdMiB(s.memoryMaxBytes)} CPUQuota=${s.cpuQuotaPercent}% TasksMax=${s.tasksMax}, accounting on`),
    e('G6', `UFW default deny with ${s.ufwRules.length} allow rule(s) from the port model; service on ${s.listenAddress}:${s.listenPort}`),
    e('G7', `somaxconn and tcp_max_syn_backlog ${s.somaxconn}`),
    e('G8', 'tcp_tw_reuse=1, tcp_timestamps=1, tcp_fin_timeout=30; tcp_tw_recycle never set'),
    e('G9', `ip_local_port_range ${s.ephemeralPortRange[0]}–${s.ephemeralPortRange[1]}, checked against every listening port`),
    e('G10', `fs.file-max 2097152, LimitNOFILE=${s.limitNofile} in the unit, limits.d for PAM sessions`),
    e('G11', 'vm.swappiness=1'),
    s.strictOvercommit
      ? { id: 'G12', status: 'enforced', detail: 'strict overcommit opted in (vm.overcommit_memory=2, ratio 80) — warned at synth' }
      : { id: 'G12', status: 'off', detail: 'strict overcommit breaks Go runtime reservations (correction); overcommit left at the kernel default 0' },
    e('G13', s.tcpCongestionControl === 'bbr' ? 'bbr + fq, tcp_bbr loaded at boot, tcp_fastopen=3' : `congestion control ${s.tcpCongestionControl} (BBR turned off), tcp_fastopen=3`),
    e('G14', `OOMScoreAdjust=${s.oomScoreAdjust}`),
    e('G15', `Restart=on-failure RestartSec=${s.restartSec}; StartLimitIntervalSec=${s.startLimitIntervalSec} StartLimitBurst=${s.startLimitBurst} in [Unit]`),
    e('G16', `GOMAXPROCS=${gomaxprocsForQuota(s.cpuQuotaPercent)} from CPUQuota, GOMEMLIMIT=${gomemlimitFor(s.memoryMaxBytes)}${s.gogc !== undefined ? `, GOGC=${s.gogc}` : ''}`),
    e('G17', `KillSignal=SIGTERM KillMode=mixed TimeoutStopSec=${s.timeoutStopSec}`),
    e('G18', 'ExecStartPre precheck: binary present with the pinned SHA-256, config present, port free'),
    e('G19', `journal output with SyslogIdentifier=${s.serviceName}; persistent journal capped at ${s.journalSystemMaxUse}`),
    e('G20', `health path ${s.healthPath}, waited for at first boot`),
    e('G21', 'no security group rule or proxy route for a debug port; reach pprof through SSM port forwarding'),
    s.watchdogSec !== undefined
      ? e('G22', `WatchdogSec=${s.watchdogSec} (Type=notify)${f.group ? `; ${GROUP_HEALING}` : f.autoRecovery ? ' and the EC2 recover alarm' : ''}`)
      : f.group
        ? e('G22', `${GROUP_HEALING}; systemd watchdog off (set watchdogSec if the app calls sd_notify)`)
        : f.autoRecovery
        ? e('G22', 'EC2 auto-recovery alarm on StatusCheckFailed_System; systemd watchdog off (set watchdogSec if the app calls sd_notify)')
        : { id: 'G22', status: 'off', detail: 'autoRecovery is false and no watchdogSec' },
    { id: 'G23', status: 'not applicable', detail: `${s.distro.title} uses AppArmor; the unit sandbox (G24) confines the service` },
    e('G24', 'unit sandbox: NoNewPrivileges, empty capability set, ProtectSystem=strict, syscall filter …; exposure checked ≤ 2.0 by the test suite'),
    s.configFileContent !== undefined
      ? e('G25', 'config file delivered to /etc; ExecReload sends SIGHUP')
      : { id: 'G25', status: 'not applicable', detail: 'no configFileContent' },
    e('X1', f.sshCidrs.length > 0 ? `SSH only from ${f.sshCidrs.join(', ')}; everything else closed unless a construct opens it` : 'SSH closed (SSM Session Manager); nothing open unless a construct opens it'),
    e('X2', `IMDSv2 required (hop limit ${f.imdsHopLimit}), encrypted gp3 root volume, role limited to SSM core${f.artifactFromS3 ? ' and s3:GetObject on the artifact' : ''}${f.publicIp ? '; public IP requested' : ''}`),
    e('X3', 'readiness report written at synth (this table)'),
    e('R1', 'this report'),
    ...hardeningRows(),
  ];
  return rows;
}
