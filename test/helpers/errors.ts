import { expect } from 'vitest';
import { GoHostValidationError } from '../../lib';

/** The validation error `build` throws (the test fails if it throws none or another kind). */
export function validationError(build: () => unknown): GoHostValidationError {
  try {
    build();
  } catch (e) {
    expect(e).toBeInstanceOf(GoHostValidationError);
    return e as GoHostValidationError;
  }
  throw new Error('expected a validation error');
}
