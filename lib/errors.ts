/**
 * The library's one error class, for mistakes in how constructs are combined that no prop check
 * can see (a file or an instance tag set twice with different contents). Bad prop values are not
 * thrown: they are reported for the whole stack at synth (see `inputFailures`). Pure.
 */
export class GoHostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoHostError';
  }
}
