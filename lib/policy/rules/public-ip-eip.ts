import { isTrue, PolicyRule, references } from '../rule';

/** GP6: an instance with a public IP has an Elastic IP, so its address survives replacement. */
export const PUBLIC_IP_HAS_EIP: PolicyRule = {
  id: 'GP6',
  level: 'warning',
  title: 'A public address that survives replacement',
  explanation: 'An auto-assigned public IP changes whenever the instance is replaced (a release, a new AMI): DNS then points at nothing, or at someone else.',
  fix: 'associate an Elastic IP (NginxFrontDoor does), or put the instance behind a load balancer',
  check(r, all) {
    if (r.kind !== 'resource' || r.type !== 'aws_instance' || !isTrue(r.config.associate_public_ip_address)) return [];
    const eip = all.some((o) => o.kind === 'resource' && (o.type === 'aws_eip_association' || o.type === 'aws_eip') && (references(o.config.instance_id, r) || references(o.config.instance, r)));
    return eip ? [] : ['associate_public_ip_address is true and no Elastic IP is associated'];
  },
};
