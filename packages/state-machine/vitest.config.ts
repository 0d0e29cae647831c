import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'state-machine', include: ['test/**/*.test.ts'] },
});
