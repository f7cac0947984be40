/**
 * Checklist items of every hardened host (G, X, R and the host audit H); the Go service's own
 * items are in go-service/readiness. Pure.
 */
import { BaseHostSettings, HOST_HARDENING } from './artifacts';
import { INSTANCE_METADATA_ADDRESSES, MetadataAccess } from './instance-metadata';
import { ChecklistItem, enforced, notApplicable, off } from '../readiness/checklist';

/** The service a host runs, as the host's own items describe it (its placement fills it in). */
export interface HostServiceFacts {
  readonly name: string;
  /** `address:port` it listens on; undefined for a worker. */
  readonly listen: string | undefined;
  readonly limitNofile: number;
  readonly watchdogSec: number | undefined;
  /** The service may use the instance role (allowInstanceMetadataAccess). */
  readonly instanceMetadataAccess: boolean;
  readonly artifactFromS3: boolean;
}

export interface HostReadinessFacts {
  readonly settings: BaseHostSettings;
  /** The service on the host, if any. */
  readonly service?: HostServiceFacts;
  readonly sshCidrs: readonly string[];
  readonly imdsHopLimit: number;
  readonly autoRecovery: boolean;
  readonly publicIp: boolean;
  /** An Auto Scaling group member: the group replaces an unhealthy instance. */
  readonly group?: boolean;
  /** How the group judges its instances: a load balancer's health check, or EC2's status checks after a launch hook. */
  readonly groupHealthCheck?: 'ELB' | 'EC2';
  /** Units fenced off the instance metadata service, and units that keep it (with why). */
  readonly metadataAccess: ReadonlyMap<string, MetadataAccess>;
}

type Item = ChecklistItem<HostReadinessFacts>;

const GROUP_HEALING = 'Auto Scaling group with load-balancer health checks replaces an unhealthy instance (no per-instance recover alarm)';
const HOOK_HEALING = 'Auto Scaling group replaces an instance failing EC2\'s status checks; a new one is in service only after its first boot passed every check (launch hook)';

const host = (id: string, title: string, why: string, assess: Item['assess']): Item => ({ id, title, why, owner: 'HardenedHost', assess });

