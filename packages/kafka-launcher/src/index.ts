// @pipeline/kafka-launcher: a local Apache Kafka broker (KRaft, single node) for tests and development,
// without Docker. The command is `pipeline-kafka` (`pnpm kafka:up|kafka:down|kafka:status`); this is
// its API, e.g. for a vitest globalSetup. See docs/kafka-launcher.md.

export {
  type DownOptions,
  down,
  runningBootstrap,
  type StatusResult,
  status,
  type UpOptions,
  type UpResult,
  up,
} from './api.js';
export { EXIT_CONFIG, EXIT_START_FAILED, LauncherError, type LauncherErrorOptions } from './errors.js';
export { DEFAULT_KAFKA_VERSION, type Log } from './options.js';
// For callers that want to react to version differences (e.g. skip 4.x-only tests).
export { majorVersion } from './resolve-jars.js';
