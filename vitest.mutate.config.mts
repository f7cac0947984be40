import { defineConfig } from 'vitest/config';

// The tests `npm run mutate` runs against each mutant of an area (MUTATE_AREA, see
// stryker.config.mjs): that area's own tests, none that boots, plans or starts a server.
const TESTS: Record<string, string[]> = {
  render: ['test/render/**/*.test.ts'],
  input: [
    'test/constructs/{bad-input-corpus,front-door-validation,validation,input-safety,string-props.property}.test.ts',
    'test/private/late-bound.test.ts',
  ],
  policy: ['test/policy/**/*.test.ts'],
};

export default defineConfig({
  test: {
    include: TESTS[process.env.MUTATE_AREA ?? 'render'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
