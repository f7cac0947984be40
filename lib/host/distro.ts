/** Facts about the supported operating systems (GUIDANCE G1). Pure. */

export type DistroName = 'ubuntu-24.04' | 'ubuntu-22.04' | 'debian-13' | 'debian-12';

export interface DistroInfo {
  readonly name: DistroName;
  readonly title: string;
  /** AMI owner account (Canonical / Debian). */
  readonly amiOwner: string;
  /** AMI name filter; `{arch}` becomes amd64 or arm64. */
  readonly amiNamePattern: string;
  /** The login user cloud-init's `default` creates. */
  readonly defaultUser: string;
  /** nginx version in the distribution's main archive (HTTP/3 needs ≥ 1.25). */
  readonly nginxVersion: string;
  /** Root device name of the official AMIs (launch templates map the encrypted root volume to it). */
  readonly rootDeviceName: string;
}

export const DISTROS: Readonly<Record<DistroName, DistroInfo>> = {
  'ubuntu-24.04': {
    name: 'ubuntu-24.04',
    title: 'Ubuntu 24.04 LTS (noble)',
    amiOwner: '099720109477',
    amiNamePattern: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-{arch}-server-*',
    defaultUser: 'ubuntu',
    nginxVersion: '1.24.0',
    rootDeviceName: '/dev/sda1',
  },
  'ubuntu-22.04': {
    name: 'ubuntu-22.04',
    title: 'Ubuntu 22.04 LTS (jammy)',
    amiOwner: '099720109477',
    amiNamePattern: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-{arch}-server-*',
    defaultUser: 'ubuntu',
    nginxVersion: '1.18.0',
    rootDeviceName: '/dev/sda1',
  },
  'debian-13': {
    name: 'debian-13',
    title: 'Debian 13 (trixie)',
    amiOwner: '136693071363',
    amiNamePattern: 'debian-13-{arch}-*',
    defaultUser: 'admin',
    nginxVersion: '1.26.3',
    rootDeviceName: '/dev/xvda',
  },
  'debian-12': {
    name: 'debian-12',
    title: 'Debian 12 (bookworm)',
    amiOwner: '136693071363',
    amiNamePattern: 'debian-12-{arch}-*',
    defaultUser: 'admin',
    nginxVersion: '1.22.1',
    rootDeviceName: '/dev/xvda',
  },
};

export function isDistroName(name: string): name is DistroName {
  return Object.prototype.hasOwnProperty.call(DISTROS, name);
}

/** Compares dotted versions numerically. */
export function versionAtLeast(version: string, minimum: string): boolean {
  const a = version.split('.').map(Number);
  const b = minimum.split('.').map(Number);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  return true;
}
