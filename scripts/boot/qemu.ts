/**
 * The guest: one qemu VM (KVM when it works, TCG otherwise) on the harness's user network, its
 * console watched for the checks' markers until it is done or the budget is spent.
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BACKEND_IP, GUEST_IP, GUEST_NET, HARNESS_IP, HOST_IP, IMDS_IP, log } from './fixtures';
import { Marker, MARKERS } from './report';
import { HarnessServers } from './servers';

export interface GuestRun {
  readonly accel: string;
  readonly bootStart: number;
  /** When each marker first appeared on the console. */
  readonly seen: Partial<Record<Marker, number>>;
  readonly console: string;
  /** qemu's last stderr lines when the guest did not finish. */
  readonly qemuError?: string;
}

/** A running guest; `stop()` kills it (safe to call twice, and called in the harness's `finally`). */
export interface Guest {
  run(budgetMs: number): Promise<GuestRun>;
  stop(): void;
}

/**
 * `dataDisk`: a raw image attached as the guest's third disk (/dev/vdc), standing for an EBS volume
 * Terraform attaches (the boothook gives it the name a Nitro instance would).
 */
export function guest(o: { readonly image: string; readonly workDir: string; readonly ports: HarnessServers['ports']; readonly dataDisk?: string }): Guest {
  const serial = path.join(o.workDir, 'serial.log');
  const netdev = [
    'user,id=n0,restrict=on', `net=${GUEST_NET}`, `host=${HOST_IP}`, 'dns=169.254.169.3', `dhcpstart=${GUEST_IP}`,
    // cmd: starts one socat per guest connection (a tcp: chardev would carry a single connection).
    `guestfwd=tcp:${HARNESS_IP}:80-cmd:socat - TCP:127.0.0.1:${o.ports.repo}`,
    `guestfwd=tcp:${HARNESS_IP}:443-cmd:socat - TCP:127.0.0.1:${o.ports.s3}`,
    `guestfwd=tcp:${IMDS_IP}:80-cmd:socat - TCP:127.0.0.1:${o.ports.imds}`,
    `guestfwd=tcp:${BACKEND_IP}:8080-cmd:socat - TCP:127.0.0.1:${o.ports.backend}`,
  ].join(',');
  const qemuArgs = (accel: string) => [
    // Under TCG a plain x86-64 model: with -cpu max the guest's libraries pick AVX paths that TCG emulates slowly.
    '-accel', accel, ...(accel === 'tcg' ? ['-cpu', 'qemu64'] : ['-cpu', 'host']), '-m', '2048', '-smp', '2',
    '-display', 'none', '-monitor', 'none', '-serial', `file:${serial}`,
    '-kernel', path.join(o.image, 'vmlinuz'), '-initrd', path.join(o.image, 'initrd.img'),
    '-append', `root=/dev/vda rw console=ttyS0 net.ifnames=0 ${process.env.GOHOST_EXTRA_APPEND ?? ''}`,
    // A throw-away overlay: no need to wait for fsync (dpkg syncs a lot, and TCG makes it slow).
    '-drive', `file=${path.join(o.workDir, 'disk.qcow2')},if=virtio,format=qcow2,cache=unsafe`,
    '-drive', `file=${path.join(o.workDir, 'seed.img')},if=virtio,format=raw`,
    ...(o.dataDisk ? ['-drive', `file=${o.dataDisk},if=virtio,format=raw,cache=unsafe`] : []),
    '-netdev', netdev, '-device', 'virtio-net-pci,netdev=n0',
  ];
  let qemu: ChildProcess | undefined;
  const launch = (accel: string) => {
    fs.writeFileSync(serial, '');
    log(`booting with ${accel.toUpperCase()}`);
    const child = spawn('qemu-system-x86_64', qemuArgs(accel), { stdio: ['ignore', 'ignore', 'pipe'] });
    qemu = child;
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    return new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  };
  const stop = () => {
    if (qemu && qemu.exitCode === null && qemu.signalCode === null) qemu.kill('SIGKILL');
  };
  return {
    stop,
    async run(budgetMs: number): Promise<GuestRun> {
      const bootStart = Date.now();
      let accel = fs.existsSync('/dev/kvm') ? 'kvm' : 'tcg';
      let exited = launch(accel);
      // Nested KVM fails here with "KVM internal error": fall back to TCG automatically.
      if (accel === 'kvm') {
        const early = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 20_000))]);
        if (early !== null || !/Linux version/.test(fs.readFileSync(serial, 'utf8'))) {
          stop();
          await exited;
          log(`KVM did not boot (${early?.stderr.split('\n').find((l) => /KVM|kvm/.test(l)) ?? 'no kernel output'}); falling back to TCG`);
          accel = 'tcg';
          exited = launch(accel);
        }
      }
      const seen: Partial<Record<Marker, number>> = {};
      const deadline = Date.now() + budgetMs;
      let finished = false;
      while (Date.now() < deadline && !seen['GOHOST-DONE'] && !finished) {
        const text = fs.readFileSync(serial, 'utf8');
        for (const m of MARKERS) if (!seen[m] && text.includes(m)) seen[m] = Date.now();
        finished = await Promise.race([exited.then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 500))]);
      }
      // Every check has been read back by now; the guest's own poweroff would only add time.
      stop();
      const ended = await exited;
      return {
        accel,
        bootStart,
        seen,
        console: fs.readFileSync(serial, 'utf8'),
        qemuError: seen['GOHOST-DONE'] ? undefined : ended.stderr.trim().split('\n').slice(-3).join(' | '),
      };
    },
  };
}
