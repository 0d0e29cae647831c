import { defineProject } from 'vitest/config';

// Integration tests start agents against the real broker (group joins, rebalances): allow them time
// on a busy machine.
export default defineProject({
  test: { name: 'mock-agents', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
