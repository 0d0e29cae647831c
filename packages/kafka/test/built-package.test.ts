import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// vitest resolves CommonJS named exports that Node's own ESM loader does not (kafkajs is CommonJS):
// the built package must load under plain `node`, as the services run it.
describe('the built package', () => {
  it('loads under plain node, records half included', () => {
    const dist = fileURLToPath(new URL('../dist/', import.meta.url));
    const script = `await import(${JSON.stringify(`${dist}index.js`)}); await import(${JSON.stringify(`${dist}records/index.js`)});`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
