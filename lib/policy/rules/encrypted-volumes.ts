import { blocks, isTrue, PolicyRule } from '../rule';

/** GP2: every EBS volume is encrypted (root, extra, launch-template mappings, standalone). */
export const ENCRYPTED_VOLUMES: PolicyRule = {
  id: 'GP2',
  level: 'error',
  title: 'Encrypted EBS volumes',
  explanation: 'An unencrypted volume or its snapshots can be read by anyone who can copy them; encryption costs nothing measurable.',
  fix: 'set encrypted = true (and kms_key_id for your own key)',
  check(r) {
    if (r.kind !== 'resource') return [];
    if (r.type === 'aws_ebs_volume') return isTrue(r.config.encrypted) ? [] : ['the volume is not encrypted'];
    if (r.type === 'aws_instance') {
      const out: string[] = [];
      if (!isTrue(blocks(r.config.root_block_device)[0]?.encrypted)) out.push('root_block_device is not encrypted');
      blocks(r.config.ebs_block_device).forEach((d, i) => { if (!isTrue(d.encrypted)) out.push(`ebs_block_device[${i}] (${d.device_name}) is not encrypted`); });
      return out;
    }
    if (r.type === 'aws_launch_template') {
      const mappings = blocks(r.config.block_device_mappings).filter((m) => m.ebs !== undefined);
      if (mappings.length === 0) return ['no block_device_mappings: the root volume is the AMI\'s, unencrypted unless the AMI or the account default says otherwise'];
      return mappings.filter((m) => !isTrue(blocks(m.ebs)[0]?.encrypted)).map((m) => `${m.device_name} is not encrypted`);
    }
    return [];
  },
};
