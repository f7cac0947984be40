import { blocks, PolicyResource, PolicyRule } from '../rule';
import { isCidr, opensToInternet, publicAddressCount } from '../../input/validators';

const ADMIN_PORTS: Array<[number, string]> = [[22, 'SSH'], [3389, 'RDP']];

/** One ingress rule as the security group sees it: its group, protocol, ports and source ranges. */
interface Admission {
  readonly group: string;
  readonly protocol: unknown;
  readonly from: unknown;
  readonly to: unknown;
  readonly cidrs: readonly unknown[];
}

/** `${aws_security_group.<name>.id}` and the inline rules of `aws_security_group.<name>` are one group. */
function groupKey(id: unknown, fallback: string): string {
  const m = /^\$\{aws_security_group\.([^.}]+)\.id\}$/.exec(String(id ?? ''));
  return m ? `aws_security_group.${m[1]}` : id === undefined || id === null ? fallback : String(id);
}

function admissions(r: PolicyResource): Admission[] {
  if (r.kind !== 'resource') return [];
  const own = `${r.type}.${r.name}`;
  if (r.type === 'aws_vpc_security_group_ingress_rule') {
    return [{ group: groupKey(r.config.security_group_id, own), protocol: r.config.ip_protocol, from: r.config.from_port, to: r.config.to_port, cidrs: [r.config.cidr_ipv4, r.config.cidr_ipv6].filter((c) => c !== undefined && c !== null) }];
  }
  if (r.type === 'aws_security_group_rule' && r.config.type === 'ingress') {
    return [{ group: groupKey(r.config.security_group_id, own), protocol: r.config.protocol, from: r.config.from_port, to: r.config.to_port, cidrs: [...blocks(r.config.cidr_blocks), ...blocks(r.config.ipv6_cidr_blocks)] }];
  }
  // The VPC's default group takes inline rules the same way.
  if (r.type === 'aws_security_group' || r.type === 'aws_default_security_group') {
    return blocks(r.config.ingress).map((i) => ({ group: `${r.type}.${r.name}`, protocol: i.protocol, from: i.from_port, to: i.to_port, cidrs: [...blocks(i.cidr_blocks), ...blocks(i.ipv6_cidr_blocks)] }));
  }
  return [];
}

/** Whether the rule admits TCP `port`; a protocol or port unknown at synth may. */
function admits(a: Admission, port: number): boolean {
  const p = String(a.protocol);
  if (p === '-1' || p === 'all') return true;
  if (p !== 'tcp' && p !== '6' && !p.includes('${')) return false;
  const lo = Number(a.from);
  const hi = Number(a.to);
  return !(Number.isFinite(lo) && Number.isFinite(hi)) || (lo <= port && port <= hi);
}

/** GP3: no SSH or RDP from the internet, by any kind of rule, however the ranges are split. */
export const NO_ADMIN_PORTS_FROM_WORLD: PolicyRule = {
  id: 'GP3',
  level: 'error',
  title: 'No SSH or RDP from the internet',
  explanation: 'Admin ports open to the world are scanned within minutes and brute-forced for ever; SSM Session Manager needs no open port. ' +
    'A group opens a port to the internet when its rules for it together admit more than a /8 of public IPv4 or a /32 of public IPv6 addresses (private ranges do not count); ' +
    'a range only Terraform knows cannot be judged at synth and is refused unless suppressed with the reason it is safe.',
  fix: 'admit your office or VPN ranges only (literal CIDRs), or use SSM Session Manager',
  check(r, all) {
    const mine = admissions(r);
    if (mine.length === 0) return [];
    const findings: string[] = [];
    for (const [port, name] of ADMIN_PORTS) {
      const cidrs = mine.filter((a) => admits(a, port)).flatMap((a) => a.cidrs.map(String));
      if (cidrs.length === 0) continue;
      const unknown = cidrs.filter((c) => !isCidr(c));
      if (unknown.length > 0) findings.push(`${name} (${port}) from ${unknown.join(', ')}: a range unknown at synth, which may be the internet`);
      const known = cidrs.filter((c) => isCidr(c));
      if (known.length === 0) continue;
      if (opensToInternet(known)) {
        findings.push(`${name} (${port}) from ${known.join(', ')}`);
        continue;
      }
      // The group's other rules for the port count too: two /1 rules are the internet as much as one /0.
      const group = mine[0].group;
      const groupCidrs = all.flatMap(admissions).filter((a) => a.group === group && admits(a, port)).flatMap((a) => a.cidrs.map(String)).filter((c) => isCidr(c));
      if (opensToInternet(groupCidrs)) {
        const n = publicAddressCount(groupCidrs);
        findings.push(`${name} (${port}) from ${known.join(', ')}: with the other rules of ${group}, ${n[4]} public IPv4 and ${n[6]} public IPv6 addresses (the internet)`);
      }
    }
    return findings;
  },
};
