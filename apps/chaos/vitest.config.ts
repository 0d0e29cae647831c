import { defineProject } from 'vitest/config';

// The CI subset starts its own 3-broker cluster (three JVMs) and runs the real services as processes:
// generous timeouts for a busy 2-core machine.
export default defineProject({
  test: { name: 'chaos', include: ['test/**/*.test.ts'], testTimeout: 900_000, hookTimeout: 300_000 },
});
