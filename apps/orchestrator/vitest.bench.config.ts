import { defineProject } from 'vitest/config';

// Benchmarks print figures; they are not part of `pnpm test` (speed targets are not timed tests).
export default defineProject({
  test: {
    name: 'orchestrator-bench',
    include: ['bench/**/*.bench.ts'],
    testTimeout: 600_000,
    hookTimeout: 120_000,
  },
});
