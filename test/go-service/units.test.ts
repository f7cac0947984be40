import { describe, expect, it } from 'vitest';
import { instanceShape } from '../../lib/host/instance-types';
import { gomaxprocsForQuota, gomemlimitFor, memoryHighFor } from '../../lib/go-service/units';
import { parseCpuQuotaPercent, parseSystemdBytes } from '../../lib/input/systemd-values';

describe('resource figures', () => {
  it('parses systemd byte sizes in powers of 1024', () => {
    expect(parseSystemdBytes('1536M')).toBe(1536 * 1024 * 1024);
    expect(parseSystemdBytes('2G')).toBe(2 * 1024 ** 3);
    expect(parseSystemdBytes('1.5G')).toBe(1.5 * 1024 ** 3);
  });

  it('rejects sizes systemd would not read as bytes', () => {
    expect(parseSystemdBytes('2GB')).toBeUndefined();
    expect(parseSystemdBytes('75%')).toBeUndefined();
    expect(parseSystemdBytes('0')).toBeUndefined();
  });

  it('parses CPUQuota percentages', () => {
    expect(parseCpuQuotaPercent('150%')).toBe(150);
    expect(parseCpuQuotaPercent('1.5')).toBeUndefined();
  });

  it('derives GOMAXPROCS by rounding the quota up, at least 1', () => {
    expect(gomaxprocsForQuota(150)).toBe(2);
    expect(gomaxprocsForQuota(200)).toBe(2);
    expect(gomaxprocsForQuota(20)).toBe(1);
  });

  it('sets GOMEMLIMIT to 90% of MemoryMax and MemoryHigh to 95%', () => {
    expect(gomemlimitFor(1000 * 1024 * 1024)).toBe('900MiB');
    expect(memoryHighFor(1000 * 1024 * 1024)).toBe('950M');
  });
});

describe('instanceShape', () => {
  it('knows the burstable sizes', () => {
    expect(instanceShape('t3.small')).toEqual({ vcpus: 2, memoryMiB: 2048, arch: 'x86_64' });
  });

  it('derives vCPUs and memory for general-purpose, compute and memory families', () => {
    expect(instanceShape('m7i.2xlarge')).toEqual({ vcpus: 8, memoryMiB: 32768, arch: 'x86_64' });
    expect(instanceShape('c6i.large')).toEqual({ vcpus: 2, memoryMiB: 4096, arch: 'x86_64' });
    expect(instanceShape('r7g.xlarge')).toEqual({ vcpus: 4, memoryMiB: 32768, arch: 'arm64' });
  });

  it('returns nothing for families it does not know', () => {
    expect(instanceShape('p5.48xlarge')).toBeUndefined();
  });
});
