/**
 * Text that goes into Terraform strings: literal `${` and `%{` (bash, nginx, templates) must be
 * escaped or Terraform would interpolate them, while late-bound values (Terraform references)
 * must pass through. Renderers see a placeholder for each late-bound value; `finish` escapes
 * the rendered text and puts the references back.
 *
 * A reference is a value too, known only at plan time: it crosses into the host's text through a
 * boundary for its destination, which quotes it there with Terraform functions (a shell word, a
 * systemd value) or admits only values of a form that is safe everywhere (a CIDR, a DNS name),
 * checked at plan time by a precondition that names the construct, the prop and the form.
 */
import { randomBytes } from 'node:crypto';
import { Fn, Token } from './cdktf';

/** How a Terraform reference reaches the host's text. */
export interface Boundary {
  /** The Terraform expression the reference is replaced by, so its resolved text is quoted for the destination. */
  readonly encode?: (value: string) => string;
  /** An RE2 pattern the resolved value must match in full, checked at plan time. */
  readonly pattern?: string;
  /** What a matching value is, for the plan-time error ("a CIDR such as 203.0.113.0/24"). */
  readonly expected?: string;
}

/** RE2 (Terraform's regex): no C0 control characters and no DEL. */
const NO_CONTROL = '[^\\x00-\\x1f\\x7f]*';

/** Inside a double-quoted systemd value: backslash and quote escaped, `%` is a specifier. */
/** A literal in a Terraform expression: cdktf escapes its quotes, the backslashes are ours to double. */
/** A literal inside an HCL expression: backslashes doubled for HCL's string escapes. */
export const hclLiteral = (text: string) => Fn.rawString(text.replace(/\\/g, '\\\\'));
const escapeForSystemd = (v: string) => Fn.replace(Fn.replace(Fn.replace(v, hclLiteral('\\'), hclLiteral('\\\\')), hclLiteral('"'), hclLiteral('\\"')), '%', '%%');

/**
 * The boundaries references cross, by destination. The printers quote any text holding a
 * placeholder (`@`), so an encoded value sits inside the quotes the printer writes.
 */
export const BOUNDARIES = {
  /** Inside a quoted `Environment="NAME=…"`: `\`, `"` and `%` escaped; no line breaks. */
  systemdValue: { encode: escapeForSystemd, pattern: NO_CONTROL, expected: 'text without control characters (line breaks, tabs, NUL)' },
  /** Inside one quoted word of a systemd command line (ExecStart=), where `$` also expands: `$$`. */
  systemdWord: { encode: (v: string) => Fn.replace(escapeForSystemd(v), hclLiteral('$'), hclLiteral('$$')), pattern: NO_CONTROL, expected: 'text without control characters (line breaks, tabs, NUL)' },
  /** One bash word: single-quoted, a `'` inside closed and reopened. */
  shellWord: { encode: (v: string) => Fn.join('', [hclLiteral("'"), Fn.replace(v, hclLiteral("'"), hclLiteral("'\\''")), hclLiteral("'")]), pattern: NO_CONTROL, expected: 'text without control characters (line breaks, tabs, NUL)' },
  /** A value on one line of a configuration file (sysctl.d): no line breaks. */
  line: { pattern: NO_CONTROL, expected: 'text without control characters (line breaks, tabs, NUL)' },
  /** A whole file's content: base64 (the file is written with `encoding: b64`), so no YAML or file syntax applies. */
  fileContent: { encode: (v: string) => Fn.base64encode(v) },
  /** An S3 object key in a request path: percent-encoded except `/`; no wildcards (IAM would read them as patterns). */
  s3Key: { encode: (v: string) => Fn.replace(Fn.replace(Fn.urlencode(v), '%2F', '/'), '+', '%20'), pattern: '[^*?"\\\\\\x00-\\x1f\\x7f]+', expected: 'an S3 object key without *, ?, ", \\ or control characters' },
  s3Bucket: { pattern: '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]', expected: 'an S3 bucket name' },
  awsRegion: { pattern: '[a-z]{2}(-[a-z]+)+-[0-9]', expected: 'an AWS region such as eu-west-1' },
  sha256: { pattern: '[0-9a-f]{64}', expected: '64 lower-case hex digits' },
  cidr: { pattern: '[0-9.]+/[0-9]{1,2}|[0-9a-fA-F:]+/[0-9]{1,3}', expected: 'a CIDR such as 203.0.113.0/24' },
  dnsName: { pattern: '(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{2,63}', expected: 'a lower-case DNS name such as api.example.com' },
  /** A name Let's Encrypt validates by HTTP-01: no wildcard. */
  exactDnsName: { pattern: '([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9-]{2,63}', expected: "a lower-case DNS name without a wildcard (Let's Encrypt's HTTP-01 challenge cannot validate *.example.com; bring your own wildcard certificate)" },
  hostName: { pattern: '[A-Za-z0-9.:-]+', expected: 'a host name or an IP address' },
  hostPort: { pattern: '(\\[[0-9a-fA-F:]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}', expected: 'host:port, e.g. 10.0.1.5:8080' },
  /** A URL in a config file or a command word: no whitespace, quotes, backslashes or braces. */
  url: { pattern: 'https?://[^\\s"\'\\\\{}<>`^|]+', expected: 'an http(s) URL without spaces, quotes, backslashes or braces' },
  email: { pattern: '[^\\s@\'"\\\\`$;]+@[A-Za-z0-9.-]+', expected: 'an email address' },
  /** One KMS key (an IAM resource): no wildcard, nothing that ends a JSON string. */
  kmsKeyArn: { pattern: 'arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/[A-Za-z0-9/_-]+', expected: 'the ARN of one KMS key' },
  ssmParameterName: { pattern: '[A-Za-z0-9_./-]+', expected: 'an SSM parameter name such as /tls/api/cert' },
  secretId: { pattern: '[A-Za-z0-9/_+=.@:-]+', expected: 'a Secrets Manager secret name or ARN' },
  /** Values the library's own resources produce (IDs, ARNs, addresses): AWS's own syntax, nothing to quote. */
  trusted: {},
} as const satisfies Record<string, Boundary>;

