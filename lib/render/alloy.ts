/**
 * Grafana Alloy configuration syntax (blocks, attributes, expressions) as data, with one printer.
 * Pure: no cdktf imports. Alloy is not packaged by Debian, so its output is tested by structure.
 */
export type AlloyValue =
  | string
  | number
  | boolean
  | { readonly expr: string }
  | readonly AlloyValue[]
  | { readonly [key: string]: AlloyValue };

export interface AlloyBlock {
  readonly name: string;
  readonly label?: string;
  readonly attributes?: ReadonlyArray<readonly [string, AlloyValue]>;
  readonly blocks?: readonly AlloyBlock[];
}

/** A reference to another component's export (printed unquoted). */
export function ref(expr: string): { expr: string } {
  return { expr };
}

function value(v: AlloyValue): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`;
  if ('expr' in (v as object) && typeof (v as { expr: unknown }).expr === 'string') return (v as { expr: string }).expr;
  const entries = Object.entries(v as Record<string, AlloyValue>);
  return `{ ${entries.map(([k, x]) => `${JSON.stringify(k)} = ${value(x)}`).join(', ')} }`;
}

function print(b: AlloyBlock, depth: number, out: string[]): void {
  const pad = '  '.repeat(depth);
  out.push(`${pad}${b.name}${b.label !== undefined ? ` ${JSON.stringify(b.label)}` : ''} {`);
  const attrs = b.attributes ?? [];
  const width = Math.max(0, ...attrs.map(([k]) => k.length));
  for (const [k, v] of attrs) out.push(`${pad}  ${k.padEnd(width)} = ${value(v)}`);
  for (const child of b.blocks ?? []) print(child, depth + 1, out);
  out.push(`${pad}}`);
}

export function renderAlloy(header: readonly string[], blocks: readonly AlloyBlock[]): string {
  const out = header.map((h) => `// ${h}`);
  for (const b of blocks) {
    if (out.length > 0) out.push('');
    print(b, 0, out);
  }
  return out.join('\n') + '\n';
}
