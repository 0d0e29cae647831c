// `pipeline-bench [--burst 1000] [--small-burst 100] [--sequential 100] [--only SYSTEM,…] [--dir .bench]`.

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wholeNumber } from './args.js';
import { plotPng } from './plot.js';
import { figuresTable, verdictLines, verdicts } from './report.js';
import { runBench } from './run-bench.js';
import { SYSTEMS, type SystemName } from './systems.js';

export const USAGE = `usage: pipeline-bench [--burst N] [--small-burst N] [--sequential N] [--warmup N] [--rounds N] [--only SYSTEM,…] [--dir DIR] [--profile]
       (in the repository: pnpm bench …)

Runs the orchestrator, a transactional relay and a plain relay (the same Kafka hops, no state) and
a Kafka Streams application (the same hops, exactly_once_v2, a persistent state store; Java 17+,
built with Maven into apps/bench/streams/target when missing or older than its sources), one after
another on fresh topics of one broker (KAFKA_BOOTSTRAP, or one started in DIR/kafka), with the same
stub agents (think time 0): N requests at once (default 1000), then 100 at once, then 100 one at a
time; --rounds N (default 3) measures each system N times, the order rotated, and takes the
medians. Prints the figures and the ratios against the targets; writes DIR/bench.json and
DIR/bench.png (default DIR .bench); --profile also a CPU profile of each Node system's process in
DIR/profiles/<system>/ (open it in Chrome DevTools). Systems: ${SYSTEMS.join(', ')}.
Exit code 0 when the run completed (targets met or not), 1 when it failed, 2 for a usage error.`;

/** Runs the command; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let options: Parameters<typeof runBench>[0];
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        burst: { type: 'string' },
        'small-burst': { type: 'string' },
        sequential: { type: 'string' },
        warmup: { type: 'string' },
        rounds: { type: 'string' },
        only: { type: 'string' },
        dir: { type: 'string' },
        profile: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const systems = (values.only?.split(',').map((s) => s.trim()) ?? [...SYSTEMS]) as SystemName[];
    const unknown = systems.filter((s) => !SYSTEMS.includes(s));
    if (unknown.length > 0)
      throw new Error(`unknown system ${unknown.join(', ')}; known: ${SYSTEMS.join(', ')}`);
    options = {
      dir: resolve(values.dir ?? '.bench'),
      systems,
      burst: wholeNumber(values.burst, 1000, 'burst', 1, 100_000),
      smallBurst: wholeNumber(values['small-burst'], 100, 'small-burst', 1, 100_000),
      sequential: wholeNumber(values.sequential, 100, 'sequential', 1, 100_000),
      warmup: wholeNumber(values.warmup, 50, 'warmup', 1, 100_000),
      rounds: wholeNumber(values.rounds, 3, 'rounds', 1, 100),
      partitions: 12,
      tasks: 3,
      profile: values.profile === true,
      say: (line) => console.log(line),
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  try {
    const figures = await runBench(options);
    const table = figuresTable(figures);
    const lines = verdictLines(verdicts(figures));
    console.log(`\n${table}\n\n${lines.join('\n')}`);
    const when = new Date().toISOString();
    writeFileSync(join(options.dir, 'bench.json'), `${JSON.stringify({ when, figures }, null, 2)}\n`);
    writeFileSync(
      join(options.dir, 'bench.png'),
      await plotPng(figures, `pnpm bench, ${when.slice(0, 16)}Z`),
    );
    console.log(`\nwrote ${join(options.dir, 'bench.json')} and bench.png`);
    return 0;
  } catch (error) {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return 1;
  }
}