export const HOST_ITEMS: readonly Item[] = [
  host('G1', 'A supported LTS operating system', 'Security updates for the life of the host; the AMI is found by owner and name, never by a stale ID.',
    (f) => enforced(`${f.settings.distro.title}, AMI looked up by owner ${f.settings.distro.amiOwner} and name, or pinned by ID`)),
  host('G3', 'Synchronised clock', 'TLS, token expiry and log ordering all depend on the time; the Amazon Time Sync Service is local to every instance.',
    (f) => enforced(`chrony with ${f.settings.ntpServers.join(', ')}`)),
  host('G6', 'Host firewall from the same port model as the security groups', 'A second line behind the security group that cannot disagree with it.',
    (f) => enforced(`UFW default deny with ${f.settings.ufwRules.length} allow rule(s) from the port model${f.service?.listen ? `; service on ${f.service.listen}` : f.service ? `; ${f.service.name} is a worker with no port` : ''}`)),
  host('G7', 'Deep accept and SYN queues', 'Bursts of connections queue instead of being refused.',
    (f) => enforced(`somaxconn and tcp_max_syn_backlog ${f.settings.somaxconn}`)),
  host('G8', 'TIME_WAIT reuse without tcp_tw_recycle', 'Many short upstream connections do not exhaust ports; tcp_tw_recycle broke NAT clients and is gone from Linux.',
    () => enforced('tcp_tw_reuse=1, tcp_timestamps=1, tcp_fin_timeout=30; tcp_tw_recycle never set')),
  host('G9', 'Ephemeral ports above every listening port', 'An outgoing connection can never take the port a service needs after a restart.',
    (f) => enforced(`ip_local_port_range ${f.settings.ephemeralPortRange[0]}–${f.settings.ephemeralPortRange[1]}, checked against every listening port`)),
  host('G10', 'Enough file descriptors, set where systemd reads them', 'limits.conf does not apply to services; LimitNOFILE in the unit does.',
    (f) => enforced(f.service ? `fs.file-max 2097152, LimitNOFILE=${f.service.limitNofile} in the unit, limits.d for PAM sessions` : 'fs.file-max 2097152; per-service LimitNOFILE in each unit')),
  host('G11', 'Almost no swapping', 'Latency stays predictable; the Go heap stays in memory.',
    () => enforced('vm.swappiness=1')),
  host('G12', 'No strict overcommit by default', "Strict overcommit makes the Go runtime's address-space reservations fail; it is opt-in with a warning.",
    (f) => (f.settings.strictOvercommit
      ? enforced('strict overcommit opted in (vm.overcommit_memory=2, ratio 80) — warned at synth')
      : off('strict overcommit breaks Go runtime reservations (correction); overcommit left at the kernel default 0'))),
  host('G13', 'BBR congestion control and TCP Fast Open', 'Better throughput on lossy paths and one round trip less for returning clients.',
    (f) => enforced(f.settings.tcpCongestionControl === 'bbr' ? 'bbr + fq, tcp_bbr loaded at boot, tcp_fastopen=3' : `congestion control ${f.settings.tcpCongestionControl} (BBR turned off), tcp_fastopen=3`)),
  host('G19', 'Structured logs kept across reboots, with a cap', 'Logs of a crash survive the reboot, and logs never fill the disk.',
    (f) => enforced(f.service ? `journal output with SyslogIdentifier=${f.service.name}; persistent journal capped at ${f.settings.journalSystemMaxUse}` : `persistent journal capped at ${f.settings.journalSystemMaxUse}`)),
  host('G22', 'Self-healing', 'A hung or failed instance comes back without a person.',
    (f) => {
      const healing = f.group ? (f.groupHealthCheck === 'EC2' ? HOOK_HEALING : GROUP_HEALING) : f.autoRecovery ? 'EC2 auto-recovery alarm on StatusCheckFailed_System' : undefined;
      if (f.service?.watchdogSec !== undefined) return enforced(`WatchdogSec=${f.service.watchdogSec} (Type=notify)${f.group ? `; ${f.groupHealthCheck === 'EC2' ? HOOK_HEALING : GROUP_HEALING}` : f.autoRecovery ? ' and the EC2 recover alarm' : ''}`);
      if (!healing) return off(f.service ? 'autoRecovery is false and no watchdogSec' : 'autoRecovery is false');
      return enforced(f.service ? `${healing}; systemd watchdog off (set watchdogSec if the app calls sd_notify)` : healing);
    }),
  host('G23', 'Mandatory access control', 'On Ubuntu and Debian AppArmor is the MAC; the unit sandbox confines the service itself.',
    (f) => notApplicable(f.service ? `${f.settings.distro.title} uses AppArmor; the unit sandbox (G24) confines the service` : `${f.settings.distro.title} uses AppArmor; unit sandboxing confines services`)),
  host('X1', 'Only the ports that are needed', 'SSH closed by default (SSM Session Manager); every other port opened by the construct that needs it.',
    (f) => enforced(f.sshCidrs.length > 0 ? `SSH only from ${f.sshCidrs.join(', ')}; everything else closed unless a construct opens it` : 'SSH closed (SSM Session Manager); nothing open unless a construct opens it')),
  host('X2', 'IMDSv2, encrypted volumes, least-privilege role', 'Credentials cannot be stolen through SSRF, disks are encrypted at rest, and the role can do only what the host needs.',
    (f) => enforced(`IMDSv2 required (hop limit ${f.imdsHopLimit}), encrypted gp3 root volume, role limited to SSM core${f.service ? (f.service.artifactFromS3 ? ' and s3:GetObject on the artifact' : '') : ' and the grants constructs add'}${f.publicIp ? '; public IP requested' : ''}`)),
  host('X3', 'A production-readiness checklist', 'What is enforced is written down per host, not remembered.',
    () => enforced('readiness report written at synth (this table)')),
  host('X4', 'The instance role only for the processes that call AWS', 'A compromised service, proxy or agent cannot take the instance role\'s credentials from the metadata service.',
    (f) => {
      const units = [...f.metadataAccess];
      const denied = units.filter(([, a]) => a.access === 'denied').map(([unit]) => unit);
      const allowed = units.flatMap(([unit, a]) => (a.access === 'allowed' ? [`${unit} (${a.why})`] : []));
      const detail = `instance metadata (${INSTANCE_METADATA_ADDRESSES.join(', ')}) unreachable from ${denied.join(', ') || 'no unit'} (IPAddressDeny=, checked at first boot); reachable by ${allowed.join(', ')}`;
      const service = f.service && !f.service.instanceMetadataAccess ? undefined : f.service?.name;
      return service ? off(`allowInstanceMetadataAccess: ${service} may use the instance role; ${detail}`) : enforced(detail);
    }),
  host('R1', 'A readiness report per host', 'Reviewers see which items are enforced, which are off and why, before anything is deployed.',
    () => enforced('this report')),
  host('H1', 'sshd beyond the defaults', 'Fewer guesses, no tunnels through the host, verbose login records.',
    () => enforced('sshd: MaxAuthTries 3, MaxSessions 2, ClientAliveCountMax 2, no TCP/stream forwarding or tunnels, TCPKeepAlive no, LogLevel VERBOSE')),
  host('H2', 'A legal notice before login', 'Some jurisdictions require it before monitoring evidence can be used.',
    () => enforced(`legal notice before login (/etc/issue and ${HOST_HARDENING.bannerFile} as the sshd Banner)`)),
  host('H3', 'Kernel modules no server needs cannot be loaded', 'Rare network protocols and USB storage are attack surface without use on EC2.',
    () => enforced(`modules that cannot be loaded: ${HOST_HARDENING.refusedModules.join(', ')}`)),
  host('H4', 'No core dumps from sessions', 'Core files can hold secrets from memory.',
    () => enforced('no core dumps from PAM sessions (hard core 0); setuid programs covered by fs.suid_dumpable=0')),
  host('H5', 'Private file defaults and stronger password hashing', 'New files are not world-readable; password hashes take longer to crack.',
    () => enforced(`login.defs UMASK ${HOST_HARDENING.umask}, SHA_CRYPT rounds ${HOST_HARDENING.shaCryptRounds.SHA_CRYPT_MIN_ROUNDS}–${HOST_HARDENING.shaCryptRounds.SHA_CRYPT_MAX_ROUNDS}`)),
  host('H6', 'An audit trail of sensitive changes', 'Who changed accounts, sudoers or sshd, loaded a module or stepped the clock is recorded.',
    () => enforced(`auditd with rules for accounts, privileges, sshd, kernel modules and clock steps (${HOST_HARDENING.auditRulesFile})`)),
  host('H7', 'Services restarted after library updates', 'A patched library protects nothing until the services using it restart.',
    () => enforced('needrestart restarts services that run outdated libraries after unattended upgrades')),];
