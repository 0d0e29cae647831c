// One error type for everything the launcher reports to a human, so the CLI can print the message
// without a stack trace and pick the exit code: 2 = configuration or missing prerequisite (fix your
// setup, retrying will not help), 1 = the broker failed to come up or stop.

import { PipelineError } from '@pipeline/common';

export const EXIT_START_FAILED = 1;
export const EXIT_CONFIG = 2;

export interface LauncherErrorOptions {
  /** The process exit code the CLI ends with: EXIT_CONFIG (2) or EXIT_START_FAILED (1, the default). */
  exitCode?: number;
  /** Extra text (e.g. the tail of the broker log) printed after the message. */
  details?: string | undefined;
  cause?: unknown;
}

/** A failure of the launcher, written for humans. A PipelineError with code `LAUNCHER_FAILED`. */
export class LauncherError extends PipelineError {
  readonly exitCode: number;
  readonly details: string | undefined;

  constructor(message: string, { exitCode = EXIT_START_FAILED, details, cause }: LauncherErrorOptions = {}) {
    super('LAUNCHER_FAILED', message, { cause });
    this.exitCode = exitCode;
    this.details = details;
  }
}

// Shown whenever the local launcher cannot work here at all, so nobody is left without a broker.
export const COMPOSE_HINT =
  'Alternative with Docker: `docker compose up kafka`, then `export KAFKA_BOOTSTRAP=localhost:9092`.';
