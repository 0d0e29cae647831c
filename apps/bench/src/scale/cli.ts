// `pipeline-bench-scale [--records N] [--real N] [--instances N] [--lookups N] [--dir DIR]`.

import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { wholeNumber } from '../args.js';
import { runScale, type ScaleFigures } from './run-scale.js';

export const SCALE_USAGE = `usage: pipeline-bench-scale [--records N] [--real N] [--instances N] [--lookups N] [--dir DIR]
       (in the repository: pnpm bench:scale …)

Writes N finished requests to the state topic of one broker (KAFKA_BOOTSTRAP, or one started in
DIR/kafka; default 1,000,000), runs --real requests through the pipeline (default 10,000), then
starts --instances orchestrators (default 4) and prints: memory and time to ready per instance, a warm
restart, the p50/p99 of --lookups GET /requests/{id} asked of instances that do not own the id
(default 1,000), and the takeover after one instance is SIGKILLed. Writes DIR/scale.json (default
DIR .bench); SCALE_LOG_LEVEL=info makes the instances' logs (DIR/orchestrator-N.log) say more. Every
instance keeps on disk (its state store, SQLite) the requests of the partitions it owns, and in
memory only the unfinished ones.
Exit code 0 when the run completed (targets met or not), 1 when it failed, 2 for a usage error.`;

/** The targets of issue 14, against the figures. */
export function scaleVerdicts(f: ScaleFigures): string[] {
  const line = (met: boolean, text: string) => `${met ? 'met    ' : 'NOT MET'}  ${text}`;
  // The peak counts: an instance that needs more while it reads its history needs that much.
  const rss = Math.max(...f.cold.map((c) => c.peakRssMb));
  return [
    line(rss <= 300, `RSS per instance: at most ${rss.toFixed(0)} MB at its peak (target ≤ 300 MB)`),
    line(f.warmRestartSeconds <= 5, `warm restart: ${f.warmRestartSeconds.toFixed(1)} s (target ≤ 5 s)`),
    line(
      f.takeoverAfterSessionSeconds <= 10,
      `takeover: ${f.takeoverAfterSessionSeconds.toFixed(1)} s after the session timeout (target ≤ 10 s)`,
    ),
    line(
      f.lookupMs.p99 <= 20,
      `lookup p99 from a non-owner: ${f.lookupMs.p99.toFixed(1)} ms (target ≤ 20 ms)`,
    ),
  ];
}

export async function scaleMain(argv: readonly string[]): Promise<number> {
  let options: Parameters<typeof runScale>[0];
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: {
        records: { type: 'string' },
        real: { type: 'string' },
        instances: { type: 'string' },
        lookups: { type: 'string' },
        dir: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      console.log(SCALE_USAGE);
      return 0;
    }
    options = {
      dir: resolve(values.dir ?? '.bench'),
      records: wholeNumber(values.records, 1_000_000, 'records'),
      real: wholeNumber(values.real, 10_000, 'real', 0),
      instances: wholeNumber(values.instances, 4, 'instances', 2, 12),
      lookups: wholeNumber(values.lookups, 1000, 'lookups'),
      partitions: 12,
      sessionTimeoutMs: 10_000,
      say: (line) => console.log(line),
    };
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${SCALE_USAGE}`);
    return 2;
  }
  try {
    const figures = await runScale(options);
    console.log(`\n${scaleVerdicts(figures).join('\n')}`);
    const when = new Date().toISOString();
    writeFileSync(join(options.dir, 'scale.json'), `${JSON.stringify({ when, figures }, null, 2)}\n`);
    console.log(`\nwrote ${join(options.dir, 'scale.json')}`);
    return 0;
  } catch (error) {
    console.error(
      `bench:scale failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}
