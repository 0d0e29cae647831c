import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'failure-markers', include: ['test/**/*.test.ts'] },
});
