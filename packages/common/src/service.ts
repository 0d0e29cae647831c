import type { Logger } from './logger.js';

export interface SignalOptions {
  /** Exit code when a second signal arrives before the first one's work is done. */
  secondExitCode: number;
  /** Exits the process; tests replace it. Default process.exit. */
  exit?: (code: number) => void;
  /** Where signals come from; tests replace it. Default process. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * SIGINT and SIGTERM handled once: the first calls `first`, a second exits at once (the user means
 * it). Returns a function that removes the handlers.
 */
export function handleSignals(first: (signal: NodeJS.Signals) => void, options: SignalOptions): () => void {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? process;
  let seen = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (seen) return exit(options.secondExitCode);
    seen = true;
    first(signal);
  };
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  return () => {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
  };
}

export interface ServiceOptions {
  logger: Logger;
  /** How long `stop` may take after SIGINT/SIGTERM before the process exits anyway (code 1). */
  graceMs: number;
  /** Starts the service; a throw ends the process with code 1 (after `stop`). */
  start(): Promise<void>;
  /** Stops it cleanly; called once, whatever the number of signals. */
  stop(): Promise<void>;
  /** Exits the process; tests replace it. Default process.exit. */
  exit?: (code: number) => void;
  /** Where signals come from; tests replace it. Default process. */
  signals?: Pick<NodeJS.Process, 'on' | 'off'>;
}

/**
 * The lifecycle of a service process, the same for every app: start; on the first SIGINT or SIGTERM
 * stop within the grace, then exit 0 (1 when stopping failed or took longer than the grace); a
 * second signal exits at once. Resolves with the exit code once the process is about to exit.
 */
export function runService(options: ServiceOptions): Promise<number> {
  const { logger, graceMs } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const signals = options.signals ?? process;
  let stopping: Promise<number> | undefined;
  let finish: (code: number) => void = () => {};
  const done = new Promise<number>((resolve) => {
    finish = (code) => {
      resolve(code);
      exit(code);
    };
  });

  const shutdown = (reason: string, code: number): Promise<number> => {
    stopping ??= (async () => {
      logger.info({ reason, graceMs }, 'shutting down');
      const force = setTimeout(() => {
        logger.error({ graceMs }, 'shutdown grace expired; exiting anyway');
        finish(1);
      }, graceMs);
      force.unref();
      let exitCode = code;
      try {
        await options.stop();
      } catch (error) {
        logger.error({ err: error }, 'error while stopping');
        exitCode = 1;
      }
      clearTimeout(force);
      return exitCode;
    })();
    return stopping;
  };

  handleSignals(
    (signal) => {
      void shutdown(signal, 0).then(finish);
    },
    {
      secondExitCode: 1,
      exit: (code) => {
        logger.warn({}, 'second signal; exiting at once');
        finish(code);
      },
      signals,
    },
  );

  options.start().then(
    () => {},
    (error: unknown) => {
      if (stopping) return;
      logger.error({ err: error }, 'failed to start');
      void shutdown('start failure', 1).then(() => finish(1));
    },
  );
  return done;
}
