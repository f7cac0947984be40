import { defineConfig } from 'vitest/config';

// The tests are TypeScript; build/ holds the compiled program only.
export default defineConfig({ test: { include: ['*.test.ts'], testTimeout: 120_000 } });
