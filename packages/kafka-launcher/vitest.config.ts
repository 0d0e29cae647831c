import { defineProject } from 'vitest/config';

// The tests here are unit tests (arguments, validation, generated files) that start no JVM, except
// test/cluster.integration.test.ts: a real 3-node cluster in a temporary home, one node killed and
// restarted. The single broker's end-to-end test is tests/launcher.test.ts (project `repo`). The
// timeouts fit JVM starts on a busy 2-core machine (two start attempts of up to 90 s each, the stop).
export default defineProject({
  test: {
    name: 'kafka-launcher',
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
