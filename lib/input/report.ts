/**
 * Bad input is reported at synthesis, for every construct of the stack at once: a construct that
 * finds failures records them as a validation and goes on building without the props that failed
 * (required ones get a placeholder), so the constructs after it are checked too.
 */
import { IConstruct } from 'constructs';
import { formatFailure, PropFailure } from './prop-checks';
import { Annotations, Aspects, TerraformStack } from '../private/cdktf';

export { checkProps, withoutFailed } from './check';
export type { CheckedProps } from './check';

const REPORTED = new WeakMap<IConstruct, PropFailure[]>();

/**
 * Records failures on a construct: they fail synthesis (cdktf runs every construct's validations
 * and reports them together). Warnings become annotations.
 */
export function reportInput(construct: IConstruct, input: { readonly failures: readonly PropFailure[]; readonly warnings?: readonly string[] }): void {
  input.warnings?.forEach((w) => {
    Annotations.of(construct).addWarning(w);
    printAtSynth(construct, w);
  });
  if (input.failures.length === 0) return;
  refuseSynthesisWithoutValidation(construct);
  listValidatedOn(REPORTED, construct, (failures) => {
    withoutStackTrace();
    return failures.map(formatFailure);
  }).push(...input.failures);
}

/** The list `map` keeps for `construct`, made on first use with a validation of the construct that reads it. */
function listValidatedOn<T>(map: WeakMap<IConstruct, T[]>, construct: IConstruct, validate: (items: T[]) => string[]): T[] {
  let list = map.get(construct);
  if (!list) {
    const items: T[] = [];
    list = items;
    map.set(construct, items);
    construct.node.addValidation({ validate: () => validate(items) });
  }
  return list;
}

const GUARDED = new WeakSet<IConstruct>();

/**
 * With validations skipped (`new App({ skipValidation: true })`) a construct with failed props
 * would synthesize with defaults and placeholders in their place: an aspect (aspects run at every
 * synthesis) stops it with the same report.
 */
function refuseSynthesisWithoutValidation(construct: IConstruct): void {
  const stack = TerraformStack.of(construct);
  if (GUARDED.has(stack)) return;
  GUARDED.add(stack);
  Aspects.of(stack).add({
    visit: (node) => {
      if (node !== stack) return;
      const report = inputFailures(stack).flatMap((r) => r.failures.map((f) => `  [${r.path}] ${formatFailure(f)}`));
      if (report.length === 0) return;
      withoutStackTrace();
      throw printedIfUncaught(new Error(`Validation failed with the following errors (cdktf-gohost checks its input even with skipValidation):\n${report.join('\n')}`));
    },
  });
}

const PRINTED = new WeakMap<IConstruct, string[]>();

/**
 * The cdktf CLI prints annotations from the manifest; an app run with plain `node` or `tsx` would
 * show none, so the warnings of a stack go to stderr when its validations run. Not under the CLI
 * (CDKTF_OUTDIR) nor a test runner (which reads them).
 */
function printAtSynth(construct: IConstruct, warning: string): void {
  if (process.env.CDKTF_OUTDIR !== undefined || process.env.VITEST !== undefined) return;
  listValidatedOn(PRINTED, TerraformStack.of(construct), (lines) => {
    for (const line of lines.splice(0)) process.stderr.write(`[WARNING] ${line}\n`);
    return [];
  }).push(`[${construct.node.path}] ${warning}`);
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
/**
 * An app run with plain `node` or `tsx` that does not catch `error` gets its message alone on
 * stderr and exit code 1, not Node's internal frames around it (`node:internal/modules/run_main`,
 * `triggerUncaughtException(`). A test that expects the error still catches it; any other uncaught
 * error is rethrown to Node's own handling.
 */
function printedIfUncaught(error: Error): Error {
  REPORTS.add(error);
  // Installed already (by an earlier report, or by someone else): the report is known to ours either way.
  if (process.hasUncaughtExceptionCaptureCallback()) return error;
  process.setUncaughtExceptionCaptureCallback((uncaught) => {
    if (uncaught instanceof Error && REPORTS.has(uncaught)) {
      process.stderr.write(`${uncaught.message}\n`);
      process.exit(1);
    }
    // Not ours: Node's own handling, as if the callback were not there.
    process.setUncaughtExceptionCaptureCallback(null);
    process.nextTick(() => { throw uncaught; });
  });
  return error;
}
const REPORTS = new WeakSet<Error>();

function withoutStackTrace(): void {
  if (savedLimit !== undefined) return;
  savedLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  setImmediate(() => {
    Error.stackTraceLimit = savedLimit!;
    savedLimit = undefined;
  });
}
