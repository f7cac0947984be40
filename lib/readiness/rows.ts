/**
 * Readiness report (GUIDANCE R1): one row per checklist ID saying how a host covers it. Pure.
 */
export type ReadinessStatus = 'enforced' | 'off' | 'not applicable';

export interface ReadinessRow {
  readonly id: string;
  readonly status: ReadinessStatus;
  /** How it is enforced, or why it is off / not applicable. */
  readonly detail: string;
}

export interface HostReadiness {
  readonly host: string;
  readonly rows: readonly ReadinessRow[];
}

/** Sorts rows in the checklist's order (G, N, O, X, R, then the host audit H) and by number. */
export function sortRows(rows: readonly ReadinessRow[]): ReadinessRow[] {
  const order = 'GNOXRH';
  return [...rows].sort((a, b) => {
    const la = order.indexOf(a.id[0]);
    const lb = order.indexOf(b.id[0]);
    return la !== lb ? la - lb : Number(a.id.slice(1)) - Number(b.id.slice(1));
  });
}

/** enforced / (enforced + off): "not applicable" rows do not count. */
export function readinessScore(rows: readonly ReadinessRow[]): { enforced: number; applicable: number } {
  const applicable = rows.filter((r) => r.status !== 'not applicable').length;
  return { enforced: rows.filter((r) => r.status === 'enforced').length, applicable };
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderReadinessMarkdown(stack: string, hosts: readonly HostReadiness[]): string {
  const out = [`# Readiness report: ${stack}`, ''];
  for (const h of hosts) {
    const s = readinessScore(h.rows);
    out.push(`## ${h.host}`, '', `Enforced ${s.enforced} of ${s.applicable} applicable items.`, '', '| ID | status | how / why |', '|---|---|---|');
    for (const r of sortRows(h.rows)) out.push(`| ${r.id} | ${r.status} | ${cell(r.detail)} |`);
    out.push('');
  }
  return out.join('\n');
}
