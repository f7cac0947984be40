/**
 * nginx configuration as data: generators return ordered nodes, one printer owns quoting,
 * indentation and semicolons (the nginxconfig.io design). Pure: no cdktf imports.
 */

export type NginxNode =
  | { readonly kind: 'directive'; readonly name: string; readonly args: readonly string[] }
  | { readonly kind: 'block'; readonly name: string; readonly args: readonly string[]; readonly children: readonly NginxNode[] }
  | { readonly kind: 'comment'; readonly text: string }
  | { readonly kind: 'blank' };

/** A directive; `undefined`/`false` arguments are dropped so optional flags read naturally. */
export function directive(name: string, ...args: Array<string | number | undefined | false>): NginxNode {
  return { kind: 'directive', name, args: args.filter((a): a is string | number => a !== undefined && a !== false).map(String) };
}

export function block(name: string, args: ReadonlyArray<string | number>, children: ReadonlyArray<NginxNode | undefined | false>): NginxNode {
  return { kind: 'block', name, args: args.map(String), children: children.filter((c): c is NginxNode => !!c) };
}

export function comment(text: string): NginxNode {
  return { kind: 'comment', text };
}

export const blank: NginxNode = { kind: 'blank' };

/** Quotes an argument when nginx would otherwise split or misread it. */
export function nginxArg(arg: string): string {
  if (arg !== '' && /^[^\s;{}"'#\\]+$/.test(arg)) return arg;
  if (!arg.includes("'")) return `'${arg.replace(/\\/g, '\\\\')}'`;
  return `"${arg.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function print(nodes: readonly NginxNode[], depth: number, out: string[]): void {
  const pad = '    '.repeat(depth);
  for (const node of nodes) {
    switch (node.kind) {
      case 'blank':
        out.push('');
        break;
      case 'comment':
        out.push(`${pad}# ${node.text}`);
        break;
      case 'directive':
        out.push(`${pad}${[node.name, ...node.args.map(nginxArg)].join(' ')};`);
        break;
      case 'block':
        out.push(`${pad}${[node.name, ...node.args.map(nginxArg)].join(' ')} {`);
        print(node.children, depth + 1, out);
        out.push(`${pad}}`);
        break;
    }
  }
}

export function renderNginx(nodes: readonly NginxNode[]): string {
  const out: string[] = [];
  print(nodes, 0, out);
  return out.join('\n') + '\n';
}
