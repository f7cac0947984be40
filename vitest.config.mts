import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The VM boots run alone afterwards (vitest.boot.config.mts): two cores are not enough for both.
    // test/user-project is a user's project: its tests run inside it (test/tools/package.test.ts).
    exclude: ['test/integration/boot-*.test.ts', 'test/integration/units-boot.test.ts', 'test/user-project/**', 'node_modules/**'],
    // Tool-backed tests (terraform init, nginx, VM boots) take longer than unit tests.
    testTimeout: 600_000,
    hookTimeout: 900_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
