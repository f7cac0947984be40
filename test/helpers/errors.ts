import { Testing, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { expect } from 'vitest';
import { inputFailures, PropFailure } from '../../lib';

export interface ReportedInput {
  /** What synthesis throws: every construct's failures, each under its path. */
  readonly message: string;
  readonly failures: readonly PropFailure[];
}

function constructIn(built: unknown): Construct {
  if (built instanceof Construct) return built;
  const found = Object.values((built ?? {}) as object).find((v) => v instanceof Construct);
  if (!found) throw new Error('build() must return a construct or an object holding one');
  return found;
}

/** Builds, then synthesizes with validations: the input failures reported (the test fails if there are none). */
export function validationError(build: () => unknown): ReportedInput {
  const stack = TerraformStack.of(constructIn(build()));
  const failures = inputFailures(stack).flatMap((r) => r.failures);
  let message: string | undefined;
  try {
    Testing.synth(stack, true);
  } catch (e) {
    message = (e as Error).message;
  }
  expect(message, 'expected synthesis to fail').toBeDefined();
  expect(failures.length, 'expected input failures').toBeGreaterThan(0);
  return { message: message!, failures };
}
