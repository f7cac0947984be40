/**
 * The production checklist as a registry: one item per ID with its title, why it matters, the
 * construct that owns it, and a pure function from a host's resolved settings to enforced / off /
 * not applicable with the reason. Readiness reports, the README table and docs/checklist.md are
 * generated from it. Pure: no cdktf imports.
 */
import { ReadinessRow, ReadinessStatus } from './rows';

export type ChecklistOwner = 'HardenedHost' | 'HardenedGoHost' | 'NginxFrontDoor' | 'ObservabilityStack';

export interface Assessment {
  readonly status: ReadinessStatus;
  /** How it is enforced, or why it is off / not applicable. */
  readonly detail: string;
}

export interface ChecklistItem<F> {
  readonly id: string;
  readonly title: string;
  /** Why it matters in production, in one or two sentences. */
  readonly why: string;
  readonly owner: ChecklistOwner;
  readonly assess: (facts: F) => Assessment;
}

export const enforced = (detail: string): Assessment => ({ status: 'enforced', detail });
export const off = (detail: string): Assessment => ({ status: 'off', detail });
export const notApplicable = (detail: string): Assessment => ({ status: 'not applicable', detail });

/** Every item assessed against `facts`, as report rows. */
export function assess<F>(items: ReadonlyArray<ChecklistItem<F>>, facts: F): ReadinessRow[] {
  return items.map((item) => ({ id: item.id, ...item.assess(facts) }));
}

/**
 * Items of several features in checklist order: by the letter's first appearance (G, X, R, H),
 * then by number.
 */
export function orderedById<F>(items: ReadonlyArray<ChecklistItem<F>>): Array<ChecklistItem<F>> {
  const letters = [...new Set(items.map((i) => i.id.replace(/\d+$/, '')))];
  const key = (i: ChecklistItem<F>) => [letters.indexOf(i.id.replace(/\d+$/, '')), Number(/\d+$/.exec(i.id)?.[0] ?? 0)];
  return [...items].sort((a, b) => {
    const [la, na] = key(a);
    const [lb, nb] = key(b);
    return la - lb || na - nb;
  });
}
