import { defineProject } from 'vitest/config';

// The integration test starts agents against the real broker (group joins, rebalances): allow them
// time on a busy machine.
export default defineProject({
  test: { name: 'agent', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
