/**
 * Boot proof: `npm run verify:boot` boots the synthesized user data of a host in a Debian 12 VM
 * (qemu, TCG here) with a local package repository and an emulated metadata service, and the guest
 * checks itself. One test file per host (boot-*.test.ts), so two VMs can run at once; each check
 * is one test.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { requireTool, run } from '../helpers/tools';
import { EIP_ALLOCATION_ID } from '../../scripts/boot/fixtures';
import { HARNESS_GROUP } from '../../scripts/boot/servers';

interface BootResult {
  accel: string;
  secretCalls?: string[];
  queryCalls?: Array<{ action: string; params: Record<string, string> }>;
  done: boolean;
  healthySec?: number;
  skipped: string[];
  checks: Array<{ boot: number; name: string; ok: boolean; detail: string }>;
}

function boot(stack: string, host: string, flags: string[]): BootResult {
  for (const t of ['qemu-system-x86_64', 'qemu-img', 'mmdebstrap', 'cloud-localds', 'dpkg-scanpackages', 'socat', 'go']) requireTool(t);
  const r = run('npx', ['tsx', path.resolve(__dirname, '../../scripts/verify-boot.ts'), stack, host, ...flags], { timeoutMs: 1_500_000, cwd: path.resolve(__dirname, '../..') });
  console.log(r.stdout.split('\n').filter((l) => /^(PASS|FAIL|time to|phases|slowest|skipped|.* booted with)/.test(l)).join('\n'));
  const file = /result: (\S+)/.exec(r.stdout)?.[1];
  if (!file || !fs.existsSync(file)) throw new Error(`verify:boot produced no result (exit ${r.status}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

export interface BootTarget {
  readonly stack: string;
  readonly host: string;
  readonly goService: boolean;
  readonly frontDoor: boolean;
  /** The certificate a predecessor kept is broken: the front door must refuse it and serve the placeholder. */
  readonly poisonedCertificate?: boolean;
  /** A watched host with a monitoring host: it reads its log credential from its own secret. */
  readonly logCredential?: boolean;
  /** A group's instance that claims the Elastic IP and then completes its launch hook. */
  readonly claimsAddress?: boolean;
  /** A Go service with the harness's secret (SERVICE_SECRET): delivered as a credential, rotated. */
  readonly secret?: boolean;
  /** The monitoring host, with its data volume (a third disk): Prometheus, Loki, Grafana's password. */
  readonly monitoring?: boolean;
}

