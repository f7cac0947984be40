/** Sizes and shares in systemd's own syntax, as props give them. Pure. */

const MIB = 1024 * 1024;
const SUFFIX: Record<string, number> = { '': 1, K: 1024, M: MIB, G: 1024 * MIB, T: 1024 * 1024 * MIB };

/** systemd's `MemoryMax=` byte syntax (`1536M`, `2G`); percentages and `infinity` are not accepted here. */
export function parseSystemdBytes(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(value.trim());
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * SUFFIX[m[2]]);
  return bytes > 0 ? bytes : undefined;
}

/** `CPUQuota=` percentage (`150%`) as a number. */
export function parseCpuQuotaPercent(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(value.trim());
  if (!m) return undefined;
  const pct = Number(m[1]);
  return pct > 0 ? pct : undefined;
}
