/** Small printers for line-oriented configuration files. Pure: no cdktf imports. */

/** `# ` comment lines, blank comment lines as `#`. */
export function commentLines(lines: readonly string[]): string[] {
  return lines.map((l) => (l === '' ? '#' : `# ${l}`));
}

export interface SysctlEntry {
  readonly key: string;
  readonly value: string | number;
  /** One line on why, printed above the key. */
  readonly why?: string;
}

/** A sysctl.d file: `key = value`, each preceded by its reason. */
export function renderSysctl(header: readonly string[], entries: readonly SysctlEntry[]): string {
  const out = commentLines(header);
  for (const e of entries) {
    if (e.why) out.push(`# ${e.why}`);
    out.push(`${e.key} = ${e.value}`);
  }
  return out.join('\n') + '\n';
}

/** `Keyword value` files (sshd_config drop-ins, chrony.conf). */
export function renderKeywordFile(
  header: readonly string[],
  entries: ReadonlyArray<readonly [string, string | number]>,
): string {
  return [...commentLines(header), ...entries.map(([k, v]) => `${k} ${v}`)].join('\n') + '\n';
}

export interface LimitEntry {
  readonly domain: string;
  readonly type: 'soft' | 'hard' | '-';
  readonly item: string;
  readonly value: string | number;
}

/** /etc/security/limits.d/*.conf */
export function renderLimits(header: readonly string[], entries: readonly LimitEntry[]): string {
  return (
    [...commentLines(header), ...entries.map((e) => `${e.domain} ${e.type} ${e.item} ${e.value}`)].join('\n') +
    '\n'
  );
}

/** APT configuration: `Name "value";` */
export function renderAptConf(header: readonly string[], entries: ReadonlyArray<readonly [string, string]>): string {
  return [...commentLines(header), ...entries.map(([k, v]) => `${k} "${v}";`)].join('\n') + '\n';
}
