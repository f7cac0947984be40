/**
 * Synth-time input errors: every failure names the prop, the bad value and the fix; cdktf reports
 * them for every construct of the stack at once, each under its construct path. Pure: no cdktf imports.
 */

export interface PropFailure {
  /** The prop as the user wrote it, with an index for list items (`adminSshCidrs[1]`). */
  readonly prop: string;
  readonly value: unknown;
  readonly problem: string;
  readonly fix: string;
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return '(not set)';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

export function formatFailure(f: PropFailure): string {
  return `${f.prop} = ${show(f.value)}: ${f.problem}. Fix: ${f.fix}`;
}

/** Collects a construct's failures; the construct reports them at synth with every other construct's. */
export class PropChecks {
  private readonly failures: PropFailure[] = [];

  public fail(prop: string, value: unknown, problem: string, fix: string): void {
    this.failures.push({ prop, value, problem, fix });
  }

  public get all(): readonly PropFailure[] {
    return this.failures;
  }
}
