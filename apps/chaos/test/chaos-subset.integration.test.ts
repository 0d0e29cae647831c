import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChaosCluster, ensureCluster } from '../src/cluster.js';
import { runChaos } from '../src/run.js';
import { CI_SCENARIOS, SCENARIOS } from '../src/scenarios/index.js';

// The time-bounded subset of `pnpm chaos` that the README's test command runs (issue 11): the SIGKILL
// run, one broker bounce on 3 brokers, the zombie and poison, at reduced size (`--size ci`), on a
// 3-broker cluster of its own (three JVMs beside the test run's broker). Each scenario ends with the
// independent audit; its figures are printed. The full suite and its figures: docs/reliability.md.

const dir = mkdtempSync(join(tmpdir(), 'chaos-ci-'));
let cluster: ChaosCluster;

beforeAll(async () => {
  cluster = await ensureCluster(join(dir, 'cluster'), (line) => console.log(line));
}, 300_000);

afterAll(async () => {
  await cluster?.down();
  rmSync(dir, { recursive: true, force: true });
}, 120_000);

describe('the fault suite, CI subset, on 3 brokers', () => {
  for (const name of CI_SCENARIOS) {
    it(`${name}: nothing lost, nothing repeated, no frozen partition, no orchestrator exit`, async () => {
      const scenario = SCENARIOS.find((s) => s.name === name);
      if (!scenario) throw new Error(`no scenario ${name}`);
      const report = await runChaos({ scenarios: [scenario], size: 'ci', dir, keepCluster: true });
      const [result] = report.scenarios;
      expect(result?.problems ?? ['no result']).toEqual([]);
      expect(result?.figures).toMatchObject({ lost: 0, duplicated: 0, frozenPartitions: 0 });
      expect(result?.pass).toBe(true);
    });
  }
});
