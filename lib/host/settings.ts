/**
 * The host's settings: every default of the host props (the only place they live; each prop's
 * `@default` says the same) and the pure function that applies them. Pure: no cdktf imports.
 */
import type { BaseHostSettings } from './artifacts';
import type { DistroInfo } from './distro';
import type { HostConfigurationProps } from './props';
import type { UfwRule } from '../render/ufw';

export const HOST_DEFAULTS = {
  instanceType: 't3.small',
  ignoreAmiChanges: true,
  allowSshFromAnywhere: false,
  allowAllOutbound: false,
  rootVolumeSizeGiB: 20,
  detailedMonitoring: true,
  metadataHopLimit: 1,
  somaxconn: 65535,
  ephemeralPortRangeStart: 10240,
  ephemeralPortRangeEnd: 65535,
  tcpCongestionControl: 'bbr',
  strictOvercommit: false,
  journalSystemMaxUse: '1G',
  ntpServers: ['169.254.169.123'],
  userDataReplaceOnChange: true,
  allowSecretsInUserData: true,
  associatePublicIpAddress: false,
  autoRecovery: true,
  stablePrivateAddress: false,
} as const;

/**
 * A value for text the host renders: references are swapped for placeholders quoted for their
 * destination (`boundary` names it; see lib/private/late-bound).
 */
export type LateBind = (value: string, boundary: 'line' | 'hostName', prop: string) => string;

/** The host-level settings with every default applied. */
export function resolveBaseHostSettings(p: HostConfigurationProps, distro: DistroInfo, ufwRules: UfwRule[], bind: LateBind): BaseHostSettings {
  const d = HOST_DEFAULTS;
  return {
    distro,
    somaxconn: p.somaxconn ?? d.somaxconn,
    ephemeralPortRange: [p.ephemeralPortRangeStart ?? d.ephemeralPortRangeStart, p.ephemeralPortRangeEnd ?? d.ephemeralPortRangeEnd],
    tcpCongestionControl: p.tcpCongestionControl ?? d.tcpCongestionControl,
    strictOvercommit: p.strictOvercommit ?? d.strictOvercommit,
    sysctlOverrides: Object.fromEntries(Object.entries(p.sysctlOverrides ?? {})
      .map(([k, v]) => [k, typeof v === 'string' ? bind(v, 'line', `sysctlOverrides["${k}"]`) : v])),
    journalSystemMaxUse: p.journalSystemMaxUse ?? d.journalSystemMaxUse,
    ufwRules,
    ntpServers: (p.ntpServers ?? [...d.ntpServers]).map((server, i) => bind(server, 'hostName', `ntpServers[${i}]`)),
  };
}
