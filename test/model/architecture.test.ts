/**
 * The layer rules of lib/: no import cycle anywhere (type imports count: a cycle of types is still
 * two features that cannot be read apart), the printers in lib/render import nothing from cdktf
 * or from features, lib/host nothing from lib/go-service, and cdktf and the providers are imported through lib/private only.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const LIB = path.join(__dirname, '..', '..', 'lib');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

/** Module specifiers a file imports or re-exports (static imports only). */
function specifiers(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms)].map((m) => m[1]);
}

function resolveLocal(from: string, spec: string): string | undefined {
  const target = path.resolve(path.dirname(from), spec);
  return [`${target}.ts`, path.join(target, 'index.ts')].find((f) => fs.existsSync(f));
}

const files = sources(LIB);
const rel = (f: string) => path.relative(LIB, f);
const graph = new Map(files.map((f) => [f, specifiers(f).filter((s) => s.startsWith('.')).map((s) => resolveLocal(f, s)).filter((t): t is string => !!t)]));

/** Strongly connected components with more than one file (Tarjan). */
function cycles(): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(rel(w));
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const f of files) if (!idx.has(f)) visit(f);
  return found;
}

describe('layer rules of lib/', () => {
  it('finds the imports it checks (the test reads real files)', () => {
    expect(files.length).toBeGreaterThan(40);
    expect(graph.get(path.join(LIB, 'host', 'settings.ts'))!.map(rel)).toContain(path.join('host', 'checks.ts'));
  });

  it('has no import cycle', () => {
    expect(cycles()).toEqual([]);
  });

  it('the cycle finder finds a cycle when there is one', () => {
    const a = path.join(LIB, 'host', 'checks.ts');
    const b = path.join(LIB, 'host', 'hardened-host.ts');
    const saved = graph.get(a)!;
    graph.set(a, [...saved, b]);
    try {
      expect(cycles().some((c) => c.includes(rel(a)) && c.includes(rel(b)))).toBe(true);
    } finally {
      graph.set(a, saved);
    }
  });

  it('lib/render imports nothing from cdktf, constructs, providers or features', () => {
    for (const f of files.filter((x) => rel(x).startsWith(`render${path.sep}`))) {
      for (const spec of specifiers(f)) {
        if (!spec.startsWith('.')) {
          expect(['yaml', 'node:zlib', 'node:crypto'], `${rel(f)} imports ${spec}`).toContain(spec);
          continue;
        }
        const target = rel(resolveLocal(f, spec)!);
        expect(target.startsWith(`render${path.sep}`) || target === 'errors.ts', `${rel(f)} imports ${target}`).toBe(true);
      }
    }
  });

  // The host is the lower layer: a Go service is placed on it, never the other way round.
  it('lib/host imports nothing from lib/go-service', () => {
    const offending = files.filter((f) => rel(f).startsWith(`host${path.sep}`))
      .flatMap((f) => graph.get(f)!.filter((t) => rel(t).startsWith(`go-service${path.sep}`)).map((t) => `${rel(f)} → ${rel(t)}`));
    expect(offending).toEqual([]);
  });

  it('cdktf is imported by lib/private/cdktf.ts only, the providers by lib/private/aws.ts and cloudinit.ts only', () => {
    for (const f of files) {
      for (const spec of specifiers(f)) {
        if (spec === 'cdktf' || spec.startsWith('cdktf/')) expect(rel(f)).toBe(path.join('private', 'cdktf.ts'));
        if (spec.startsWith('@cdktf/provider-')) expect([path.join('private', 'aws.ts'), path.join('private', 'cloudinit.ts')]).toContain(rel(f));
      }
    }
  });
});
