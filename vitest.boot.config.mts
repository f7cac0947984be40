import { defineConfig } from 'vitest/config';

// The boot proofs: one VM at a time, after the rest of the suite.
export default defineConfig({
  test: {
    include: ['test/integration/units-boot.test.ts', 'test/integration/boot.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    fileParallelism: false,
    reporters: ['default'],
  },
});
