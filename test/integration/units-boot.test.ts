/**
 * Unit proofs: `npm run verify:units` boots the library's unit files (not whole hosts) in Debian 12
 * and Debian 13 VMs and, from inside each running unit, as its user, tries the instance metadata
 * service; it runs a worker's unit with examples/app's worker mode (READY, the watchdog). One
 * describe per release; each check is one test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool, run } from '../helpers/tools';

interface UnitsResult {
  done: boolean;
  checks: Array<{ boot: number; name: string; ok: boolean; detail: string }>;
}

describe.each(['bookworm', 'trixie'])('unit proof on Debian %s', (suite) => {
  let result: UnitsResult;
  const failed = (name: string) => {
    const matching = result.checks.filter((c) => c.name === name);
    expect(matching.length, `no check named ${name}`).toBe(1);
    return matching.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
  };

  beforeAll(() => {
    for (const t of ['qemu-system-x86_64', 'qemu-img', 'mmdebstrap', 'cloud-localds', 'socat']) requireTool(t);
    const r = run('npx', ['tsx', path.resolve(__dirname, '../../scripts/verify-units.ts'), suite], { timeoutMs: 1_500_000, cwd: path.resolve(__dirname, '../..') });
    console.log(r.stdout.split('\n').filter((l) => /^(PASS|FAIL|time to|units on)/.test(l)).join('\n'));
    const file = /result: (\S+)/.exec(r.stdout)?.[1];
    if (!file || !fs.existsSync(file)) throw new Error(`verify:units produced no result (exit ${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
    result = JSON.parse(fs.readFileSync(file, 'utf8'));
  });

  it('runs to the end with the units active', () => {
    expect(result.done).toBe(true);
    expect(failed('units-active')).toEqual([]);
  });
  it('the Go service behind the fence gets no token from the metadata service; one with allowInstanceMetadataAccess does', () => {
    expect([...failed('go-service-behind-fence'), ...failed('go-service-opted-in-gets-a-token')]).toEqual([]);
  });
  it("the drop-in on a package's unit fences every user of it; root outside the units keeps access", () => {
    expect([...failed('package-unit-drop-in-fences-every-user'), ...failed('root-keeps-access')]).toEqual([]);
  });
  it("first boot's fence step passes here, and fails for an unfenced unit or a probe without the deny", () => {
    expect([...failed('first-boot-fence-step-passes'), ...failed('fence-probe-fails-without-deny'), ...failed('fence-step-fails-on-an-unfenced-unit')]).toEqual([]);
  });
  it("a worker: first boot's wait passes on READY, the unit is notify and active, its metrics answer on their port", () => {
    expect([...failed('worker-first-boot-waits-for-ready'), ...failed('worker-is-notify-and-active'), ...failed('worker-metrics-on-their-port')]).toEqual([]);
  });
  it('a hung worker is aborted by the watchdog and restarted; a stop lets it finish cleanly', () => {
    expect([...failed('worker-watchdog-restarts-a-hung-worker'), ...failed('worker-stops-cleanly')]).toEqual([]);
  });
  it("a worker that never says READY fails its start and first boot's wait", () => {
    expect([...failed('worker-without-ready-fails-to-start'), ...failed('worker-without-ready-fails-first-boot')]).toEqual([]);
  });
});
