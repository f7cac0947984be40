/** The Go service's resource figures derived in systemd's and Go's own syntax. Pure. */

const MIB = 1024 * 1024;

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
