// The Python contracts package as a Python agent's author gets it: pip-installed from the repository
// path into a fresh venv, then every golden vector read with it (scripts/python-contracts/test.sh).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/python-contracts/test.sh', import.meta.url));

it('installs with pip from the repository and reads every golden vector', { timeout: 300_000 }, () => {
  // A venv per run and Node version: two runs of the suite may overlap on one machine.
  const venv = `${process.env.TMPDIR ?? '/tmp'}/pipeline-contracts-venv-${process.pid}`;
  const result = spawnSync('bash', [script], {
    encoding: 'utf8',
    timeout: 280_000,
    env: { ...process.env, PY_CONTRACTS_VENV: venv },
  });
  spawnSync('rm', ['-rf', venv]);
  const output = `${result.stdout}${result.stderr}`;
  expect(result.status, output).toBe(0);
  expect(output).toMatch(/Ran 2 tests/);
  expect(output).toMatch(/\nOK\n/);
});
