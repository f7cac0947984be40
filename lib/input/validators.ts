/** Value checks shared by the constructs' prop validation. Pure. */
import { isIP } from 'node:net';
import { PropChecks } from './prop-checks';

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

/** Variables the library sets from other props (setting them by hand would contradict those props), with the prop to use. */
const MANAGED_ENV_FIX = {
  GOMAXPROCS: 'set cpuQuota instead; the library derives it',
  GOMEMLIMIT: 'set memoryMax instead; the library derives it',
  GOGC: 'use the gogc prop',
  LISTEN_ADDR: 'use listenPort instead',
  PORT: 'use listenPort instead',
  HEALTH_PATH: 'use healthPath instead',
  CONFIG_FILE: 'give the file\'s text in configFileContent; the library points CONFIG_FILE at it',
  CREDENTIALS_DIRECTORY: 'systemd sets it for the secrets prop; read your secrets from it',
} as const;

export const MANAGED_ENV = Object.keys(MANAGED_ENV_FIX) as ReadonlyArray<keyof typeof MANAGED_ENV_FIX>;

/**
 * Variables that change how the dynamic loader, libc or the shell run every program of the unit,
 * the library's own prechecks included (LD_PRELOAD would run code in the artifact's checksum check).
 */
const PROCESS_ENV_PATTERN = /^(PATH|LD_[A-Za-z0-9_]*|GLIBC_TUNABLES|GCONV_PATH|MALLOC_[A-Za-z0-9_]*|BASH_ENV|ENV|SHELLOPTS|BASHOPTS|IFS|CDPATH|GLOBIGNORE|PS4|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS|NLSPATH)$/;

/** Why a user may not set the service's environment variable `name` (environment, a secret's variable), or undefined. */
export function environmentNameProblem(name: string): { problem: string; fix: string } | undefined {
  if (!ENV_NAME_PATTERN.test(name)) return { problem: 'has a name that is not a valid environment variable', fix: 'use letters, digits and underscores, not starting with a digit' };
  if (name in MANAGED_ENV_FIX) return { problem: 'is set by the library from other props', fix: MANAGED_ENV_FIX[name as keyof typeof MANAGED_ENV_FIX] };
  if (PROCESS_ENV_PATTERN.test(name)) {
    return { problem: 'changes how every program of the unit runs, the library\'s own checks before the service starts included', fix: name === 'PATH' ? 'call programs by absolute path from your service' : 'set it inside your program, not for the unit' };
  }
  return undefined;
}

/** Environment names that suggest a secret (they would be readable in user data and Terraform state). */
export const SECRET_ENV_PATTERN = /(SECRET|PASS|TOKEN|KEY|CREDENTIAL|DATABASE_URL|DSN)/i;

/** True for a URL that carries credentials (`https://user:token@host/…`). */
export function urlHasCredentials(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/?#\s]*@/i.test(value);
}

/** Chat and paging webhooks whose URL is the credential, whatever its token looks like. */
const KNOWN_WEBHOOKS = [
  /^hooks\.slack\.com\/(services|workflows|triggers)\//,
  /^(ptb\.|canary\.)?discord(app)?\.com\/api\/webhooks\//,
  /^([a-z0-9-]+\.)?webhook\.office\.com\//, /^outlook\.office(365)?\.com\/webhook\//,
  /^[a-z0-9-]+\.[a-z0-9-]+\.logic\.azure\.com\/workflows\//,
  /^api\.telegram\.org\/bot/,
  /^events\.(eu\.)?pagerduty\.com\/integration\//,
  /^chat\.googleapis\.com\//,
  /^hooks\.zapier\.com\//,
];

/**
 * A URL that carries a secret in its text: credentials before the host, a query parameter named
 * like a secret (`?token=`), a known webhook service, or a long random path segment (chat
 * webhooks such as `/services/T0/B0/<token>` are secrets themselves).
 */
export function urlLooksSecret(value: string): boolean {
  if (urlHasCredentials(value)) return true;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if ([...url.searchParams.keys()].some((k) => SECRET_ENV_PATTERN.test(k) || /^(sig|signature|auth|code)$/i.test(k))) return true;
  if (KNOWN_WEBHOOKS.some((w) => w.test(`${url.hostname}${url.pathname}`))) return true;
  return url.pathname.split('/').some((seg) => seg.length >= 20 && /[0-9]/.test(seg) && /[A-Za-z]/.test(seg) && /^[A-Za-z0-9_-]+$/.test(seg));
}

/** C0 control characters and DEL: line ends for systemd, sysctl.d, chrony and nginx files. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;

/** A host name or an IP address (NTP servers). */
export const HOST_NAME_PATTERN = /^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$|^[0-9a-fA-F:.]+$/;

function ipv6Value(address: string): bigint {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, ''];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const fill: string[] = address.includes('::') ? Array(8 - h.length - t.length).fill('0') : [];
  return [...h, ...fill, ...t].reduce((v, group) => (v << 16n) + BigInt(parseInt(group, 16)), 0n);
}

