import { defineConfig } from 'vitest/config';

// One run over every workspace package (each has its own vitest.config.ts with a name and an
// explicit include). `pnpm test` (scripts/test.mjs) starts one broker and hands it to all of them.
export default defineConfig({
  test: {
    projects: ['packages/*', 'apps/*', 'tests'],
  },
});
