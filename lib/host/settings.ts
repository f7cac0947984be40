/**
 * The host's settings: every default of the host props (the only place they live; each prop's
 * `@default` says the same), the pure function that checks the props and applies them, and the
 * one that turns them into what the artifacts need. Pure: no cdktf imports.
 */
import type { BaseHostSettings } from './artifacts';
import { checkHostPropTypes, checkHostProps, hostPropNames, HostPropsToCheck } from './checks';
import { checkUnknownProps, PropType } from '../input/validators';
import type { DistroInfo } from './distro';
import type { HostConfigurationProps } from './props';
import { checkProps } from '../input/check';
import { WithDefaults, withDefaults } from '../input/defaults';
import type { PropChecks, PropFailure } from '../input/prop-checks';
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

/** Defaults of HardenedHostGroup's own props (maxCapacity and desiredCapacity default to minCapacity). */
export const HOST_GROUP_DEFAULTS = {
  minCapacity: 1,
  readyTimeoutSec: 900,
  /** Seconds between an instance saying it is ready and its metrics counting (it is healthy by then). */
  instanceWarmupSec: 30,
  /** Seconds after an instance is in service for a load balancer to find it healthy (two 10 s checks and a margin). */
  loadBalancerGraceSec: 60,
  /** Name of the launch lifecycle hook a new instance completes itself. */
  launchHookName: 'gohost-ready',
} as const;

/** A host's props with HOST_DEFAULTS applied: what the construct, the checks and the artifacts read. */
export type HostSettings<P extends HostConfigurationProps = HostConfigurationProps> = WithDefaults<P, typeof HOST_DEFAULTS>;

/** What a host's checks depend on beyond its props: the kind of host around them. */
export interface HostCheckContext<P extends HostConfigurationProps> {
  readonly isToken: (v: unknown) => boolean;
  /** Types of the subclass's own props, checked with the host's. */
  readonly propTypes: Readonly<Record<string, PropType>>;
  /** The subclass's required props. */
  readonly requiredProps: readonly string[];
  /** Stand-ins for required props that failed, so the rest of the stack is still checked. */
  readonly placeholders: Partial<P>;
  /** Ports the host's own services listen on (checked against the ephemeral range). */
  readonly listenPorts: (props: HostSettings<P>) => ReadonlyMap<number, string>;
  /** Checks of the subclass's own props, reported together with the host's. */
  readonly checkProps?: (props: HostSettings<P>, checks: PropChecks, warnings: string[]) => void;
  /** Every prop the construct takes: any other key is reported. @default - the host's and propTypes' */
  readonly propNames?: readonly string[];
}

/**
 * Checks the props (types first, then values with every default applied) and applies the
 * defaults; props that failed are left out (required ones replaced by their placeholder).
 */
export function resolveHostSettings<P extends HostConfigurationProps>(
  rawProps: P,
  c: HostCheckContext<P>,
): { settings: HostSettings<P>; failures: readonly PropFailure[]; warnings: readonly string[] } {
  const checked = checkProps<P>(rawProps, c.placeholders,
    (p, checks) => {
      checkUnknownProps(p, c.propNames ?? hostPropNames(c.propTypes), (prop, value, problem, fix) => checks.fail(prop, value, problem, fix));
      checkHostPropTypes(p, c.propTypes, c.requiredProps, checks);
    },
    (p, checks, warnings) => {
      const s = withDefaults(p, HOST_DEFAULTS);
      c.checkProps?.(s, checks, warnings);
      checkHostProps(s as HostSettings<P> & HostPropsToCheck, c.isToken, c.listenPorts(s), checks, warnings);
    });
  return { settings: withDefaults(checked.props, HOST_DEFAULTS), failures: checked.failures, warnings: checked.warnings };
}

/**
 * A value for text the host renders: references are swapped for placeholders quoted for their
 * destination (`boundary` names it; see lib/private/late-bound).
 */
export type LateBind = (value: string, boundary: 'line' | 'hostName', prop: string) => string;

/** What the host's artifacts need: the settings, the firewall rules and references bound for their destinations. */
export function resolveBaseHostSettings(s: HostSettings, distro: DistroInfo, ufwRules: UfwRule[], bind: LateBind): BaseHostSettings {
  return {
    distro,
    somaxconn: s.somaxconn,
    ephemeralPortRange: [s.ephemeralPortRangeStart, s.ephemeralPortRangeEnd],
    tcpCongestionControl: s.tcpCongestionControl,
    strictOvercommit: s.strictOvercommit,
    sysctlOverrides: Object.fromEntries(Object.entries(s.sysctlOverrides ?? {})
      .map(([k, v]) => [k, typeof v === 'string' ? bind(v, 'line', `sysctlOverrides["${k}"]`) : v])),
    journalSystemMaxUse: s.journalSystemMaxUse,
    ufwRules,
    ntpServers: s.ntpServers.map((server, i) => bind(server, 'hostName', `ntpServers[${i}]`)),
  };
}
