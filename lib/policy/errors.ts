/**
 * Synth-time input errors: every failure names the prop, the bad value and the fix, and all of a
 * construct's failures are reported in one error. Pure: no cdktf imports.
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

export class GoHostValidationError extends Error {
  constructor(
    public readonly constructPath: string,
    public readonly failures: readonly PropFailure[],
  ) {
    super(
      `${constructPath}: ${failures.length} invalid input${failures.length === 1 ? '' : 's'}:\n` +
        failures.map((f) => `  - ${formatFailure(f)}`).join('\n'),
    );
    this.name = 'GoHostValidationError';
  }
}

/** Collects failures, then throws them together. */
export class PropChecks {
  private readonly failures: PropFailure[] = [];

  public fail(prop: string, value: unknown, problem: string, fix: string): void {
    this.failures.push({ prop, value, problem, fix });
  }

  public get all(): readonly PropFailure[] {
    return this.failures;
  }

  public throwIfAny(constructPath: string): void {
    if (this.failures.length > 0) throw new GoHostValidationError(constructPath, this.failures);
  }
}
