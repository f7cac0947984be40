/**
 * The instance metadata fence: a unit that does not call AWS cannot reach the instance metadata
 * service (IMDS), so a compromised process cannot take the instance role's credentials.
 * systemd's `IPAddressDeny=` is a cgroup BPF filter: it holds for every process of the unit,
 * whatever its user, and a process cannot leave its cgroup. The library's own root steps
 * (cloud-init's bootstrap, the certificate units) run outside the fenced units and keep access.
 * Pure: no cdktf imports.
 */
import type { WriteFile } from '../render/cloud-config';
import type { ScriptStep } from '../render/shell';
import { renderSystemdUnit } from '../render/systemd';

/** Where EC2 answers metadata requests: IPv4, and IPv6 on Nitro instances with the IPv6 endpoint. */
export const INSTANCE_METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'] as const;

/** The `IPAddressDeny=` value that fences a unit off the metadata service. */
export const INSTANCE_METADATA_DENY = INSTANCE_METADATA_ADDRESSES.join(' ');

/** A unit's access to the instance metadata service, as the host records it. */
export type MetadataAccess =
  | { readonly access: 'denied'; readonly inUnit: boolean }
  | { readonly access: 'allowed'; readonly why: string };

/** The drop-in that fences a unit the library does not write itself (a distribution package's). */
export function metadataFenceDropIn(unit: string): WriteFile {
  return {
    path: `/etc/systemd/system/${unit}.d/40-gohost-no-instance-metadata.conf`,
    permissions: '0644',
    content: renderSystemdUnit({
      header: [`${unit} never calls AWS: it cannot reach the instance metadata service, so it cannot take the instance role (cdktf-gohost).`],
      service: { IPAddressDeny: INSTANCE_METADATA_DENY },
    }),
  };
}

/** A oneshot unit behind the fence that fails if it can connect to the metadata service. */
export const METADATA_FENCE_PROBE = 'gohost-instance-metadata-fence.service';

/**
 * The probe: systemd ignores `IPAddressDeny=` on a kernel without cgroup BPF, with no more than
 * a log line, so first boot proves the fence holds here before the host counts as provisioned.
 */
export function metadataFenceProbe(): WriteFile {
  const [ipv4] = INSTANCE_METADATA_ADDRESSES;
  return {
    path: `/etc/systemd/system/${METADATA_FENCE_PROBE}`,
    permissions: '0644',
    content: renderSystemdUnit({
      header: ['Fails if a unit behind the instance metadata fence can still connect to the metadata service (cdktf-gohost).'],
      unit: { Description: 'Check that IPAddressDeny= keeps units off the instance metadata service' },
      service: {
        Type: 'oneshot',
        IPAddressDeny: INSTANCE_METADATA_DENY,
        // Any HTTP answer (curl exits 0 whatever the status) means the connection was made.
        ExecStart: [`/bin/sh -c "! curl -s -o /dev/null --connect-timeout 3 --max-time 5 http://${ipv4}/"`],
      },
    }),
  };
}

/** First boot checks the fence: every fenced unit carries the deny, and this kernel enforces it. */
export function metadataFenceStep(units: readonly string[]): ScriptStep {
  const [ipv4] = INSTANCE_METADATA_ADDRESSES;
  return {
    name: 'instance metadata fenced off the units that do not call AWS',
    lines: [
      `fenced_units=(${units.join(' ')})`,
      'for unit in "${fenced_units[@]}"; do',
      '  deny=$(systemctl show -p IPAddressDeny --value "$unit")',
      `  if [[ " $deny " != *" ${ipv4}/32 "* ]]; then log "$unit can reach the instance metadata service (IPAddressDeny=$deny)"; exit 1; fi`,
      'done',
      `if ! systemctl start ${METADATA_FENCE_PROBE}; then`,
      '  log "this kernel does not enforce IPAddressDeny= (no cgroup BPF): the instance metadata fence would not hold"',
      '  exit 1',
      'fi',
    ],
  };
}
