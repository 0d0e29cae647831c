import { defineProject } from 'vitest/config';

// The tests here are unit tests (arguments, validation, generated files) and start no JVM; the
// launcher's end-to-end test is tests/launcher.test.ts (project `repo`). The timeouts still fit a test
// that starts a broker on a busy 2-core machine (two start attempts of up to 90 s each, and the stop).
export default defineProject({
  test: {
    name: 'kafka-launcher',
    include: ['test/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 300_000,
  },
});
