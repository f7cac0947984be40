/**
 * Props through their checks: each stage sees the props that passed the stages before it, and the
 * props that failed are left out (required ones replaced by a placeholder). Pure.
 */
import { PropChecks, PropFailure } from './prop-checks';

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
