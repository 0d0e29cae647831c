// One error type for everything the launcher reports to a human, so the CLI can print the message
// without a stack trace and pick the exit code: 2 = configuration or missing prerequisite (fix your
// setup, retrying will not help), 1 = the broker failed to come up or stop.

export const EXIT_START_FAILED = 1;
export const EXIT_CONFIG = 2;

export class LauncherError extends Error {
  /**
   * @param {string} message
   * @param {{ exitCode?: number, details?: string }} [options]
   *   details: extra text (e.g. the tail of the broker log) printed after the message.
   */
  constructor(message, { exitCode = EXIT_START_FAILED, details } = {}) {
    super(message);
    this.name = 'LauncherError';
    this.exitCode = exitCode;
    this.details = details;
  }
}

// Shown whenever the local launcher cannot work here at all, so nobody is left without a broker.
export const COMPOSE_HINT =
  'Alternative with Docker: `docker compose up kafka`, then `export KAFKA_BOOTSTRAP=localhost:9092`.';
