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
    // Two files at a time on the 2-core CI machine (vitest's default there is one): the loopback and
    // tool tests spend much of their time waiting on servers and processes. 1134 s -> 922 s measured.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
