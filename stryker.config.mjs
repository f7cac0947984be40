// `npm run mutate` (scripts/mutate.ts): StrykerJS over the pure modules, one area at a time with
// the tests of that area (MUTATE_AREA; vitest.mutate.config.mts reads it too). A benchmark, not CI:
// it prints each area's mutation score and every surviving mutant.
const AREAS = {
  render: ['lib/render/**/*.ts'],
  input: ['lib/input/**/*.ts'],
  policy: ['lib/policy/**/*.ts'],
};
const area = process.env.MUTATE_AREA ?? 'render';
if (!AREAS[area]) throw new Error(`MUTATE_AREA must be one of ${Object.keys(AREAS).join(', ')}`);

export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutate.config.mts', related: false },
  mutate: AREAS[area],
  coverageAnalysis: 'perTest',
  reporters: ['clear-text', 'progress'],
  clearTextReporter: { allowColor: false, logTests: false, maxTestsToLog: 0 },
  concurrency: 2,
  timeoutMS: 60_000,
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
