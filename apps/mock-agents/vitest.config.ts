import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'mock-agents', include: ['test/**/*.test.ts'] },
});
