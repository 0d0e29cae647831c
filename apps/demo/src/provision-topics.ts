import { cliClient, kafkaSettings, withBroker } from '@pipeline/cli-kit';
import { EnvReader } from '@pipeline/common';
import { type KafkaClient, type KafkaConfig, provisionPipelineTopics } from '@pipeline/kafka';
import { ALL_TOPICS, DEFAULT_TOPIC_OPTIONS, readReplicationSettings, TopicNames } from '@pipeline/topics';
import type { DemoContext } from './context.js';

export interface DemoKafka {
  config: KafkaConfig;
  client: KafkaClient;
  /** The run's topic names (under its prefix). */
  names: TopicNames;
  /** The environment of the services: the caller's, with the run's broker. */
  env: NodeJS.ProcessEnv;
}

/**
 * Creates every pipeline topic under the run's own prefix (a new one per run, so runs on a reused
 * broker never mix). A broker that does not answer is the one-line "cannot reach Kafka" message.
 * The replication follows the orchestrator's settings (ORCH_REPLICATION_FACTOR,
 * ORCH_ALLOW_SINGLE_REPLICA), which the orchestrator it starts reads too: on the usual broker of one
 * node the topics get one replica, and the run says so.
 */
export async function provisionTopics(
  ctx: DemoContext,
  bootstrap: string,
  prefix: string,
): Promise<DemoKafka> {
  const env = { ...ctx.env, KAFKA_BOOTSTRAP: bootstrap };
  const { config } = kafkaSettings(env, 'pipeline-demo');
  const names = TopicNames.prefixed(prefix);
  const client = cliClient(config, ctx.env);
  const reader = new EnvReader(env);
  const replication = reader.finish('demo configuration', readReplicationSettings(reader));
  const { replicationFactor, warnings } = await withBroker(config, () =>
    provisionPipelineTopics(client, { names, ...replication }),
  );
  ctx.step(
    'topics',
    `prefix ${prefix} (${ALL_TOPICS.length} topics, ${DEFAULT_TOPIC_OPTIONS.partitions} partitions each, ` +
      `${replicationFactor} replica${replicationFactor === 1 ? '' : 's'}; a new prefix per run, so runs never mix)`,
  );
  for (const warning of warnings) ctx.write(`  warning: ${warning}\n`);
  return { config, client, names, env };
}
