import { defineProject } from 'vitest/config';

// Some checks start processes (the launcher test starts a Kafka JVM, twice when the first start is
// slow, and stops it): on a busy 2-core machine that takes far longer than vitest's 5 s default.
export default defineProject({
  test: { name: 'repo', include: ['**/*.test.ts'], testTimeout: 600_000, hookTimeout: 300_000 },
});
