import { defineProject } from 'vitest/config';

// The end-to-end test starts the orchestrator and the stub agents as processes against the broker of
// the test run (and, by hand without KAFKA_BOOTSTRAP, a JVM): generous timeouts for a busy machine.
export default defineProject({
  test: { name: 'demo', include: ['test/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000 },
});
