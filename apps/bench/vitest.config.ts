import { defineProject } from 'vitest/config';

// The relay's routing and the figures (pure), and both relays against the real broker: the
// benchmark itself is `pnpm bench`, not a test. Generous timeouts for a busy 2-core machine.
export default defineProject({
  test: { name: 'bench', include: ['test/**/*.test.ts'], testTimeout: 180_000, hookTimeout: 60_000 },
});
