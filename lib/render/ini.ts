/**
 * One printer for the `[Section]` + `Key=Value` family of files (systemd units and drop-ins,
 * journald.conf, …). Pure: imports nothing from CDK for Terraform.
 */

/** A directive value: a list repeats the key once per element (systemd accumulates repeated keys). */
export type IniValue = string | number | boolean | readonly string[];

export interface IniSection {
  readonly name: string;
  /** Directives in the order they are printed. `undefined` values are left out. */
  readonly entries: ReadonlyArray<readonly [string, IniValue | undefined]>;
}

export interface IniFile {
  /** Comment lines printed first, each prefixed with `# `. */
  readonly header?: readonly string[];
  readonly sections: readonly IniSection[];
}

function scalar(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
}

export function renderIni(file: IniFile): string {
  const out: string[] = [];
  for (const line of file.header ?? []) out.push(line === '' ? '#' : `# ${line}`);
  for (const section of file.sections) {
    const lines: string[] = [];
    for (const [key, value] of section.entries) {
      if (value === undefined) continue;
      if (Array.isArray(value)) {
        for (const v of value as readonly string[]) lines.push(`${key}=${v}`);
      } else {
        lines.push(`${key}=${scalar(value as string | number | boolean)}`);
      }
    }
    if (lines.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(`[${section.name}]`, ...lines);
  }
  return out.join('\n') + '\n';
}
