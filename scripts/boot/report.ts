/**
 * Reads what the guest printed on its serial console (GOHOST-* lines from guest-checks.sh) and
 * renders verify:boot's report. Pure: no processes, no files.
 */

export const MARKERS = ['GOHOST-HEALTHY 1', 'GOHOST-REBOOT', 'GOHOST-HEALTHY 2', 'GOHOST-DONE'] as const;
export type Marker = (typeof MARKERS)[number];

export interface Check {
  readonly boot: number;
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface ConsoleReading {
  readonly checks: Check[];
  /** The five slowest cloud-init modules of the first boot, slowest first. */
  readonly stages: Array<{ stage: string; sec: number }>;
  /** The guest's cloud-init logs, sent only when a check failed. */
  readonly cloudInitLog: string[];
}

export function readConsole(text: string): ConsoleReading {
  const lines = text.split(/\r?\n/);
  return {
    checks: [...text.matchAll(/GOHOST-CHECK (\d) (\S+) (PASS|FAIL)(.*)/g)].map((m) => ({ boot: Number(m[1]), name: m[2], ok: m[3] === 'PASS', detail: m[4].trim() })),
    stages: [...text.matchAll(/GOHOST-STAGE ([0-9.]+) (\S+)/g)]
      .map((m) => ({ stage: m[2], sec: Number(m[1]) }))
      .sort((a, b) => b.sec - a.sec)
      .slice(0, 5),
    cloudInitLog: lines.filter((l) => l.startsWith('GOHOST-LOG ')).map((l) => l.slice('GOHOST-LOG '.length)),
  };
}

export interface ReportInput {
  readonly title: string;
  readonly skipped: readonly string[];
  readonly reading: ConsoleReading;
  readonly done: boolean;
  /** Milliseconds: when the run started, when qemu started, and when each marker appeared. */
  readonly started: number;
  readonly bootStart: number;
  readonly seen: Partial<Record<Marker, number>>;
  readonly ended: number;
  /** The console, shown on failure when the guest sent no cloud-init log (it never reached its checks). */
  readonly console: string;
}

export function failed(input: Pick<ReportInput, 'reading' | 'done'>): boolean {
  return !input.done || input.reading.checks.length === 0 || input.reading.checks.some((c) => !c.ok);
}

const sec = (from: number | undefined, to: number | undefined) => (from && to ? `${((to - from) / 1000).toFixed(0)} s` : '-');

export function renderReport(r: ReportInput): string {
  const out = [r.title];
  if (r.skipped.length) out.push(`skipped (not carried by Debian, replaced by empty stand-ins): ${r.skipped.join(', ')}`);
  for (const c of r.reading.checks) out.push(`${c.ok ? 'PASS' : 'FAIL'}  boot ${c.boot}  ${c.name}${c.ok ? '' : `  ${c.detail}`}`);
  if (!r.done) out.push('FAIL  the run did not reach its end (GOHOST-DONE) within the budget');
  if (r.reading.stages.length) {
    out.push(`slowest first-boot cloud-init modules: ${r.reading.stages.map((s) => `${s.stage.replace(/^(modules|init)-\w+\/(config-)?/, '')} ${s.sec.toFixed(0)} s`).join(', ')}`);
  }
  const s = r.seen;
  out.push(
    `phases: preparation ${sec(r.started, r.bootStart)}, first boot to healthy ${sec(r.bootStart, s['GOHOST-HEALTHY 1'])}, first-boot checks ${sec(s['GOHOST-HEALTHY 1'], s['GOHOST-REBOOT'])}, ` +
      `reboot to healthy ${sec(s['GOHOST-REBOOT'], s['GOHOST-HEALTHY 2'])}, second-boot checks ${sec(s['GOHOST-HEALTHY 2'], s['GOHOST-DONE'])}`,
  );
  const healthy = s['GOHOST-HEALTHY 1'];
  out.push(`time to "service healthy": ${healthy ? sec(r.bootStart, healthy) : 'never'}; whole run ${sec(r.started, r.ended)}`);
  if (failed(r)) {
    if (r.reading.cloudInitLog.length) out.push('', '--- guest cloud-init logs ---', ...r.reading.cloudInitLog);
    else out.push('', '--- guest console (last 150 lines) ---', ...r.console.split('\n').slice(-150));
  }
  return out.join('\n');
}
