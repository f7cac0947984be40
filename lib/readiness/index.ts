/** The whole checklist, in report order. Pure. */
import { ChecklistItem } from './checklist';
import { FRONT_DOOR_ITEMS } from '../front-door/readiness';
import { GO_HOST_ITEMS } from '../go-service/readiness';
import { OBSERVABILITY_ITEMS } from '../observability/readiness';

export const CHECKLIST: ReadonlyArray<ChecklistItem<never>> = [
  ...GO_HOST_ITEMS.filter((i) => i.id.startsWith('G')),
  ...FRONT_DOOR_ITEMS,
  ...OBSERVABILITY_ITEMS,
  ...GO_HOST_ITEMS.filter((i) => !i.id.startsWith('G')),
] as ReadonlyArray<ChecklistItem<never>>;

/** The checklist as Markdown (docs/checklist.md and the README table are this text). */
export function renderChecklistMarkdown(): string {
  const cell = (t: string) => t.replace(/\|/g, '\\|');
  return [
    '| ID | item | why | owner |',
    '|---|---|---|---|',
    ...CHECKLIST.map((i) => `| ${i.id} | ${cell(i.title)} | ${cell(i.why)} | \`${i.owner}\` |`),
  ].join('\n') + '\n';
}
