/**
 * The monitoring host's data volume step, run for real: a loop device stands in for the EBS
 * volume (linked where Nitro instances name it), and two fresh "instances" (private mount
 * namespaces, each with its own /etc, /var/lib and /srv) run the step one after the other, as a
 * monitoring host and its replacement would.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataVolumeStep } from '../../lib/observability/artifacts';
import { inPrivateRoot } from '../helpers/namespaces';
import { requireTool, run, RunResult, tempDir } from '../helpers/tools';

const VOLUME = 'vol-0123456789abcdef0';
const LOKI_MIB = 16;
let W: string;
let device: string;
let legacy: string;
const runs: RunResult[] = [];

/** One instance's boot: the step, then what the services would find. */
function boot(afterStep: string): RunResult {
  const step = dataVolumeStep(VOLUME, LOKI_MIB);
  const script = [
    // Test-only: the volume under its Nitro name, an empty /var/lib and /srv, and a systemctl that only logs.
    'mount -t tmpfs tmpfs /dev/disk 2>/dev/null || { mkdir -p /dev/disk && mount -t tmpfs tmpfs /dev/disk; }',
    'mkdir -p /dev/disk/by-id',
    `ln -s ${device} /dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_${VOLUME.replace('-', '')}`,
    'mount -t tmpfs tmpfs /var/lib && mkdir -p /srv && mount -t tmpfs tmpfs /srv',
    `mkdir -p ${W}/bin && printf '#!/bin/sh\\necho "systemctl $*" >> ${W}/systemctl.log\\n' > ${W}/bin/systemctl && chmod +x ${W}/bin/systemctl`,
    `export PATH=${W}/bin:$PATH`,
    '# What the packages left before the step: a state directory owned by the service user.',
    'install -d -o nobody -g nogroup /var/lib/prometheus && echo "from the package" > /var/lib/prometheus/package-file',
    'log() { echo "cdktf-gohost: $*"; }',
    ...step.lines,
    afterStep,
  ].join('\n');
  return inPrivateRoot(script);
}

beforeAll(() => {
  for (const t of ['losetup', 'unshare', 'ip']) requireTool(t);
  W = tempDir('data-volume');
  const image = path.join(W, 'volume.img');
  fs.writeFileSync(image, '');
  fs.truncateSync(image, 64 * 1024 * 1024);
  device = run('losetup', ['--find', '--show', image]).stdout.trim();
  if (!device.startsWith('/dev/loop')) throw new Error(`no loop device: ${device}`);
  runs.push(boot([
    'echo "written by the first instance" > /var/lib/prometheus/marker; mountpoint /var/lib/prometheus; grep gohost /etc/fstab; stat -c %U /var/lib/prometheus',
    // A log flood: Loki's file system fills, the volume keeps room for Prometheus.
    'echo "loki fs $(df -BM --output=size /var/lib/loki | tail -1 | tr -d " M")"',
    'dd if=/dev/zero of=/var/lib/loki/flood bs=1M count=64 2>/dev/null || echo "flood exit $?"',
    'dd if=/dev/zero of=/var/lib/prometheus/after-flood bs=1M count=4 2>/dev/null && echo "prometheus still writes"',
    'rm -f /var/lib/loki/flood',
    'echo "a log of the first instance" > /var/lib/loki/from-first',
  ].join('\n')));
  runs.push(boot('cat /var/lib/prometheus/marker; mountpoint /var/lib/prometheus; stat -c %U /var/lib/prometheus; cat /var/lib/loki/from-first; mountpoint /var/lib/loki'));
  // A volume of the earlier layout (Loki's logs in a plain directory on it): they move into Loki's file system once.
  legacy = run('bash', ['-c', `img=${W}/legacy.img && truncate -s 64M "$img" && mkfs.ext4 -q -L gohost-data "$img" && d=$(mktemp -d) && mount "$img" "$d" && mkdir -p "$d/loki/chunks" && echo "an earlier log" > "$d/loki/chunks/old" && umount "$d" && losetup --find --show "$img"`]).stdout.trim();
  const saved = device;
  device = legacy;
  runs.push(boot('cat /var/lib/loki/chunks/old; ls /srv/gohost-data'));
  device = saved;
});

afterAll(() => {
  for (const d of [device, legacy]) if (d) run('losetup', ['-d', d]);
});

describe('monitoring data volume (loop device, two instances in turn)', () => {
  it('the first instance formats the empty volume, mounts it and binds the state directories into it', () => {
    const [first] = runs;
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain(`cdktf-gohost: formatted the new data volume ${VOLUME}`);
    expect(first.stdout).toContain('/var/lib/prometheus is a mountpoint');
    expect(first.stdout).toMatch(/^UUID=[0-9a-f-]+ \/srv\/gohost-data ext4 defaults,nofail,x-systemd.device-timeout=5min 0 2$/m);
    expect(first.stdout).toContain('/srv/gohost-data/prometheus /var/lib/prometheus none bind,nofail,x-systemd.requires-mounts-for=/srv/gohost-data 0 0');
    expect(first.stdout.split('\n')).toContain('nobody');
    expect(run('blkid', ['-s', 'LABEL', '-o', 'value', device]).stdout.trim()).toBe('gohost-data');
  });

  it("gives Loki a file system of its own on the volume: a log flood fills it, not the volume; a volume's earlier logs move in", () => {
    const [first, second] = runs;
    expect(first.stdout).toMatch(/^loki fs 1[0-6]$/m);
    expect(first.stdout).toMatch(/^flood exit [1-9]/m);
    expect(first.stdout).toContain('prometheus still writes');
    expect(first.stdout).toContain('/srv/gohost-data/loki.img /var/lib/loki ext4 loop,nofail,x-systemd.requires-mounts-for=/srv/gohost-data 0 0');
    expect(second.stdout).toContain('a log of the first instance');
    expect(second.stdout).toContain('/var/lib/loki is a mountpoint');
    const migrated = runs[2];
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain('an earlier log');
    expect(migrated.stdout.split('\n')).not.toContain('loki');
  });

  it('its replacement does not format it again, and finds the data its predecessor wrote', () => {
    const [, second] = runs;
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).not.toContain('formatted');
    expect(second.stdout).toContain('written by the first instance');
    expect(second.stdout).toContain('/var/lib/prometheus is a mountpoint');
    expect(second.stdout).toContain(`cdktf-gohost: data volume ${VOLUME} mounted on /srv/gohost-data`);
  });
});
