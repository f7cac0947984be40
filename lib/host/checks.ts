/**
 * Validation of every hardened host's props: every failure names the prop, the bad value and the fix.
 * Token-valued inputs (late-bound Terraform references) are skipped. Pure: no cdktf imports.
 */
import type { HostConfigurationProps } from './props';
import { DISTROS, isDistroName } from './distro';
import { INSTANCE_TYPE_NAME, instanceShape } from './instance-types';
import { HOST_PORTS } from '../facts';
import { parseSystemdBytes } from '../input/systemd-values';
import { PropChecks } from '../input/prop-checks';
import {
  AMI_ID_PATTERN, checkPropTypes, requireLiterals, CONTROL_CHARACTER, PropType, coversAnyAddress, HOST_NAME_PATTERN, cidrProblem, isCidr,
} from '../input/validators';


const isInt = (v: number) => Number.isInteger(v);

/** Host props as the checks see them: with HOST_DEFAULTS applied (resolveHostSettings), so no check re-applies a default. */
export type HostPropsToCheck = HostConfigurationProps & { readonly subnetId?: string } & {
  readonly instanceType: string; readonly somaxconn: number; readonly ephemeralPortRangeStart: number; readonly ephemeralPortRangeEnd: number;
  readonly metadataHopLimit: number; readonly rootVolumeSizeGiB: number; readonly ntpServers: readonly string[];
};

/** The types of every host prop (plain JavaScript and JSON users get no compiler check). */
export const HOST_PROP_TYPES: Readonly<Record<string, PropType>> = {
  subnetId: 'string', vpcId: 'string', instanceType: 'string', machineImage: 'object', ignoreAmiChanges: 'boolean',
  adminSshCidrs: 'string[]', allowSshFromAnywhere: 'boolean', keyPairName: 'string', associatePublicIpAddress: 'boolean',
  allowAllOutbound: 'boolean', rootVolumeSizeGiB: 'number', rootVolumeKmsKeyId: 'string', detailedMonitoring: 'boolean',
  metadataHopLimit: 'number', userDataReplaceOnChange: 'boolean', somaxconn: 'number', ephemeralPortRangeStart: 'number',
  ephemeralPortRangeEnd: 'number', tcpCongestionControl: 'string', strictOvercommit: 'boolean', sysctlOverrides: 'Record<string, string | number>',
  journalSystemMaxUse: 'string', ntpServers: 'string[]', autoRecovery: 'boolean', tags: 'Record<string, string>',
  allowSecretsInUserData: 'boolean', stablePrivateAddress: 'boolean',
};

const LITERAL_EXAMPLES: Record<string, string> = {
  instanceType: '"t3.small"', journalSystemMaxUse: '"1G"', tcpCongestionControl: '"bbr"',
};


/**
 * Props every hardened host has (machine, network, SSH, kernel). `extraListenPorts` are the
 * ports the host's own services listen on, checked against the ephemeral port range.
 */
