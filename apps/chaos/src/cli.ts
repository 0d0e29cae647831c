// `pipeline-chaos [--only a,b] [--size full|ci] [--dir .chaos] [--keep-cluster] [--list]`.

import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { runChaos } from './run.js';
import type { Size } from './scenario.js';
import { SCENARIOS } from './scenarios/index.js';

export const USAGE = `usage: pipeline-chaos [--only NAME[,NAME…]] [--size full|ci] [--dir DIR] [--keep-cluster] [--list]
       (in the repository: pnpm chaos …)

Runs the fault scenarios against a 3-broker Kafka cluster (started by the launcher in DIR/cluster,
or reused) with the orchestrator, the stub agents and the CLI as processes; each ends with an
independent exactly-once audit. One line per scenario, a JSON report in DIR (default .chaos).
Exit code 0 when every scenario passes, 1 when one fails, 2 for a usage error.`;

/** Runs the command; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let values: {
    only?: string;
    size?: string;
    dir?: string;
    'keep-cluster'?: boolean;
    list?: boolean;
    help?: boolean;
  };
  try {
    values = parseArgs({
      args: [...argv],
      options: {
        only: { type: 'string' },
        size: { type: 'string' },
        dir: { type: 'string' },
        'keep-cluster': { type: 'boolean' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.list) {
    for (const s of SCENARIOS) console.log(`${s.name.padEnd(34)} ${s.title}`);
    return 0;
  }
  const size = (values.size ?? 'full') as Size;
  if (size !== 'full' && size !== 'ci') {
    console.error(`--size ${values.size}: use full (the issue's sizes) or ci (reduced)\n\n${USAGE}`);
    return 2;
  }
  const names = values.only ? values.only.split(',').map((n) => n.trim()) : SCENARIOS.map((s) => s.name);
  const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0) {
    console.error(
      `unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
    return 2;
  }
  const report = await runChaos({
    scenarios: SCENARIOS.filter((s) => names.includes(s.name)),
    size,
    dir: resolve(values.dir ?? '.chaos'),
    keepCluster: values['keep-cluster'] === true,
  });
  return report.failed === 0 ? 0 : 1;
}
