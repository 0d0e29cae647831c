import { type EnvReader, env } from '@pipeline/common/env';
import { DEFAULT_REPLICATION_FACTOR, type ReplicationSettings } from './durability.js';

/**
 * The replication the orchestrator creates topics with; the demo reads the same variables, so the
 * topics it creates before starting the orchestrator are the ones the orchestrator would create.
 */
export const REPLICATION_ENV = {
  ORCH_REPLICATION_FACTOR: env.int({
    description:
      'replicas of every topic it creates; when unset, 3, or 1 on a cluster of one broker (said at start). More than the brokers, or 1 on several brokers without ORCH_ALLOW_SINGLE_REPLICA, stops the start',
    default: DEFAULT_REPLICATION_FACTOR,
    min: 1,
    max: 100,
  }),
  ORCH_ALLOW_SINGLE_REPLICA: env.boolean({
    description:
      'true accepts topics with a single replica (not replicated, said loudly at start) on a cluster of several brokers, and makes 1 the default replication factor',
    default: false,
  }),
} as const;

/** ReplicationSettings as read from the environment: both always said. */
export interface ReplicationEnv extends ReplicationSettings {
  replicationFactor: number | undefined;
  allowSingleReplica: boolean;
}

/** The settings as asked: a replication factor left unset is undefined, so the cluster may decide it. */
export function readReplicationSettings(reader: EnvReader): ReplicationEnv {
  const v = reader.read(REPLICATION_ENV);
  const asked = reader.raw('ORCH_REPLICATION_FACTOR') !== undefined;
  return {
    replicationFactor: asked ? v.ORCH_REPLICATION_FACTOR : undefined,
    allowSingleReplica: v.ORCH_ALLOW_SINGLE_REPLICA,
  };
}