export function checkHostProps(
  props: HostPropsToCheck,
  isToken: (v: unknown) => boolean,
  extraListenPorts: ReadonlyMap<number, string>,
  c: PropChecks,
  warnings: string[],
): void {
  const known = (v: unknown): boolean => v !== undefined && !isToken(v);
  requireLiterals(props, LITERAL_EXAMPLES, ['instanceType', 'somaxconn', 'ephemeralPortRangeStart', 'ephemeralPortRangeEnd', 'metadataHopLimit', 'rootVolumeSizeGiB',
    'journalSystemMaxUse', 'tcpCongestionControl', 'strictOvercommit'], isToken, c);
  // Networking inputs.
  if (known(props.subnetId) && !/^subnet-[0-9a-f]{8,17}$/.test(props.subnetId!)) {
    c.fail('subnetId', props.subnetId, 'is not a subnet ID', 'pass an ID like "subnet-0123456789abcdef0" or a reference to an aws_subnet');
  }
  if (known(props.vpcId) && !/^vpc-[0-9a-f]{8,17}$/.test(props.vpcId!)) {
    c.fail('vpcId', props.vpcId, 'is not a VPC ID', 'pass an ID like "vpc-0123456789abcdef0", or leave it out to look it up from the subnet');
  }

  // Machine.
  const instanceType = props.instanceType;
  if (known(instanceType) && !INSTANCE_TYPE_NAME.test(instanceType)) {
    c.fail('instanceType', instanceType, 'is not an EC2 instance type', 'use a name like "t3.small" or "m7g.large"');
  }
  const image = props.machineImage;
  if (image && !isDistroName(image.distro)) {
    c.fail('machineImage', image.distro, 'is not a supported machine image',
      `use one of ${Object.keys(DISTROS).map((n) => `"${n}"`).join(', ')} (MachineImage.ubuntu2404(), .ubuntu2204(), .debian13(), .debian12())`);
  }
  if (image?.amiId !== undefined && known(image.amiId) && !AMI_ID_PATTERN.test(image.amiId)) {
    c.fail('machineImage', image.amiId, 'is not an AMI ID', 'pass an ID like "ami-0123456789abcdef0"');
  }
  const shape = known(instanceType) ? instanceShape(instanceType) : undefined;
  if (image?.architecture && shape && shape.arch !== image.architecture) {
    c.fail('instanceType', instanceType, `is an ${shape.arch} instance type, but the machine image is built for ${image.architecture}`,
      `pick an ${image.architecture} instance type (${image.architecture === 'arm64' ? 'e.g. "t4g.small"' : 'e.g. "t3.small"'}) or an image for ${shape.arch}`);
  }

  // SSH.
  const cidrs = props.adminSshCidrs ?? [];
  cidrs.forEach((cidr, i) => {
    if (!known(cidr)) return;
    const problem = cidrProblem(cidr);
    if (problem) {
      c.fail(`adminSshCidrs[${i}]`, cidr, problem.problem, problem.fix);
    } else if (coversAnyAddress([cidr]) && !props.allowSshFromAnywhere) {
      c.fail(`adminSshCidrs[${i}]`, cidr, 'opens SSH to the whole internet', 'narrow it to your office or VPN range, use SSM Session Manager, or set allowSshFromAnywhere: true to accept the risk');
    }
  });
  const literal = cidrs.filter((cidr) => known(cidr) && isCidr(cidr));
  if (!props.allowSshFromAnywhere && !literal.some((cidr) => coversAnyAddress([cidr])) && coversAnyAddress(literal)) {
    c.fail('adminSshCidrs', literal, 'together cover the whole internet, which opens SSH to everyone', 'narrow them to your office or VPN ranges, use SSM Session Manager, or set allowSshFromAnywhere: true to accept the risk');
  }
  if (props.allowSshFromAnywhere && cidrs.length === 0) {
    c.fail('allowSshFromAnywhere', true, 'has no effect without adminSshCidrs', 'add "0.0.0.0/0" to adminSshCidrs, or drop allowSshFromAnywhere');
  }
  if (props.keyPairName !== undefined && cidrs.length === 0) {
    warnings.push('keyPairName is set but SSH is closed (no adminSshCidrs); the key is usable only through SSM port forwarding.');
  }

  // Kernel.
  const somaxconn = props.somaxconn;
  if (!isInt(somaxconn) || somaxconn < 128 || somaxconn > 65535) {
    c.fail('somaxconn', somaxconn, 'is outside 128–65535 (Go and nginx clamp listen backlogs to 65535)', 'use a value such as 65535');
  }
  const from = props.ephemeralPortRangeStart;
  const to = props.ephemeralPortRangeEnd;
  if (!isInt(from) || !isInt(to) || from < 1024 || to > 65535 || to - from < 1000) {
    c.fail('ephemeralPortRangeStart', `${from}-${to}`, 'is not a range of at least 1000 ports within 1024–65535', 'use e.g. 10240–65535');
  } else {
    const listening = new Map<number, string>(Object.entries(HOST_PORTS).map(([p, n]) => [Number(p), n]));
    extraListenPorts.forEach((who, port) => listening.set(port, who));
    for (const [port, who] of [...listening.entries()].sort(([a], [b]) => a - b)) {
      if (port >= from && port <= to) {
        c.fail('ephemeralPortRangeStart', `${from}-${to}`, `overlaps port ${port} (${who}); outgoing connections could take it`, `start the range above ${port}, e.g. ${Math.max(10240, port + 1)}`);
      }
    }
  }
  for (const [key, value] of Object.entries(props.sysctlOverrides ?? {})) {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) {
      c.fail(`sysctlOverrides["${key}"]`, value, `is not a whole number sysctl can read (it would be written as ${String(value)})`, 'give a whole number, or the value as a string, e.g. "4096 87380 6291456"');
    }
    if (typeof value === 'string' && !isToken(value) && CONTROL_CHARACTER.test(value)) {
      c.fail(`sysctlOverrides["${key}"]`, value, 'contains a control character: a line break would write another sysctl key', 'give the value on one line, e.g. "4096 87380 6291456"');
    }
    if (key === 'net.ipv4.tcp_tw_recycle') {
      c.fail(`sysctlOverrides["${key}"]`, value, 'was removed in Linux 4.12 and broke clients behind NAT', 'remove it; tcp_tw_reuse (already set) is the safe equivalent');
    }
    if (key === 'net.ipv4.tcp_congestion_control' && value === 'bbr2') {
      c.fail(`sysctlOverrides["${key}"]`, value, 'is not in mainline kernels ("bbr" is the mainline BBR)', 'use "bbr" (tcpCongestionControl) or leave it out');
    }
    if (key === 'vm.overcommit_memory' && String(value) === '2' && !props.strictOvercommit) {
      c.fail(`sysctlOverrides["${key}"]`, value, 'turns on strict overcommit, which makes Go runtime reservations fail', 'leave it out, or set strictOvercommit: true to opt in knowingly');
    }
    if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/.test(key)) {
      c.fail(`sysctlOverrides["${key}"]`, value, 'is not a sysctl key', 'use the dotted name, e.g. "net.core.netdev_max_backlog"');
    }
  }
  if (props.strictOvercommit) {
    warnings.push('strictOvercommit is on: vm.overcommit_memory=2 can make the Go runtime fail with "cannot allocate memory" (GUIDANCE G12).');
  }

  // Instance settings.
  const hop = props.metadataHopLimit;
  if (!isInt(hop) || hop < 1 || hop > 64) c.fail('metadataHopLimit', hop, 'is outside 1–64', 'use 1 (2 only if containers on the host need the metadata service)');
  const volume = props.rootVolumeSizeGiB;
  if (!isInt(volume) || volume < 8 || volume > 16384) c.fail('rootVolumeSizeGiB', volume, 'is outside 8–16384 GiB (the AMIs need 8)', 'use e.g. 20');
  const ntp = props.ntpServers;
  if (ntp.length === 0) c.fail('ntpServers', ntp, 'is empty; TLS and logs need a synchronised clock', 'leave it out to use the Amazon Time Sync Service (169.254.169.123)');
  ntp.forEach((server, i) => {
    if (known(server) && !HOST_NAME_PATTERN.test(server)) {
      c.fail(`ntpServers[${i}]`, server, 'is not a host name or IP address (anything else would become chrony directives)', 'give a name like "time.aws.com" or an address like "169.254.169.123"');
    }
  });
  if (props.journalSystemMaxUse !== undefined && parseSystemdBytes(props.journalSystemMaxUse) === undefined) {
    c.fail('journalSystemMaxUse', props.journalSystemMaxUse, "is not in journald's size syntax", 'write a size like "500M" or "1G"');
  }
}

