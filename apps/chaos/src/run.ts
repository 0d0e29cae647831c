// Runs scenarios one after the other on one cluster: each on its own topic prefix, with the cluster
// back in sync before the next; prints a line per scenario and writes the JSON report.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { errorMessage } from '@pipeline/common';
import { type ChaosCluster, ensureCluster } from './cluster.js';
import { buildReport, formatLine, type Report, writeReport } from './report.js';
import type { Scenario, ScenarioResult, Size } from './scenario.js';

export interface ChaosOptions {
  scenarios: readonly Scenario[];
  size: Size;
  /** The suite's folder: the cluster's run state (cluster/), logs (runs/<time>/) and reports. */
  dir: string;
  /** Leave the cluster running at the end (it is reused by the next run). */
  keepCluster?: boolean;
  say?: (line: string) => void;
}

export async function runChaos(options: ChaosOptions): Promise<Report> {
  const say = options.say ?? ((line: string) => console.log(line));
  const startedAt = new Date().toISOString();
  const tag = Date.now().toString(36);
  const runDir = join(options.dir, 'runs', startedAt.replace(/[:.]/g, '-'));
  say(`chaos: ${options.scenarios.length} scenario(s), size ${options.size}, logs in ${runDir}`);
  const cluster: ChaosCluster = await ensureCluster(join(options.dir, 'cluster'), say);
  say(
    `cluster: ${cluster.nodeIds.length} brokers at ${cluster.bootstrap}${cluster.startedHere ? '' : ' (reused)'}`,
  );
  const results: ScenarioResult[] = [];
  try {
    for (const scenario of options.scenarios) {
      say(`\n▶ ${scenario.name}: ${scenario.title}`);
      const t0 = Date.now();
      let result: ScenarioResult;
      try {
        await cluster.waitInSync();
        const outcome = await scenario.run({ cluster, size: options.size, runDir, tag, say });
        result = { name: scenario.name, durationMs: Date.now() - t0, ...outcome };
      } catch (error) {
        result = {
          name: scenario.name,
          pass: false,
          figures: {},
          problems: [errorMessage(error)],
          // Where it was thrown, for the report (a broker error alone rarely says which client).
          ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
          durationMs: Date.now() - t0,
        };
      }
      results.push(result);
      say(formatLine(result));
      for (const problem of result.problems.slice(0, 10)) say(`    ${problem}`);
    }
  } finally {
    if (cluster.startedHere && !options.keepCluster) await cluster.down().catch(() => {});
  }
  const report = buildReport({
    startedAt,
    finishedAt: new Date().toISOString(),
    size: options.size,
    commit: gitCommit(),
    cluster: { brokers: cluster.nodeIds.length, bootstrap: cluster.bootstrap },
    scenarios: results,
  });
  const file = writeReport(options.dir, report);
  say(`\n${report.passed} passed, ${report.failed} failed; report ${file}`);
  return report;
}

function gitCommit(): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return undefined;
  }
}
