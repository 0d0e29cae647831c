import { defineProject } from 'vitest/config';

// Integration tests talk to a real broker (group joins, rebalances): allow them time.
export default defineProject({
  test: { name: 'kafka', include: ['test/**/*.test.ts'], testTimeout: 60_000, hookTimeout: 60_000 },
});