function cidrRange(cidr: string): { family: 4 | 6; start: bigint; end: bigint } | undefined {
  if (!isCidr(cidr)) return undefined;
  const [address, prefix] = cidr.split('/');
  const family = isIP(address) as 4 | 6;
  const bits = family === 4 ? 32 : 128;
  const value = addressValue(address, family);
  const size = 1n << BigInt(bits - Number(prefix));
  const start = (value / size) * size;
  return { family, start, end: start + size - 1n };
}

function addressValue(address: string, family: 4 | 6): bigint {
  return family === 4 ? address.split('.').reduce((v, part) => (v << 8n) + BigInt(Number(part)), 0n) : ipv6Value(address);
}

/**
 * Why a literal CIDR cannot stand for a rule of `family` as written: no CIDR at all, the other
 * family (an IPv4 rule from "::/0" fails at apply; UFW would open IPv6), or bits set below the
 * prefix (AWS and UFW take "10.0.0.1/8" as "10.0.0.0/8", which is not what it says).
 */
export function cidrProblem(cidr: string, family?: 4 | 6): { problem: string; fix: string } | undefined {
  const r = cidrRange(cidr);
  if (!r) return { problem: 'is not a valid IPv4 or IPv6 CIDR', fix: 'write an address and a prefix length, e.g. "203.0.113.10/32"' };
  if (family !== undefined && r.family !== family) {
    return { problem: `is an IPv${r.family} range where an IPv${family} one is expected`, fix: `use Peer.ipv${r.family}(…) or Peer.cidr(…) for it` };
  }
  const [address, prefix] = cidr.split('/');
  if (addressValue(address, r.family) === r.start) return undefined;
  const network = r.family === 4 ? `${[24n, 16n, 8n, 0n].map((shift) => (r.start >> shift) & 255n).join('.')}/${prefix}` : undefined;
  return { problem: 'has address bits set below its prefix length (AWS and UFW would take the whole network it is in)', fix: network ? `write the network, "${network}"` : 'write the network address of the range, its bits below the prefix zero' };
}

type Range = { start: bigint; end: bigint };

/** The CIDRs of one family as sorted ranges that neither overlap nor touch. */
function merged(cidrs: readonly string[], family: 4 | 6): Range[] {
  const ranges = cidrs.map(cidrRange).filter((r): r is NonNullable<typeof r> => !!r && r.family === family).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const r of ranges) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) last.end = r.end > last.end ? r.end : last.end;
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/**
 * True when the CIDRs together cover every IPv4 or every IPv6 address (`0.0.0.0/0`, `0.0.0.0/00`,
 * or `0.0.0.0/1` with `128.0.0.0/1`): "the whole internet" however it is written.
 */
