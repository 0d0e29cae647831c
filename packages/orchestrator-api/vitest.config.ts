import { defineProject } from 'vitest/config';

export default defineProject({
  test: { name: 'orchestrator-api', include: ['test/**/*.test.ts'] },
});
