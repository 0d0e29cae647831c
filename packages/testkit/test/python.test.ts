import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensurePythonEnv, PYTHON_REQUIREMENTS, preparePythonEnv } from '../src/index.js';

// The venv mechanics on a requirements file without packages (no PyPI download), in a cache of its
// own. The real requirements are installed by the first integration test that produces with
// librdkafka (packages/kafka/test/compression.integration.test.ts and others).
describe('ensurePythonEnv', () => {
  const cache = mkdtempSync(join(tmpdir(), 'pipeline-python-test-'));
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('pins the tooling packages exactly', () => {
    const pins = execFileSync('grep', ['-v', '^#', PYTHON_REQUIREMENTS], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '');
    expect(pins.length).toBeGreaterThan(0);
    for (const pin of pins) expect(pin).toMatch(/^[A-Za-z0-9_.-]+==[0-9][A-Za-z0-9.]*$/);
  });

  it('fails with a clear message, never a skip, when the interpreter is missing', async () => {
    await expect(ensurePythonEnv({ python: 'no-such-python3', cacheDir: cache })).rejects.toThrow(
      /no-such-python3 not found: .*need Python 3 with venv.*PIPELINE_PYTHON/,
    );
    // The beforeAll form never rejects (a failing hook would only skip the tests): the tests then fail.
    await expect(preparePythonEnv({ python: 'no-such-python3', cacheDir: cache })).resolves.toBeUndefined();
  });

  it('makes one venv per requirements file, reused by concurrent callers, and leaves no half-built copy', async () => {
    const requirements = join(cache, 'requirements.txt');
    writeFileSync(requirements, '# nothing to install\n');
    // Two spellings of the same interpreter: two callers racing for the same venv.
    const absolute = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], {
      encoding: 'utf8',
    }).trim();
    const [a, b] = await Promise.all([
      ensurePythonEnv({ python: 'python3', requirements, cacheDir: cache }),
      ensurePythonEnv({ python: absolute, requirements, cacheDir: cache }),
    ]);
    expect(a).toBe(b);
    expect(a.startsWith(cache)).toBe(true);
    const prefix = execFileSync(a, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).trim();
    expect(existsSync(join(prefix, 'pyvenv.cfg'))).toBe(true);
    expect(readdirSync(cache).filter((name) => name.includes('.building-'))).toEqual([]);
  }, 180_000);
});