export function coversAnyAddress(cidrs: readonly string[]): boolean {
  return ([4, 6] as const).some((family) => {
    const ranges = merged(cidrs, family);
    return ranges.length === 1 && ranges[0].start === 0n && ranges[0].end === (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
  });
}

const addressCount = (ranges: readonly Range[]) => ranges.reduce((n, r) => n + r.end - r.start + 1n, 0n);

/** Addresses of `family` the CIDRs cover together (overlaps once). */
export function coveredAddressCount(cidrs: readonly string[], family: 4 | 6): bigint {
  return addressCount(merged(cidrs, family));
}

/** Ranges no internet host sends from: this network, private, shared (CGNAT), loopback, link-local, unique local. */
const NOT_PUBLIC: Readonly<Record<4 | 6, readonly string[]>> = {
  4: ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16'],
  6: ['::1/128', 'fc00::/7', 'fe80::/10'],
};

/** Public addresses the CIDRs admit together, per family: overlaps once, the NOT_PUBLIC ranges not at all. */
export function publicAddressCount(cidrs: readonly string[]): Record<4 | 6, bigint> {
  const count = (family: 4 | 6) => {
    const all = merged(cidrs, family);
    const hidden = merged(NOT_PUBLIC[family], family);
    let overlap = 0n;
    for (const a of all) {
      for (const h of hidden) {
        const start = a.start > h.start ? a.start : h.start;
        const end = a.end < h.end ? a.end : h.end;
        if (start <= end) overlap += end - start + 1n;
      }
    }
    return addressCount(all) - overlap;
  };
  return { 4: count(4), 6: count(6) };
}

/** The widest public ranges an office or VPN plausibly has: a /8 of IPv4, a /32 of IPv6 (an ISP's allocation). */
export const INTERNET_THRESHOLD: Readonly<Record<4 | 6, bigint>> = { 4: 1n << 24n, 6: 1n << 96n };

/**
 * True when the CIDRs together admit more public addresses than INTERNET_THRESHOLD in either
 * family, however they are split (`0.0.0.0/0`, two `/1`, 256 `/8`, `0.0.0.0/1` alone): the internet.
 */
export function opensToInternet(cidrs: readonly string[]): boolean {
  const n = publicAddressCount(cidrs);
  return n[4] > INTERNET_THRESHOLD[4] || n[6] > INTERNET_THRESHOLD[6];
}

/** The type a prop must have, as plain JavaScript and JSON users can get it wrong. */
/**
 * Props the library computes with at synth (limits, derived settings, names) must be literals:
 * a Terraform reference would reach the host as NaN or as its own text.
 */
export function requireLiterals(props: object, examples: Readonly<Record<string, string>>, names: readonly string[], isToken: (v: unknown) => boolean, c: PropChecks): void {
  for (const name of names) {
    const value = (props as Record<string, unknown>)[name];
    // A list or map holding a reference counts too (Terraform resolves it too late for the library).
    const items = Array.isArray(value) ? value : value !== null && typeof value === 'object' ? Object.values(value) : [value];
    if (value !== undefined && (isToken(value) || items.some((v) => typeof v === 'string' && isToken(v)))) {
      c.fail(name, '(a Terraform reference)', 'must be known at synth: the library derives settings and files from it', `write the value itself, e.g. ${examples[name] ?? 'a number or a string'}`);
    }
  }
}

export type PropType = 'string' | 'number' | 'boolean' | 'string[]' | 'array' | 'Record<string, string>' | 'Record<string, string | number>' | 'object';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function hasType(value: unknown, type: PropType): boolean {
  switch (type) {
    case 'string': case 'number': case 'boolean': return typeof value === type && !(type === 'number' && Number.isNaN(value));
    case 'string[]': return Array.isArray(value) && value.every((v) => typeof v === 'string');
    case 'array': return Array.isArray(value);
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'Record<string, string>': return hasType(value, 'object') && Object.values(value as object).every((v) => typeof v === 'string');
    case 'Record<string, string | number>': return hasType(value, 'object') && Object.values(value as object).every((v) => typeof v === 'string' || typeof v === 'number');
  }
}

/** A number that JavaScript prints as plain decimal digits: what every file format the library writes reads. */
export function isPlainNumber(value: number): boolean {
  return Number.isFinite(value) && !/e/i.test(String(value));
}

/**
 * cdktf encodes a reference used as a number as a double below -1.8e289 (a fixed high-exponent bit
 * pattern); such a value is judged where references are (requireLiterals, plan-time checks).
 */
function isEncodedReference(value: number): boolean {
  return value < -1e288;
}

/**
 * Checks the types of the props that are set (and that the required ones are): for plain
 * JavaScript and JSON configuration, where TypeScript's checks do not apply.
 */
export function checkPropTypes(
  props: unknown,
  schema: Readonly<Record<string, PropType>>,
  required: readonly string[],
  fail: (prop: string, value: unknown, problem: string, fix: string) => void,
): void {
  if (typeof props !== 'object' || props === null) {
    fail('props', props, 'must be an object', 'pass the props object, e.g. { serviceName: "orders-api", … }');
    return;
  }
  const p = props as Record<string, unknown>;
  for (const name of required) {
    if (p[name] === undefined || p[name] === null) fail(name, p[name], 'is required', `set ${name} (${schema[name]})`);
  }
  for (const [name, type] of Object.entries(schema)) {
    const value = p[name];
    // Unset (undefined, or null from JSON): required props were reported above.
    if (value === undefined || value === null) continue;
    if (!hasType(value, type)) {
      fail(name, value, `must be ${type === 'string[]' ? 'a list of strings' : type === 'array' ? 'a list' : type.startsWith('Record') ? `a map of ${type.slice(15, -1)}` : `a ${type}`}, not ${typeName(value)}`, `write it as ${type}`);
    } else if (typeof value === 'number' && !isPlainNumber(value) && !isEncodedReference(value)) {
      fail(name, value, `is ${Number.isFinite(value) ? `printed as ${String(value)} (exponent form), which the host's files would not read as this number` : 'not a finite number'}`, 'give a plain number in the prop\'s range');
    }
  }
}

/**
 * Reports every key of `props` that is not one of `known` (a misspelt prop is otherwise ignored
 * in silence from JavaScript, or from TypeScript when the object is not a literal), naming the
 * closest known prop when one is near.
 */
export function checkUnknownProps(props: unknown, known: readonly string[], fail: (prop: string, value: unknown, problem: string, fix: string) => void): void {
  if (typeof props !== 'object' || props === null) return;
  const names = new Set(known);
  for (const [key, value] of Object.entries(props)) {
    if (names.has(key) || value === undefined) continue;
    const near = closest(key, known);
    fail(key, value, 'is not a prop of this construct (it would be ignored)', near ? `did you mean ${near}?` : 'see the construct\'s props in the README; `tsc --noEmit` finds these in TypeScript');
  }
}

/** The known name within a small edit distance of `name` (case ignored), if any. */
function closest(name: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 4)) + 1;
  for (const k of known) {
    const d = editDistance(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
}
