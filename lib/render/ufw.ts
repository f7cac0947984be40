/** UFW commands from port rules. Pure: no cdktf imports. */
/** A port range as UFW needs it (the network model's Port satisfies it). */
export interface UfwPort {
  readonly protocol: 'tcp' | 'udp';
  readonly fromPort: number;
  readonly toPort: number;
}

const includes = (p: UfwPort, port: number) => p.fromPort <= port && port <= p.toPort;

export interface UfwRule {
  readonly port: UfwPort;
  /** Source CIDR. */
  readonly from: string;
  readonly comment: string;
}

/** iptables' multiport match takes at most 15 ports; a range counts as two. */
const MULTIPORT_SLOTS = 15;
const ANY_V4 = '0.0.0.0/0';
const ANY_V6 = '::/0';

function clean(comment: string): string {
  return comment.replace(/[^A-Za-z0-9 ._:/,-]/g, '').slice(0, 200);
}

function portSpec(port: UfwPort): string {
  return port.fromPort === port.toPort ? `${port.fromPort}` : `${port.fromPort}:${port.toPort}`;
}

interface Group {
  readonly protocol: string;
  from: string;
  readonly ports: UfwPort[];
  readonly comments: string[];
}

/** One group per protocol and source, in first-seen order; SSH groups first. */
function groupRules(rules: readonly UfwRule[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of rules) {
    const key = `${r.port.protocol} ${r.from}`;
    const g = groups.get(key) ?? { protocol: r.port.protocol, from: r.from, ports: [], comments: [] };
    groups.set(key, g);
    if (!g.ports.some((p) => p.fromPort === r.port.fromPort && p.toPort === r.port.toPort)) g.ports.push(r.port);
    if (!g.comments.includes(r.comment)) g.comments.push(r.comment);
  }
  // "from any" is one rule in each of ufw's two tables: merge the two "anywhere" groups when they agree.
  const same = (a: Group, b: Group) => a.ports.map(portSpec).join() === b.ports.map(portSpec).join() && a.comments.join() === b.comments.join();
  for (const protocol of ['tcp', 'udp']) {
    const any4 = groups.get(`${protocol} ${ANY_V4}`);
    const any6 = groups.get(`${protocol} ${ANY_V6}`);
    if (any4 && any6 && same(any4, any6)) {
      any4.from = 'any';
      groups.delete(`${protocol} ${ANY_V6}`);
    }
  }
  const merged = [...groups.values()];
  const ssh = merged.filter((g) => g.protocol === 'tcp' && g.ports.some((p) => includes(p, 22)));
  return [...ssh, ...merged.filter((g) => !ssh.includes(g))];
}

/** Splits a group's ports into chunks that fit one multiport match. */
function chunks(ports: readonly UfwPort[]): UfwPort[][] {
  const out: UfwPort[][] = [];
  let current: UfwPort[] = [];
  let used = 0;
  for (const p of ports) {
    const cost = p.fromPort === p.toPort ? 1 : 2;
    if (used + cost > MULTIPORT_SLOTS) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(p);
    used += cost;
  }
  if (current.length) out.push(current);
  return out;
}

/**
 * Default-deny inbound, then one `allow` per protocol and source (its ports in one multiport rule;
 * SSH first, so enabling never cuts an admin session), then `--force enable` (without it ufw
 * prompts and aborts non-interactively). Every ufw call starts Python and probes iptables, so the
 * defaults are written where `ufw default` writes them and rules are merged where ufw allows.
 */
export function renderUfwCommands(rules: readonly UfwRule[]): string[] {
  return [
    `sed -i -e 's|^DEFAULT_INPUT_POLICY=.*|DEFAULT_INPUT_POLICY="DROP"|' -e 's|^DEFAULT_OUTPUT_POLICY=.*|DEFAULT_OUTPUT_POLICY="ACCEPT"|' /etc/default/ufw`,
    ...ufwAllowRules(rules).map((r) => `ufw allow proto ${r.protocol} from ${r.from} to any port ${r.ports} comment '${r.comment}'`),
    'ufw --force enable',
  ];
}

/** The `ufw allow` rules the commands add, in order: what `ufw show added` lists afterwards. */
export function ufwAllowRules(rules: readonly UfwRule[]): Array<{ readonly protocol: string; readonly from: string; readonly ports: string; readonly comment: string }> {
  return groupRules(rules).flatMap((g) => chunks(g.ports).map((ports) => ({
    protocol: g.protocol,
    from: g.from,
    ports: ports.map(portSpec).join(','),
    comment: clean(g.comments.join(', ')),
  })));
}
