/**
 * vCPUs and memory for the common EC2 families, so limits can default to a share of the machine.
 * Families outside this table need explicit `memoryMax` and `cpuQuota`. Pure.
 */
export interface InstanceShape {
  readonly vcpus: number;
  readonly memoryMiB: number;
  readonly arch: 'x86_64' | 'arm64';
}

const GIB = 1024;
const BURSTABLE: Record<string, [number, number]> = {
  nano: [2, 0.5], micro: [2, 1], small: [2, 2], medium: [2, 4], large: [2, 8], xlarge: [4, 16], '2xlarge': [8, 32],
};
// GiB of memory per vCPU for the general-purpose, compute and memory families.
const RATIO: Record<string, number> = { m: 4, c: 2, r: 8 };

/** Any EC2 instance type name, including u-6tb1.112xlarge and r7iz.metal-16xl. */
export const INSTANCE_TYPE_NAME = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

/** The families whose shape is derived here: class, generation, attributes, size. */
const INSTANCE_TYPE_PATTERN = /^([a-z]+)(\d+)([a-z-]*)\.([a-z0-9]+)$/;

export function instanceShape(instanceType: string): InstanceShape | undefined {
  const m = INSTANCE_TYPE_PATTERN.exec(instanceType);
  if (!m) return undefined;
  const [, cls, gen, attrs, size] = m;
  const arch = attrs.includes('g') ? 'arm64' : 'x86_64';
  if (cls === 't' && Number(gen) >= 3) {
    const s = BURSTABLE[size];
    return s ? { vcpus: s[0], memoryMiB: s[1] * GIB, arch } : undefined;
  }
  const ratio = RATIO[cls];
  if (!ratio) return undefined;
  let vcpus: number | undefined;
  if (size === 'medium') vcpus = 1;
  else if (size === 'large') vcpus = 2;
  else if (size === 'xlarge') vcpus = 4;
  else {
    const n = /^(\d+)xlarge$/.exec(size);
    if (n) vcpus = 4 * Number(n[1]);
  }
  return vcpus ? { vcpus, memoryMiB: vcpus * ratio * GIB, arch } : undefined;
}
