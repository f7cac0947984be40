/**
 * Typed systemd unit model and its printer. Directive names are systemd's own, so a typo is a
 * compile error instead of a key systemd silently ignores. Pure: imports nothing from cdktf.
 */
import { IniValue, renderIni } from './ini';
import { GoHostError } from '../errors';

export interface UnitSection {
  readonly Description?: string;
  readonly Documentation?: readonly string[];
  readonly Wants?: readonly string[];
  readonly Requires?: readonly string[];
  readonly After?: readonly string[];
  readonly Before?: readonly string[];
  readonly ConditionPathExists?: readonly string[];
  // StartLimit* belong in [Unit]; systemd ignores them in [Service] ("Unknown key").
  readonly StartLimitIntervalSec?: number;
  readonly StartLimitBurst?: number;
}

export interface ServiceSection {
  readonly Type?: 'simple' | 'exec' | 'notify' | 'oneshot' | 'forking';
  readonly RemainAfterExit?: boolean;
  readonly NotifyAccess?: 'main' | 'all' | 'none';
  readonly User?: string;
  readonly Group?: string;
  readonly WorkingDirectory?: string;
  readonly Environment?: readonly string[];
  /** `ID:PATH`: systemd copies the file into the unit's credentials directory ($CREDENTIALS_DIRECTORY, %d), readable by the unit alone. */
  readonly LoadCredential?: readonly string[];
  readonly EnvironmentFile?: readonly string[];
  readonly ExecStartPre?: readonly string[];
  readonly ExecStart?: readonly string[];
  readonly ExecReload?: readonly string[];
  readonly Restart?: 'no' | 'on-failure' | 'on-abnormal' | 'always';
  readonly RestartSec?: number;
  readonly TimeoutStartSec?: number;
  readonly TimeoutStopSec?: number;
  readonly WatchdogSec?: number;
  readonly KillSignal?: string;
  readonly KillMode?: 'control-group' | 'mixed' | 'process';
  readonly OOMScoreAdjust?: number;
  readonly CPUAccounting?: boolean;
  readonly MemoryAccounting?: boolean;
  readonly TasksAccounting?: boolean;
  readonly CPUQuota?: string;
  readonly MemoryHigh?: string;
  readonly MemoryMax?: string;
  readonly MemorySwapMax?: string;
  readonly TasksMax?: number;
  readonly LimitNOFILE?: number | string;
  readonly StandardOutput?: string;
  readonly StandardError?: string;
  readonly SyslogIdentifier?: string;
  readonly StateDirectory?: string;
  readonly StateDirectoryMode?: string;
  readonly RuntimeDirectory?: string;
  readonly UMask?: string;
  readonly NoNewPrivileges?: boolean;
  readonly CapabilityBoundingSet?: string;
  readonly AmbientCapabilities?: string;
  readonly ProtectSystem?: 'strict' | 'full' | boolean;
  readonly ProtectHome?: boolean | 'read-only' | 'tmpfs';
  readonly ReadWritePaths?: readonly string[];
  readonly PrivateTmp?: boolean;
  readonly PrivateDevices?: boolean;
  readonly ProtectProc?: 'invisible' | 'noaccess' | 'ptraceable' | 'default';
  readonly ProtectKernelTunables?: boolean;
  readonly ProtectKernelModules?: boolean;
  readonly ProtectKernelLogs?: boolean;
  readonly ProtectControlGroups?: boolean;
  readonly ProtectClock?: boolean;
  readonly ProtectHostname?: boolean;
  readonly RestrictNamespaces?: boolean;
  readonly RestrictAddressFamilies?: string;
  /** Addresses the unit's processes cannot exchange packets with (a cgroup BPF filter). */
  readonly IPAddressDeny?: string;
  readonly RestrictRealtime?: boolean;
  readonly RestrictSUIDSGID?: boolean;
  readonly LockPersonality?: boolean;
  readonly MemoryDenyWriteExecute?: boolean;
  readonly RemoveIPC?: boolean;
  readonly SystemCallArchitectures?: string;
  readonly SystemCallFilter?: readonly string[];
  readonly SystemCallErrorNumber?: string;
}

export interface TimerSection {
  readonly OnCalendar?: string;
  readonly OnBootSec?: string;
  readonly OnUnitActiveSec?: string;
  readonly RandomizedDelaySec?: string;
  readonly Persistent?: boolean;
}

export interface InstallSection {
  readonly WantedBy?: readonly string[];
}

export interface SystemdUnit {
  /** Comment lines at the top of the file. */
  readonly header?: readonly string[];
  readonly unit?: UnitSection;
  readonly service?: ServiceSection;
  readonly timer?: TimerSection;
  readonly install?: InstallSection;
}

function entries<T extends object>(section: T | undefined): Array<[string, IniValue | undefined]> {
  return Object.entries(section ?? {}) as Array<[string, IniValue | undefined]>;
}

/** Renders a unit or a drop-in; directives print in the order the model object lists them. */
export function renderSystemdUnit(unit: SystemdUnit): string {
  return renderIni({
    header: unit.header,
    sections: [
      { name: 'Unit', entries: entries(unit.unit) },
      { name: 'Service', entries: entries(unit.service) },
      { name: 'Timer', entries: entries(unit.timer) },
      { name: 'Install', entries: entries(unit.install) },
    ],
  });
}

/** A timer that starts its service once a day, spread over an hour, catching up after downtime. */
export function dailyTimer(description: string): string {
  return renderSystemdUnit({
    unit: { Description: description },
    timer: { OnCalendar: 'daily', RandomizedDelaySec: '1h', Persistent: true },
    install: { WantedBy: ['timers.target'] },
  });
}

/**
 * Quotes one `Environment=` assignment. systemd splits on whitespace and treats `%` as a
 * specifier, so values with spaces, quotes or `%` are wrapped and escaped.
 */
export function environmentAssignment(name: string, value: string): string {
  assertNoControlCharacters(value, `the value of ${name}`);
  const escaped = value.replace(/%/g, '%%');
  // `@` marks a value filled in later (escaped for this position by Terraform): always quoted.
  if (/^[^\s"'\\@]*$/.test(escaped)) return `${name}=${escaped}`;
  return `"${name}=${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/**
 * systemd ends a line at NUL, CR or LF, so a control character in a value could start a new
 * directive (`User=root`). Props are refused at synth; this is the printer's last line of defence.
 */
export function assertNoControlCharacters(value: string, what: string): void {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new GoHostError(`${what} contains a control character, which systemd cannot carry`);
}
