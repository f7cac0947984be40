/** Parsing and deriving resource figures in systemd's and Go's own syntax. Pure. */

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

/** Whole MiB in systemd syntax, rounded down. */
export function systemdMiB(bytes: number): string {
  return `${Math.floor(bytes / MIB)}M`;
}

/** GOMAXPROCS for a CPU quota: whole CPUs, rounded up, at least 1. */
export function gomaxprocsForQuota(percent: number): number {
  return Math.max(1, Math.ceil(percent / 100));
}

/** GOMEMLIMIT in Go's syntax: 90% of MemoryMax leaves the non-heap (stacks, runtime) room below the cgroup limit. */
export function gomemlimitFor(memoryMaxBytes: number): string {
  return `${Math.floor((memoryMaxBytes * 0.9) / MIB)}MiB`;
}

/** MemoryHigh: reclaim pressure starts at 95%, above GOMEMLIMIT so the Go GC acts first. */
export function memoryHighFor(memoryMaxBytes: number): string {
  return systemdMiB(memoryMaxBytes * 0.95);
}
