// @pipeline/kafka-launcher: a local Apache Kafka broker (KRaft, a single node or a cluster of 3 to 5
// combined broker+controller nodes) for tests and development, without Docker. The command is
// `pipeline-kafka` (`pnpm kafka:up|kafka:down|kafka:status|kafka:stop-node|kafka:start-node`); this is
// its API, e.g. for a vitest globalSetup or a node-failure test. See docs/kafka-launcher.md.

export {
  clusterNodes,
  type DownOptions,
  down,
  runningBootstrap,
  type StatusResult,
  status,
  type UpOptions,
  type UpResult,
  up,
} from './api.js';
export {
  type StartNodeOptions,
  type StartNodeResult,
  type StopNodeOptions,
  type StopNodeResult,
  startNode,
  stopNode,
} from './cluster-nodes.js';
export type { ClusterNode } from './cluster-state.js';
export type { NodeStatus } from './cluster-status.js';
export { EXIT_CONFIG, EXIT_START_FAILED, LauncherError, type LauncherErrorOptions } from './errors.js';
export { DEFAULT_KAFKA_VERSION, type Log } from './options.js';
export type { StopOutcome } from './process.js';
// For callers that want to react to version differences (e.g. skip 4.x-only tests).
export { majorVersion } from './resolve-jars.js';
export type { PartitionLeader } from './topic-leaders.js';