/** A string token as cdktf encodes it in text. */
const TOKEN = /\$\{TfToken\[[^\]]*\]\}/g;

/**
 * The tokens users passed in props. Only these need a boundary; every other token in a host's
 * text is a reference the library made to its own resources (an address, an ARN, the region),
 * AWS's own syntax, and crosses as it is — so no call site has to remember to wrap one.
 */
const USER_TOKENS = new Set<string>();

/** Remembers every token in a construct's props (value objects included, constructs skipped). */
/** Whether `value` holds a reference that came from a user's prop (it must then cross a checked boundary). */
export function holdsUserReference(value: string): boolean {
  return [...value.matchAll(TOKEN)].some((m) => USER_TOKENS.has(m[0]));
}

export function rememberUserTokens(value: unknown, seen = new Set<unknown>()): void {
  if (typeof value === 'string') {
    for (const m of value.matchAll(TOKEN)) USER_TOKENS.add(m[0]);
    return;
  }
  if (value === null || typeof value !== 'object' || seen.has(value) || 'node' in (value as object)) return;
  seen.add(value);
  for (const v of Object.values(value as object)) rememberUserTokens(v, seen);
}

interface PlanCheck {
  readonly value: string;
  readonly boundary: Boundary;
  readonly prop: string;
}

export class LateBoundText {
  private readonly values: string[] = [];
  // Unguessable, so a literal value that looks like a placeholder stays text. Placeholders never reach the output.
  private readonly nonce = randomBytes(6).toString('hex');
  private readonly placeholder = new RegExp(`@@gohost-late-${this.nonce}-(\\d+)@@`, 'g');
  private readonly checks = new Map<string, PlanCheck>();

  /**
   * The value itself, or a placeholder when it is a Terraform reference: the reference crosses
   * `boundary` (quoted for its destination, and checked at plan time as `prop`).
   */
  public ref(value: string, boundary: Boundary = BOUNDARIES.trusted, prop = 'a value'): string {
    if (!Token.isUnresolved(value)) return value;
    this.check(value, boundary, prop);
    const expression = boundary.encode ? boundary.encode(value) : value;
    let i = this.values.indexOf(expression);
    if (i < 0) i = this.values.push(expression) - 1;
    return `@@gohost-late-${this.nonce}-${i}@@`;
  }

  /** Checks a reference at plan time without placing it in text (IAM documents, resource arguments). */
  public check(value: string, boundary: Boundary, prop: string): void {
    if (!Token.isUnresolved(value) || !boundary.pattern) return;
    this.checks.set(`${prop}|${value}|${boundary.pattern}`, { value, boundary, prop });
  }

  /** Every reference placed so far, as text: what cdktf's preparing pass needs to see (cross-stack references). */
  public references(): string {
    return this.values.join('\n');
  }

  public get hasLateBound(): boolean {
    return this.values.length > 0;
  }

  public finish(rendered: string): string {
    return escapeTerraformTemplate(rendered).replace(this.placeholder, (_, i: string) => this.values[Number(i)]);
  }

  /**
   * `value` with every Terraform reference the library made to its own resources (addresses,
   * ARNs, the region: AWS's own syntax) replaced by a placeholder, in every string of it, before a
   * renderer sees it. A user's reference is left as it is: it must cross a boundary of its own
   * (`ref`), and a raw one in the host's text fails synth.
   */
  public bindLibraryReferences<T>(value: T): T {
    if (typeof value === 'string') return value.replace(TOKEN, (t) => (USER_TOKENS.has(t) ? t : this.ref(t))) as T;
    if (Array.isArray(value)) return value.map((v) => this.bindLibraryReferences(v)) as T;
    if (value === null || typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return value;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.bindLibraryReferences(v)])) as T;
  }

  /** Terraform preconditions: every reference matches the form its boundary admits (fails the plan otherwise). */
  public preconditions(constructPath: string): Array<{ condition: string; error_message: string }> {
    return [...this.checks.values()].map((c) => ({
      condition: Fn.can(Fn.regex(hclLiteral(`^(?:${c.boundary.pattern})$`), c.value)) as unknown as string,
      error_message: `${constructPath}: ${c.prop} must be ${c.boundary.expected}.`,
    }));
  }
}

/** `${` → `$${` and `%{` → `%%{`: Terraform's escapes for literal template sequences. */
export function escapeTerraformTemplate(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * Escapes literal `${` / `%{` in a string that also holds cdktf tokens (IAM documents, tags,
 * descriptions): the tokens stay references, a user's literal `${path.cwd}` stays text.
 */
export function escapeLiteralTemplates(text: string): string {
  return text.replace(/\$\{(?!TfToken\[)/g, () => '$${').replace(/%\{/g, () => '%%{');
}