export function describeBootProof({ stack, host, goService, frontDoor, poisonedCertificate, logCredential, claimsAddress, secret, monitoring }: BootTarget): void {
  describe(`boot proof: ${stack}/${host}`, () => {
    let result: BootResult;
    const failed = (prefix: string, bootNo = 1) => {
      const matching = result.checks.filter((c) => c.boot === bootNo && c.name.startsWith(prefix));
      expect(matching.length, `no check named ${prefix}* on boot ${bootNo}`).toBeGreaterThan(0);
      return matching.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    };

    beforeAll(() => {
      result = boot(stack, host, poisonedCertificate ? ['--poisoned-certificate'] : []);
    });

    it('runs to the end (two boots) and the service becomes healthy', () => {
      expect(result.done).toBe(true);
      expect(result.healthySec).toBeGreaterThan(0);
    });
    it('cloud-init is done, without errors or warnings', () => {
      expect([...failed('cloud-init-done'), ...failed('cloud-init-no-errors')]).toEqual([]);
    });
    if (goService) {
      it('the service user has no login shell and runs the service', () => {
        expect([...failed('service-user-nologin'), ...failed('unit-active'), ...failed('runs-as-service-user')]).toEqual([]);
      });
    }
    if (goService) {
      it('the unit has the MemoryMax, CPUQuota and LimitNOFILE the props asked for', () => {
        expect([...failed('memory-max'), ...failed('cpu-quota'), ...failed('limit-nofile')]).toEqual([]);
      });
    }
    if (goService) {
      it('systemd-analyze security on the live unit agrees with the offline figure', () => {
        expect(failed('security-matches-offline')).toEqual([]);
      });
    }
    it('every sysctl the library set reads back with its value', () => {
      expect(failed('sysctl:')).toEqual([]);
    });
    it('ufw is active, denies inbound by default and holds exactly the rules of the port model', () => {
      expect([...failed('ufw-active'), ...failed('ufw-default-policy'), ...failed('ufw-rules')]).toEqual([]);
    });
    it('the host audit baseline reads back: sshd options, legal banner, refused modules, no session core dumps, login.defs, audit rules, needrestart (H1–H7)', () => {
      expect([...failed('sshd-audit-baseline'), ...failed('legal-banner'), ...failed('modules-refused'), ...failed('no-core-dumps-in-sessions'), ...failed('login-defs'),
        ...failed('auditd-rules'), ...failed('needrestart-batch'), ...failed('needrestart-automatic')]).toEqual([]);
    });
    it('no unit that does not call AWS reaches the instance metadata service, tried from inside each as its user (nginx also as www-data); root still does, and first boot checked the fence (X4)', () => {
      expect([...failed('imds-denied-to-units'), ...failed('imds-root-keeps-access'), ...failed('imds-fence-checked-at-boot')]).toEqual([]);
    });
    it('chrony is running', () => {
      expect(failed('chrony-running')).toEqual([]);
    });
    it('node_exporter answers on the private address', () => {
      expect(failed('node-exporter')).toEqual([]);
    });
    if (monitoring) {
      it('Prometheus and Alertmanager keep the instance role (EC2 discovery, SNS), tried from inside their units', () => {
        expect(failed('imds-allowed-to-opted-in')).toEqual([]);
      });
      it('keeps its data on the data volume: Prometheus retains by size, Loki is bounded by a file system of its own, Grafana\'s admin password is generated and root-only', () => {
        expect([...failed('data-volume-mounted'), ...failed('loki-own-file-system'), ...failed('prometheus-retention-by-size'), ...failed('grafana-admin-password-generated')]).toEqual([]);
      });
    }
    if (logCredential) {
      it("reads its log credential from its own (emulated) secret: the token for Alloy alone, the gateway's certificate to pin", () => {
        expect(failed('log-credential-for-alloy-only')).toEqual([]);
      });
    }
    if (secret) {
      it('its secret reaches the service as a systemd credential only (not its environment, the journal or cloud-init\'s logs), and a rotation restarts it with the new value (G26)', () => {
        expect([...failed('secret-delivered-as-credential'), ...failed('secret-not-in-environment-or-logs'), ...failed('secret-rotation-restarts')]).toEqual([]);
      });
    }
    if (frontDoor && poisonedCertificate) {
      it('refuses a stored certificate whose chain is broken: nginx serves the placeholder and first boot completes', () => {
        expect([...failed('nginx-serves-placeholder-after-refused-restore'), ...failed('restore-refused-the-poisoned-certificate')]).toEqual([]);
        expect(result.secretCalls).toContain('secretsmanager.GetSecretValue');
      });
    }
    if (frontDoor && !poisonedCertificate) {
      it('nginx serves the certificate restored from the (emulated) secret at once, without calling certbot', () => {
        expect([...failed('nginx-serves-restored-certificate'), ...failed('certbot-not-called')]).toEqual([]);
        expect(result.secretCalls).toContain('secretsmanager.GetSecretValue');
        expect(result.secretCalls).not.toContain('secretsmanager.PutSecretValue');
      });
    }
    if (frontDoor) {
      it('nginx proxies the health path (through the load balancer\'s name in the fleet) and port 80 redirects', () => {
        expect([...failed('nginx-proxies-health'), ...failed('http-redirects')]).toEqual([]);
      });
    }
    if (claimsAddress) {
      it('claims the Elastic IP only after nginx answered and the metadata fence held, then tells its group it is ready: exactly these (emulated) calls, in order (N19)', () => {
        expect(failed('address-claimed-after-health')).toEqual([]);
        expect(result.queryCalls).toEqual([
          { action: 'AssociateAddress', params: expect.objectContaining({ AllocationId: EIP_ALLOCATION_ID, InstanceId: 'i-0123456789abcdef0', AllowReassociation: 'true' }) },
          { action: 'DescribeAutoScalingInstances', params: expect.objectContaining({ 'InstanceIds.member.1': 'i-0123456789abcdef0' }) },
          { action: 'CompleteLifecycleAction', params: expect.objectContaining({ AutoScalingGroupName: HARNESS_GROUP, LifecycleHookName: 'gohost-ready', InstanceId: 'i-0123456789abcdef0', LifecycleActionResult: 'CONTINUE' }) },
        ]);
      });
    }
    it('a reboot brings everything back without re-running the one-time steps', () => {
      expect([...failed('services-back-after-reboot', 2), ...failed('sysctl-after-reboot', 2), ...failed('audit-after-reboot', 2), ...failed('one-time-steps-not-rerun', 2),
        ...(monitoring ? failed('data-volume-after-reboot', 2) : [])]).toEqual([]);
    });
    if (goService) {
      it('systemd restarts the service within RestartSec + 5 s after SIGKILL', () => {
        expect(failed('restarted-after-sigkill', 2)).toEqual([]);
      });
    }
  });
}