/**
 * The props of a host and of what a subclass adds: `extraPropTypes` (type-checked with the host's)
 * and `extraNames` (props checked with their value, e.g. a number or a keyword).
 */
export function hostPropNames(extraPropTypes: Readonly<Record<string, PropType>> = {}, extraNames: readonly string[] = []): readonly string[] {
  return [...new Set([...Object.keys(HOST_PROP_TYPES), ...Object.keys(extraPropTypes), ...extraNames])];
}

/** Host props that belong to one instance, not to an Auto Scaling group's. */
const INSTANCE_ONLY_PROPS = ['subnetId', 'userDataReplaceOnChange', 'autoRecovery', 'stablePrivateAddress'];

/** The props of a host placed in a group: the host's (and its subclass's, `hostProps`) and the group's own, none of one instance's. */
export function groupHostPropNames(hostProps: readonly string[], groupProps: readonly string[]): readonly string[] {
  return [...new Set([...hostProps, ...groupProps])].filter((n) => !INSTANCE_ONLY_PROPS.includes(n));
}

/** Wrong types first: the other checks assume them (a number has no .replace). */
export function checkHostPropTypes(props: unknown, extraPropTypes: Readonly<Record<string, PropType>>, required: readonly string[], c: PropChecks): void {
  checkPropTypes(props, { ...HOST_PROP_TYPES, ...extraPropTypes }, required, (prop, value, problem, fix) => c.fail(prop, value, problem, fix));
}
