import { blocks, PolicyRule } from '../rule';

const WORLD = ['0.0.0.0/0', '::/0'];
const ADMIN_PORTS: Array<[number, string]> = [[22, 'SSH'], [3389, 'RDP']];

function open(protocol: unknown, from: unknown, to: unknown): string[] {
  const p = String(protocol);
  if (p !== 'tcp' && p !== '6' && p !== '-1' && p !== 'all') return [];
  const lo = p === '-1' || p === 'all' ? 0 : Number(from);
  const hi = p === '-1' || p === 'all' ? 65535 : Number(to);
  return ADMIN_PORTS.filter(([port]) => lo <= port && port <= hi).map(([port, name]) => `${name} (${port})`);
}

/** GP3: no SSH or RDP from the whole internet, by any kind of rule. */
export const NO_ADMIN_PORTS_FROM_WORLD: PolicyRule = {
  id: 'GP3',
  level: 'error',
  title: 'No SSH or RDP from the internet',
  explanation: 'Admin ports open to the world are scanned within minutes and brute-forced for ever; SSM Session Manager needs no open port.',
  fix: 'admit your office or VPN ranges only, or use SSM Session Manager',
  check(r) {
    if (r.kind !== 'resource') return [];
    const findings = (protocol: unknown, from: unknown, to: unknown, cidrs: unknown[]) =>
      cidrs.some((c) => WORLD.includes(String(c))) ? open(protocol, from, to).map((p) => `${p} from ${cidrs.filter((c) => WORLD.includes(String(c))).join(', ')}`) : [];
    if (r.type === 'aws_vpc_security_group_ingress_rule') return findings(r.config.ip_protocol, r.config.from_port, r.config.to_port, [r.config.cidr_ipv4, r.config.cidr_ipv6]);
    if (r.type === 'aws_security_group_rule' && r.config.type === 'ingress') {
      return findings(r.config.protocol, r.config.from_port, r.config.to_port, [...blocks(r.config.cidr_blocks), ...blocks(r.config.ipv6_cidr_blocks)]);
    }
    if (r.type === 'aws_security_group') {
      return blocks(r.config.ingress).flatMap((i) => findings(i.protocol, i.from_port, i.to_port, [...blocks(i.cidr_blocks), ...blocks(i.ipv6_cidr_blocks)]));
    }
    return [];
  },
};
