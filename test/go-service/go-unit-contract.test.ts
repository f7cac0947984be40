/**
 * The Go service unit's contract, read directive by directive: every sandboxing directive has its
 * hardening value, every resource limit is the prop or its documented default, and the exposure
 * systemd rates it at is pinned. The threshold test (exposure ≤ 2.0) leaves slack a weakened
 * directive hides in; these do not. The expected values are written out here, not read from lib/.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HardenedGoHostProps } from '../../lib';
import { hostFiles } from '../helpers/host-files';
import { hostStack, synthJson, userDataParts } from '../helpers/stacks';
import { requireTool, run, tempDir } from '../helpers/tools';

const UNIT = '/etc/systemd/system/orders-api.service';

function unit(props: Partial<HardenedGoHostProps> = {}): string {
  const { stack } = hostStack(props);
  return hostFiles(userDataParts(synthJson(stack))).file(UNIT);
}

/** The [Service] section: directive → every value it is given, in order. */
function service(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let section = '';
  for (const line of text.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) section = header[1];
    const m = /^(\w+)=(.*)$/.exec(line);
    if (section === 'Service' && m) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

const SANDBOX: Record<string, string[]> = {
  User: ['orders-api'],
  Group: ['orders-api'],
  UMask: ['0077'],
  NoNewPrivileges: ['yes'],
  CapabilityBoundingSet: [''],
  AmbientCapabilities: [''],
  ProtectSystem: ['strict'],
  ProtectHome: ['yes'],
  PrivateTmp: ['yes'],
  PrivateDevices: ['yes'],
  ProtectProc: ['invisible'],
  ProtectKernelTunables: ['yes'],
  ProtectKernelModules: ['yes'],
  ProtectKernelLogs: ['yes'],
  ProtectControlGroups: ['yes'],
  ProtectClock: ['yes'],
  ProtectHostname: ['yes'],
  RestrictNamespaces: ['yes'],
  RestrictAddressFamilies: ['AF_INET AF_INET6'],
  IPAddressDeny: ['169.254.169.254 fd00:ec2::254'],
  RestrictRealtime: ['yes'],
  RestrictSUIDSGID: ['yes'],
  LockPersonality: ['yes'],
  MemoryDenyWriteExecute: ['yes'],
  RemoveIPC: ['yes'],
  SystemCallArchitectures: ['native'],
  SystemCallFilter: ['@system-service', '~@privileged @resources'],
  SystemCallErrorNumber: ['EPERM'],
  StateDirectoryMode: ['0750'],
  MemorySwapMax: ['0'],
  KillMode: ['mixed'],
  KillSignal: ['SIGTERM'],
  Restart: ['on-failure'],
};

const LIMITS = ['CPUQuota', 'MemoryMax', 'MemoryHigh', 'TasksMax', 'LimitNOFILE', 'OOMScoreAdjust', 'RestartSec', 'TimeoutStopSec'];
const limitsOf = (s: Map<string, string[]>) => Object.fromEntries(LIMITS.map((k) => [k, s.get(k)?.join(' ')]));

/** What no hardened unit may carry at all. */
const ABSENT = ['PrivateNetwork', 'PermissionsStartOnly', 'ReadWritePaths', 'SupplementaryGroups', 'DynamicUser', 'IPAddressAllow', 'Delegate', 'KeyringMode'];

describe('the Go service unit, directive by directive', () => {
  const defaults = service(unit());

  it('has every sandboxing directive at its hardening value, and none that loosens it', () => {
    for (const [key, values] of Object.entries(SANDBOX)) expect(defaults.get(key), key).toEqual(values);
    for (const key of ABSENT) expect(defaults.has(key), key).toBe(false);
  });

  it('with the defaults on a t3.small (2 vCPU, 2 GiB): the documented limits', () => {
    // CPUQuota 90 % of each vCPU, MemoryMax 75 % of the memory, MemoryHigh 95 % of MemoryMax.
    expect(limitsOf(defaults)).toEqual({ CPUQuota: '180%', MemoryMax: '1536M', MemoryHigh: '1459M', TasksMax: '4096', LimitNOFILE: '65536', OOMScoreAdjust: '-500', RestartSec: '5', TimeoutStopSec: '30' });
    expect(defaults.get('Environment')).toEqual(expect.arrayContaining(['GOMAXPROCS=2', 'GOMEMLIMIT=1382MiB']));
  });

  it('with every limit given: exactly the props (and GOMAXPROCS, GOMEMLIMIT, MemoryHigh derived from them)', () => {
    const s = service(unit({ memoryMax: '1G', cpuQuota: '150%', limitNofile: 1024, tasksMax: 512, oomScoreAdjust: -100, timeoutStopSec: 20, restartSec: 2 }));
    expect(limitsOf(s)).toEqual({ CPUQuota: '150%', MemoryMax: '1024M', MemoryHigh: '972M', TasksMax: '512', LimitNOFILE: '1024', OOMScoreAdjust: '-100', RestartSec: '2', TimeoutStopSec: '20' });
    expect(s.get('Environment')).toEqual(expect.arrayContaining(['GOMAXPROCS=2', 'GOMEMLIMIT=921MiB']));
  });

  it('systemd 252 (Debian 12) rates it at exposure 1.4 exactly: any weakened directive moves the figure', () => {
    requireTool('systemd-analyze');
    const version = run('systemd-analyze', ['--version']).stdout.split('\n')[0];
    const dir = tempDir('exposure');
    const file = path.join(dir, 'orders-api.service');
    fs.writeFileSync(file, unit());
    const r = run('systemd-analyze', ['security', '--offline=true', '--no-pager', file]);
    const score = /Overall exposure level for orders-api\.service: (\d+\.\d)/.exec(r.stdout)?.[1];
    // Another systemd weighs directives differently: the figure is pinned for the one CI runs.
    expect({ version: version.split(' ')[1], score }).toEqual({ version: '252', score: '1.4' });
  });
});
