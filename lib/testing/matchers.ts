/**
 * Matchers for vitest (and Jest): `expect.extend(gohostMatchers)`. Each takes what a test holds —
 * a host's artifacts, a synthesized stack, a host construct — and says in its message what it
 * found instead.
 */
import type { HardenedHostBase } from '../host/hardened-host';
import type { HostArtifacts } from './artifacts';

interface MatcherResult {
  readonly pass: boolean;
  readonly message: () => string;
}

/** A security-group rule's source: a CIDR, or another host's construct path (its security group). */
export interface IngressQuery {
  /** The host admitting the traffic: its path below the stack (`Api`, `FrontDoor/Host`). */
  readonly host: string;
  readonly port: number;
  /** A CIDR (`0.0.0.0/0`) or the path below the stack of the host whose group is admitted. */
  readonly from: string;
  /** @default "tcp" */
  readonly protocol?: 'tcp' | 'udp';
}

const sgKey = (path: string) => `aws_security_group.${path.replace(/\//g, '_')}_SecurityGroup_`;

/** A security group's reference as the construct path (below the stack) of the host it belongs to. */
function groupOwner(synthesized: any, ref: unknown): string {
  const name = /^\$\{aws_security_group\.([A-Za-z0-9_-]+)\.id\}$/.exec(String(ref))?.[1];
  const path: string | undefined = name && synthesized.resource?.aws_security_group?.[name]?.['//']?.metadata?.path;
  if (path) return path.split('/').slice(1).join('/').replace(/\/SecurityGroup$/, '');
  // Without metadata (Testing.synth), the resource name: the path's IDs joined by _ and a hash.
  return name ? name.replace(/_SecurityGroup_[0-9A-F]{8}$/, '').replace(/_/g, '/') : String(ref);
}

function ingressRules(synthesized: any): any[] {
  return Object.values(synthesized.resource?.aws_vpc_security_group_ingress_rule ?? {});
}

export const gohostMatchers = {
  /** `expect(artifacts).toHaveUnit('orders-api.service')`: the host writes this unit (or drop-in). */
  toHaveUnit(received: HostArtifacts, name: string): MatcherResult {
    const pass = name in received.units;
    return { pass, message: () => `expected ${received.host} ${pass ? 'not ' : ''}to write the unit ${name}; it writes ${Object.keys(received.units).join(', ') || 'none'}` };
  },

  /** `expect(synthesized).toAllowIngress({ host: 'Api', port: 9100, from: 'Observability/Monitoring' })`. */
  toAllowIngress(received: any, q: IngressQuery): MatcherResult {
    const protocol = q.protocol ?? 'tcp';
    const own = ingressRules(received).filter((r) => String(r.security_group_id).includes(sgKey(q.host)));
    const pass = own.some((r) => r.ip_protocol === protocol && r.from_port <= q.port && q.port <= r.to_port
      && (r.cidr_ipv4 === q.from || r.cidr_ipv6 === q.from || String(r.referenced_security_group_id ?? '').includes(sgKey(q.from))));
    const seen = own.map((r) => `${r.ip_protocol}/${r.from_port}${r.to_port !== r.from_port ? `-${r.to_port}` : ''} from ${r.cidr_ipv4 ?? r.cidr_ipv6 ?? groupOwner(received, r.referenced_security_group_id)}`);
    return { pass, message: () => `expected ${q.host} ${pass ? 'not ' : ''}to admit ${protocol}/${q.port} from ${q.from}; its rules: ${seen.join('; ') || 'none'}` };
  },

  /** `expect(host).toPassReadiness('G24')`: the checklist item is enforced on this host. */
  toPassReadiness(received: HardenedHostBase, id: string): MatcherResult {
    const row = received.readiness().find((r) => r.id === id);
    const pass = row?.status === 'enforced';
    return { pass, message: () => `expected ${received.node.path} ${pass ? 'not ' : ''}to enforce ${id}; it is ${row ? `${row.status}: ${row.detail}` : 'not in its report'}` };
  },
};

/** The matchers' types for vitest: `declare module 'vitest' { interface Assertion<T> extends GohostMatchers<T> {} }`. */
export interface GohostMatchers<R = unknown> {
  toHaveUnit(name: string): R;
  toAllowIngress(query: IngressQuery): R;
  toPassReadiness(id: string): R;
}
