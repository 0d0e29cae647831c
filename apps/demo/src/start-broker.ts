import { CliError } from '@pipeline/cli-kit';
import { down, LauncherError, up } from '@pipeline/kafka-launcher';
import type { DemoContext } from './context.js';

export interface Broker {
  bootstrap: string;
  /** Stops the broker, when the demo started it and is to stop it at the end. */
  stop?: () => Promise<unknown>;
}

/**
 * The broker of the run: the given one (option or KAFKA_BOOTSTRAP), otherwise the local launcher's,
 * which is stopped at the end unless it was already running or `keepBroker`.
 */
export async function startBroker(
  ctx: DemoContext,
  options: { bootstrap?: string | undefined; keepBroker: boolean },
): Promise<Broker> {
  const given = options.bootstrap ?? ctx.env.KAFKA_BOOTSTRAP?.trim();
  if (given) {
    ctx.step('broker', `using ${options.bootstrap ? '' : 'KAFKA_BOOTSTRAP='}${given}`);
    return { bootstrap: given };
  }
  ctx.step(
    'broker',
    'starting a local Kafka (@pipeline/kafka-launcher, as `pnpm kafka:up`; set KAFKA_BOOTSTRAP to use yours)',
  );
  const log = (line: string) => ctx.write(`  [kafka] ${line}\n`);
  const broker = await up({ log }).catch((error: unknown) => {
    throw launcherFailure(error);
  });
  ctx.step(
    'broker',
    broker.alreadyRunning
      ? `reusing the running Kafka at ${broker.bootstrap} (left running)`
      : `Kafka ${broker.version} at ${broker.bootstrap}${options.keepBroker ? ' (left running)' : ' (stopped at the end)'}`,
  );
  if (broker.alreadyRunning || options.keepBroker) return { bootstrap: broker.bootstrap };
  return { bootstrap: broker.bootstrap, stop: () => down({ log }) };
}

/** The launcher's own errors are written for humans: keep their text and exit code, drop the stack. */
function launcherFailure(error: unknown): unknown {
  if (!(error instanceof LauncherError)) return error;
  const details = error.details ? `\n${error.details}` : '';
  return new CliError(
    `could not start a local Kafka: ${error.message}${details}\n(or set KAFKA_BOOTSTRAP to a broker you run yourself)`,
    error.exitCode,
  );
}
