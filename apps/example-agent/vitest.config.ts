import { defineProject } from 'vitest/config';

// The test starts the agent's process against the real broker: allow it time on a busy machine.
export default defineProject({
  test: { name: 'example-agent', include: ['test/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 120_000 },
});
