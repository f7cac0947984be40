import { gzipSync } from 'node:zlib';
import { TerraformVariable } from 'cdktf';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedGoHostProps, MachineImage, Peer, Port, ReleaseArtifact } from '../../lib';
import { gzipBoundBytes } from '../../lib/host/hardened-host';
import { ReportedInput, validationError } from '../helpers/errors';
import { SHA, baseProps, hostStack, newStack, synthJson } from '../helpers/stacks';

/** The error thrown for these props (the test fails if none is thrown). */
function errorFor(props: Partial<HardenedGoHostProps>): ReportedInput {
  return validationError(() => hostStack(props));
}

function messageFor(props: Partial<HardenedGoHostProps>): string {
  return errorFor(props).message;
}

describe('HardenedGoHost rejects bad input at synth time, naming the prop, the value and the fix', () => {
  it('names the construct path', () => {
    expect(messageFor({ listenPort: 0 })).toContain('\n  [test/Api] listenPort = 0: is not a TCP port');
  });

  it('bad CIDR', () => {
    expect(messageFor({ adminSshCidrs: ['10.0.0.0/33'] })).toContain(
      'adminSshCidrs[0] = "10.0.0.0/33": is not a valid IPv4 or IPv6 CIDR. Fix: write an address and a prefix length, e.g. "203.0.113.10/32"',
    );
  });

  it('port out of range', () => {
    expect(messageFor({ listenPort: 70000 })).toContain('listenPort = 70000: is not a TCP port (1–65535). Fix: use a port such as 8080');
  });

  it('port colliding with another listener on the host', () => {
    expect(messageFor({ listenPort: 9100 })).toContain('listenPort = 9100: collides with node_exporter on the same host');
  });

  it('privileged port', () => {
    expect(messageFor({ listenPort: 443 })).toContain('listenPort = 443: is a privileged port and the service runs without capabilities');
  });

  it('ephemeral range overlapping a listening port', () => {
    expect(messageFor({ listenPort: 20000 })).toContain(
      'ephemeralPortRangeStart = "10240-65535": overlaps port 20000 (the service (listenPort)); outgoing connections could take it. Fix: start the range above 20000',
    );
  });

  it('ephemeral range overlapping a port another construct opens later', () => {
    const { stack, host } = hostStack();
    host.connections.allowFrom(Peer.ipv4('10.0.0.0/8'), Port.tcp(30000), 'metrics');
    expect(() => synthJson(stack)).toThrow(/ephemeralPortRangeStart = "10240-65535": overlaps ingress port tcp\/30000 \(metrics\)/);
  });

  it('MemoryMax unparsable', () => {
    expect(messageFor({ memoryMax: '2GB' })).toContain(`memoryMax = "2GB": is not in systemd's MemoryMax= byte syntax. Fix: write a size like "1536M" or "2G"`);
  });

  it('MemoryMax larger than the instance', () => {
    expect(messageFor({ memoryMax: '4G' })).toContain('memoryMax = "4G": exceeds the 2048 MiB of a t3.small');
  });

  it('CPUQuota unparsable', () => {
    expect(messageFor({ cpuQuota: '1.5' })).toContain(`cpuQuota = "1.5": is not in systemd's CPUQuota= syntax. Fix: write a percentage of one CPU, e.g. "150%"`);
  });

  it('CPUQuota above the vCPUs of the instance', () => {
    expect(messageFor({ cpuQuota: '300%' })).toContain('cpuQuota = "300%": exceeds the 2 vCPUs (200%) of a t3.small. Fix: use at most "200%"');
  });

  it('limits that cannot be derived for an unknown instance family', () => {
    const msg = messageFor({ instanceType: 'p5.48xlarge' });
    expect(msg).toContain('memoryMax = (not set): cannot be derived: the memory of instance type "p5.48xlarge" is not known to the library');
    expect(msg).toContain('cpuQuota = (not set): cannot be derived');
  });

  it('SHA-256 not 64 hex characters', () => {
    expect(messageFor({ artifact: ReleaseArtifact.fromUrl('https://example.com/app', 'abc123') })).toContain(
      'artifact.sha256 = "abc123": is not 64 lower-case hex characters (got 6). Fix: use the output of `sha256sum <binary>`',
    );
  });

  it('artifact URL that is neither https nor s3', () => {
    expect(messageFor({ artifact: ReleaseArtifact.fromUrl('http://example.com/app', SHA) })).toContain(
      'artifact.url = "http://example.com/app": is neither an https:// URL nor an s3://bucket/key location',
    );
  });

  it('service name that is not a valid unit/user name', () => {
    expect(messageFor({ serviceName: 'Orders API' })).toContain('serviceName = "Orders API": is not usable as a systemd unit and Linux user name');
  });

  it('service name that collides with a system account', () => {
    expect(messageFor({ serviceName: 'nginx' })).toContain('serviceName = "nginx": is the name of a distribution unit or system account');
  });

  it('SSH open to 0.0.0.0/0 without the explicit opt-in', () => {
    expect(messageFor({ adminSshCidrs: ['0.0.0.0/0'] })).toContain(
      'adminSshCidrs[0] = "0.0.0.0/0": opens SSH to the whole internet. Fix: narrow it to your office or VPN range, use SSM Session Manager, or set allowSshFromAnywhere: true',
    );
  });

  it('accepts SSH from anywhere when opted in', () => {
    expect(() => hostStack({ adminSshCidrs: ['0.0.0.0/0'], allowSshFromAnywhere: true })).not.toThrow();
  });

  it('allowSshFromAnywhere without any CIDR (a contradiction)', () => {
    expect(messageFor({ allowSshFromAnywhere: true })).toContain('allowSshFromAnywhere = true: has no effect without adminSshCidrs');
  });

  it('user data over the EC2 16 KB limit after gzip, with the size', () => {
    const { randomBytes } = require('node:crypto');
    const { stack } = hostStack({ configFileContent: randomBytes(20000).toString('base64') });
    expect(() => synthJson(stack)).toThrow(/user data = \d+ bytes gzipped: over EC2's 16384-byte limit/);
  });

  it('user data over 16 KB before gzip that compresses under the limit synthesizes', () => {
    const { stack } = hostStack({ configFileContent: 'log_level = "info"\n'.repeat(2000) });
    expect(() => synthJson(stack)).not.toThrow();
  });

  it('gzipBoundBytes bounds what gzip makes of incompressible bytes at any level', () => {
    const { randomBytes } = require('node:crypto');
    fc.assert(fc.property(fc.integer({ min: 0, max: 70000 }), fc.constantFrom(1, 6, 9), (n, level) => {
      expect(gzipSync(randomBytes(n), { level }).length).toBeLessThanOrEqual(gzipBoundBytes(n));
    }), { numRuns: 40 });
  });

  it('unknown machine image', () => {
    expect(messageFor({ machineImage: MachineImage.fromDistro('centos-7') })).toContain(
      'machineImage = "centos-7": is not a supported machine image. Fix: use one of "ubuntu-24.04", "ubuntu-22.04", "debian-13", "debian-12"',
    );
  });

  it('malformed AMI ID', () => {
    expect(messageFor({ machineImage: MachineImage.fromAmiId('ami-xyz', 'debian-12') })).toContain('machineImage = "ami-xyz": is not an AMI ID');
  });

  it('instance type that does not exist', () => {
    expect(messageFor({ instanceType: 'small', memoryMax: '1G', cpuQuota: '100%' })).toContain('instanceType = "small": is not an EC2 instance type');
  });

  it('health path that is not an absolute path', () => {
    expect(messageFor({ healthPath: 'healthz' })).toContain('healthPath = "healthz": is not an absolute URL path');
  });

  it('environment variable the library manages', () => {
    expect(messageFor({ environment: { GOMAXPROCS: '8' } })).toContain('environment.GOMAXPROCS = "8": is set by the library from other props. Fix: set cpuQuota instead');
    // The user's value came after the library's and silently replaced the path of the configuration file it writes.
    expect(messageFor({ environment: { CONFIG_FILE: '/tmp/mine.json' } })).toContain('environment.CONFIG_FILE = "/tmp/mine.json": is set by the library from other props. Fix: give the file\'s text in configFileContent');
    expect(messageFor({ environment: { CREDENTIALS_DIRECTORY: '/tmp' } })).toContain('environment.CREDENTIALS_DIRECTORY = "/tmp": is set by the library from other props');
  });

  it.each(['PATH', 'LD_PRELOAD', 'LD_LIBRARY_PATH', 'LD_AUDIT', 'GLIBC_TUNABLES', 'BASH_ENV', 'ENV', 'SHELLOPTS', 'IFS', 'PS4', 'MALLOC_CHECK_'])(
    'environment variable %s that changes how the library\'s own checks run', (name) => {
      expect(messageFor({ environment: { [name]: '/opt/x' } })).toContain(`environment.${name} = "/opt/x": changes how every program of the unit runs, the library's own checks before the service starts included`);
    },
  );

  it('environment names that only look alike are the service\'s own', () => {
    const env = { MY_PATH: '/x', LDAP_URL: 'ldaps://x', ENVIRONMENT: 'prod', GODEBUG: 'http2client=0' };
    const tf = synthJson(hostStack({ environment: env }).stack);
    expect(JSON.stringify(tf)).toContain('GODEBUG=http2client=0');
  });

  it('seconds: at most a day, at most millisecond precision, judged on the text (1.005 is three decimals)', () => {
    expect(messageFor({ timeoutStopSec: 86401 })).toContain('timeoutStopSec = 86401: is more than a day (86400 s)');
    expect(messageFor({ restartSec: 1.0005 })).toContain('restartSec = 1.0005: has more precision than a millisecond');
    for (const restartSec of [1.005, 0.001, 2.5]) expect(() => synthJson(hostStack({ restartSec }).stack), String(restartSec)).not.toThrow();
  });

  it('environment variable with an invalid name', () => {
    expect(messageFor({ environment: { 'MY-VAR': 'x' } })).toContain('environment.MY-VAR = "x": has a name that is not a valid environment variable');
  });

  it('tcp_tw_recycle in sysctlOverrides', () => {
    expect(messageFor({ sysctlOverrides: { 'net.ipv4.tcp_tw_recycle': 1 } })).toContain(
      'sysctlOverrides["net.ipv4.tcp_tw_recycle"] = 1: was removed in Linux 4.12 and broke clients behind NAT',
    );
  });

  it('bbr2 in sysctlOverrides', () => {
    expect(messageFor({ sysctlOverrides: { 'net.ipv4.tcp_congestion_control': 'bbr2' } })).toContain('is not in mainline kernels');
  });

  it('strict overcommit through sysctlOverrides without the opt-in', () => {
    expect(messageFor({ sysctlOverrides: { 'vm.overcommit_memory': 2 } })).toContain('set strictOvercommit: true to opt in knowingly');
  });

  it('a start limit that can never trigger', () => {
    expect(messageFor({ restartSec: 30, startLimitIntervalSec: 60, startLimitBurst: 3 })).toContain(
      'startLimitIntervalSec = 60: is shorter than startLimitBurst × restartSec (90 s), so the start limit can never trigger',
    );
  });

  it('LimitNOFILE above fs.nr_open', () => {
    expect(messageFor({ limitNofile: 2_000_000 })).toContain('limitNofile = 2000000: is outside 1024–1048576 (fs.nr_open)');
  });

  it('OOMScoreAdjust out of range', () => {
    expect(messageFor({ oomScoreAdjust: -2000 })).toContain('oomScoreAdjust = -2000: is outside -1000–1000');
  });

  it('IMDS hop limit out of range', () => {
    expect(messageFor({ metadataHopLimit: 0 })).toContain('metadataHopLimit = 0: is outside 1–64');
  });

  it('subnet ID that is not one', () => {
    expect(messageFor({ subnetId: 'my-subnet' })).toContain('subnetId = "my-subnet": is not a subnet ID');
  });

  it('reports every failure at once', () => {
    const e = errorFor({ listenPort: 70000, memoryMax: 'lots', adminSshCidrs: ['nope'] });
    expect(e.failures.map((f) => f.prop)).toEqual(['listenPort', 'memoryMax', 'adminSshCidrs[0]']);
    expect(e.message.match(/^  \[test\/Api\] /gm)).toHaveLength(3);
  });

  it('skips token-valued inputs instead of rejecting them', () => {
    const { stack } = newStack();
    const v = (name: string) => new TerraformVariable(stack, name, { type: 'string' }).stringValue;
    expect(
      () =>
        new HardenedGoHost(stack, 'Api', {
          ...baseProps,
          subnetId: v('subnet'),
          vpcId: v('vpc'),
          artifact: ReleaseArtifact.fromUrl(v('url'), v('sha')),
          adminSshCidrs: [v('cidr')],
          memoryMax: '1G',
        }),
    ).not.toThrow();
  });

  it('warns when an environment variable looks like a secret', () => {
    const { host } = hostStack({ environment: { DB_PASSWORD: 'x' } });
    expect(host.node.metadata.map((m) => String(m.data)).join('\n')).toContain('environment.DB_PASSWORD has a name that looks like a secret');
  });
});
