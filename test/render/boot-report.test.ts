/** verify:boot's reading of the guest console and its report (scripts/boot/report.ts). */
import { describe, expect, it } from 'vitest';
import { readConsole, renderReport, ReportInput } from '../../scripts/boot/report';

const CONSOLE = [
  '[    0.000000] Linux version 6.1.0',
  'GOHOST-HEALTHY 1',
  'GOHOST-CHECK 1 cloud-init-done PASS',
  "GOHOST-CHECK 1 sysctl:vm.swappiness FAIL got '60', expected '1'",
  'GOHOST-STAGE 22.5 modules-final/config-scripts-user',
  'GOHOST-STAGE 68.5 modules-final/config-package-update-upgrade-install',
  'GOHOST-STAGE 0.1 init-network/config-mounts',
  'GOHOST-LOG --- /var/log/cloud-init.log (last 120 lines)',
  'GOHOST-LOG 2026-11-21 10:00:00,000 - cc_scripts_user.py[WARNING]: Failed to run module scripts-user',
  'GOHOST-REBOOT',
  'GOHOST-CHECK 2 services-back-after-reboot PASS',
  'GOHOST-DONE',
].join('\r\n');

function input(over: Partial<ReportInput> = {}): ReportInput {
  return {
    title: 'fleet/Api1 booted with TCG; 9 packages from the local repository',
    skipped: [],
    reading: readConsole(CONSOLE),
    done: true,
    started: 1_000,
    bootStart: 3_000,
    seen: { 'GOHOST-HEALTHY 1': 153_000, 'GOHOST-REBOOT': 160_000, 'GOHOST-HEALTHY 2': 197_000, 'GOHOST-DONE': 205_000 },
    ended: 206_000,
    console: CONSOLE,
    ...over,
  };
}

describe('readConsole', () => {
  it('reads each check with its boot, result and detail', () => {
    expect(readConsole(CONSOLE).checks).toEqual([
      { boot: 1, name: 'cloud-init-done', ok: true, detail: '' },
      { boot: 1, name: 'sysctl:vm.swappiness', ok: false, detail: "got '60', expected '1'" },
      { boot: 2, name: 'services-back-after-reboot', ok: true, detail: '' },
    ]);
  });

  it('orders the cloud-init modules by time, slowest first (cloud-init sorts them as text)', () => {
    expect(readConsole(CONSOLE).stages.map((s) => s.stage)).toEqual([
      'modules-final/config-package-update-upgrade-install',
      'modules-final/config-scripts-user',
      'init-network/config-mounts',
    ]);
  });

  it('collects the cloud-init log lines the guest sent', () => {
    expect(readConsole(CONSOLE).cloudInitLog).toEqual([
      '--- /var/log/cloud-init.log (last 120 lines)',
      '2026-11-21 10:00:00,000 - cc_scripts_user.py[WARNING]: Failed to run module scripts-user',
    ]);
  });
});

describe('renderReport', () => {
  it('prints the phases and the time to "service healthy" from the markers', () => {
    const lines = renderReport(input()).split('\n');
    expect(lines).toContain('phases: preparation 2 s, first boot to healthy 150 s, first-boot checks 7 s, reboot to healthy 37 s, second-boot checks 8 s');
    expect(lines).toContain('time to "service healthy": 150 s; whole run 205 s');
  });

  it('names the slowest modules without their stage prefix', () => {
    expect(renderReport(input())).toContain('slowest first-boot cloud-init modules: package-update-upgrade-install 69 s, scripts-user 23 s, mounts 0 s');
  });

  it('shows the failed check with its detail, then the guest cloud-init log', () => {
    const report = renderReport(input());
    expect(report).toContain("FAIL  boot 1  sysctl:vm.swappiness  got '60', expected '1'");
    expect(report.split('--- guest cloud-init logs ---\n')[1]).toBe(readConsole(CONSOLE).cloudInitLog.join('\n'));
  });

  it('shows the console instead when the guest never reached its checks', () => {
    const report = renderReport(input({ reading: readConsole('[    1.0] Kernel panic'), done: false, console: '[    1.0] Kernel panic', seen: {} }));
    expect(report).toContain('FAIL  the run did not reach its end (GOHOST-DONE) within the budget');
    expect(report).toContain('time to "service healthy": never');
    expect(report.endsWith('--- guest console (last 150 lines) ---\n[    1.0] Kernel panic')).toBe(true);
  });

  it('prints no log when every check passed', () => {
    const passing = CONSOLE.replace(/^GOHOST-CHECK 1 sysctl.*$/m, '').replace(/^GOHOST-LOG .*$/gm, '');
    const report = renderReport(input({ reading: readConsole(passing), console: passing }));
    expect(report).not.toContain('--- guest');
    expect(report).not.toContain('FAIL');
  });
});
