import { defineConfig } from 'vitest/config';

// The VM proofs, after the rest of the suite: one file per host (and one for the unit proofs), two
// VMs at a time. Under TCG a guest mostly keeps one core busy (dpkg), so two share the machine's
// two cores; the image and repository builds they share are serialized by locks.
export default defineConfig({
  test: {
    include: ['test/integration/units-boot.test.ts', 'test/integration/boot-*.test.ts'],
    testTimeout: 600_000,
    hookTimeout: 1_800_000,
    fileParallelism: true,
    maxWorkers: 2,
    reporters: ['default'],
  },
});
