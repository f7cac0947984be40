/**
 * Bad input is reported at synthesis, for every construct of the stack at once: a construct that
 * finds failures records them as a validation and goes on building without the props that failed
 * (required ones get a placeholder), so the constructs after it are checked too.
 */
import { IConstruct } from 'constructs';
import { formatFailure, PropChecks, PropFailure } from '../policy/errors';
import { Annotations } from '../private/cdktf';

/** Props after the checks: the ones that failed removed or replaced, with the failures and warnings. */
export interface CheckedProps<P> {
  readonly props: P;
  readonly failures: readonly PropFailure[];
  readonly warnings: readonly string[];
}

/** The top-level prop a failure is about (`adminSshCidrs[1]` → `adminSshCidrs`, `artifact.url` → `artifact`). */
function topLevel(prop: string): string {
  return prop.split(/[.[]/)[0];
}

/**
 * `props` without the props that failed: optional ones fall back to their defaults, required
 * ones to a placeholder (a required prop that is missing fails the check that requires it). The construct is built on these only to check the rest of the stack; a
 * stack with failures never synthesizes.
 */
export function withoutFailed<P extends object>(props: unknown, failures: readonly PropFailure[], placeholders: Partial<P>): P {
  const valid: Record<string, unknown> = typeof props === 'object' && props !== null ? { ...props } : {};
  for (const name of new Set(failures.map((f) => topLevel(f.prop)))) {
    delete valid[name];
    if (name in placeholders) valid[name] = (placeholders as Record<string, unknown>)[name];
  }
  return valid as P;
}

/** Runs the stages in order; each sees the props that passed the stages before it (types first). */
export function checkProps<P extends object>(
  props: P,
  placeholders: Partial<P>,
  ...stages: Array<(props: P, checks: PropChecks, warnings: string[]) => void>
): CheckedProps<P> {
  const checks = new PropChecks();
  const warnings: string[] = [];
  // The first stage (types) sees the props as given, even when they are not an object.
  let valid = props;
  for (const stage of stages) {
    const before = checks.all.length;
    stage(valid, checks, warnings);
    valid = withoutFailed<P>(valid, checks.all.slice(before), placeholders);
  }
  return { props: valid, failures: checks.all, warnings };
}

const REPORTED = new WeakMap<IConstruct, PropFailure[]>();

/**
 * Records failures on a construct: they fail synthesis (cdktf runs every construct's validations
 * and reports them together). Warnings become annotations.
 */
export function reportInput(construct: IConstruct, input: { readonly failures: readonly PropFailure[]; readonly warnings?: readonly string[] }): void {
  input.warnings?.forEach((w) => Annotations.of(construct).addWarning(w));
  if (input.failures.length === 0) return;
  let list = REPORTED.get(construct);
  if (!list) {
    const failures: PropFailure[] = [];
    list = failures;
    REPORTED.set(construct, failures);
    construct.node.addValidation({
      validate: () => {
        withoutStackTrace();
        return failures.map(formatFailure);
      },
    });
  }
  list.push(...input.failures);
}

/** One failure, reported like the others (for checks that run when a method is called). */
export function reportFailure(construct: IConstruct, prop: string, value: unknown, problem: string, fix: string): void {
  reportInput(construct, { failures: [{ prop, value, problem, fix }] });
}

/**
 * The construct path is written into names, tags, descriptions and alarm texts, which are
 * Terraform strings: an ID holding `${`, `%{` or a control character is refused.
 */
export function checkConstructPath(construct: IConstruct): void {
  if (/\$\{|%\{|[\u0000-\u001f\u007f]/.test(construct.node.path)) {
    reportFailure(construct, 'id', construct.node.path, 'holds Terraform template syntax or a control character, and the construct path is written into resource names, tags and descriptions',
      'use letters, digits, dashes and underscores in construct IDs');
  }
}

/** Every input failure recorded under `scope`, by construct path (empty when the input is good). */
export function inputFailures(scope: IConstruct): Array<{ readonly path: string; readonly failures: readonly PropFailure[] }> {
  return scope.node
    .findAll()
    .filter((c) => (REPORTED.get(c)?.length ?? 0) > 0)
    .map((c) => ({ path: c.node.path, failures: [...REPORTED.get(c)!] }));
}

let savedLimit: number | undefined;

/**
 * cdktf throws the collected report right after the validations return: without frames it
 * prints as the report alone, not as a stack trace into cdktf's internals. Restored at once after.
 */
function withoutStackTrace(): void {
  if (savedLimit !== undefined) return;
  savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  setImmediate(() => {
    Error.stackTraceLimit = savedLimit!;
    savedLimit = undefined;
  });
}
