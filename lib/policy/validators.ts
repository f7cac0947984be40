/** Value checks shared by the constructs' prop validation. Pure. */
import { isIP } from 'node:net';

export function isCidr(value: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(value);
  if (!m) return false;
  const family = isIP(m[1]);
  const bits = Number(m[2]);
  return (family === 4 && bits <= 32) || (family === 6 && bits <= 128);
}

export function isPort(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= 65535;
}

export const SHA256_PATTERN = /^[0-9a-f]{64}$/;
/** A systemd unit name that is also a valid Linux user name: lower case, starts with a letter, ≤ 32 characters. */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/;
export const ENV_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;
export const AMI_ID_PATTERN = /^ami-[0-9a-f]{8}([0-9a-f]{9})?$/;
/** An absolute URL path without spaces, query or fragment. */
export const URL_PATH_PATTERN = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** Names that belong to accounts a service must never run as or collide with. */
export const RESERVED_USER_NAMES = new Set([
  'root', 'daemon', 'bin', 'sys', 'sync', 'nobody', 'ubuntu', 'admin', 'debian', 'ec2-user',
  'sshd', 'nginx', 'www-data', 'systemd-network', 'chrony', '_chrony', 'prometheus', 'syslog',
]);

/** Variables the library sets from other props; setting them by hand would contradict those props. */
export const MANAGED_ENV = ['GOMAXPROCS', 'GOMEMLIMIT', 'GOGC', 'LISTEN_ADDR', 'PORT', 'HEALTH_PATH'] as const;

/** Environment names that suggest a secret (they would be readable in user data and Terraform state). */
export const SECRET_ENV_PATTERN = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY)/i;
