import { describeTopics, provisionPipelineTopics, type TopicDescription } from '@pipeline/kafka';
import { ALL_TOPICS, DEFAULT_TOPIC_OPTIONS } from '@pipeline/topics';
import { booleanValue, type CommandSpec, intValue } from '../args.js';
import type { Command } from '../command.js';
import { columns, formatRetention } from '../format.js';
import { cliClient, kafkaSettings, withBroker } from '../kafka.js';

export const topicsSpec: CommandSpec = {
  name: 'topics',
  summary: 'Describe the pipeline topics on the broker; --create provisions the missing ones.',
  positionals: [],
  options: {
    create: { type: 'boolean', description: 'create the topics that do not exist yet' },
    partitions: {
      type: 'string',
      placeholder: '<n>',
      description: 'partitions of each topic created (all topics must have the same count)',
      defaultText: String(DEFAULT_TOPIC_OPTIONS.partitions),
    },
    'replication-factor': {
      type: 'string',
      placeholder: '<n>',
      description: 'replication factor of each topic created (3 on a production cluster)',
      defaultText: String(DEFAULT_TOPIC_OPTIONS.replicationFactor),
    },
  },
  env: [
    ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (required)'],
    ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
  ],
  notes: ['Exit status: 0 ok, 1 a topic is missing or has another partition count, 2 bad usage.'],
};

export const topicsCommand: Command = {
  spec: topicsSpec,
  async run(args, io) {
    const partitions = intValue(args, 'topics', 'partitions', DEFAULT_TOPIC_OPTIONS.partitions, 1, 10_000);
    const replicationFactor = intValue(
      args,
      'topics',
      'replication-factor',
      DEFAULT_TOPIC_OPTIONS.replicationFactor,
      1,
      100,
    );
    const create = booleanValue(args, 'create');
    const { config, prefix, names } = kafkaSettings(io.env);
    const client = cliClient(config, io.env);

    const problems: string[] = [];
    const described = await withBroker(config, async () => {
      if (create) {
        const result = await provisionPipelineTopics(client, { names, partitions, replicationFactor });
        io.out(
          `created ${result.created.length} topic${result.created.length === 1 ? '' : 's'}` +
            `${result.created.length > 0 ? `: ${result.created.join(', ')}` : ''}; ${result.existing.length} already existed\n`,
        );
        if (result.mismatches.length > 0) {
          const list = result.mismatches.map((m) => `${m.topic}=${m.actualPartitions}`).join(', ');
          problems.push(
            `${result.mismatches.length} existing topic(s) have another partition count than ${partitions}, ` +
              `and are left as they are (an orchestrator expecting ${partitions} refuses to start): ${list}`,
          );
        }
      }
      return describeTopics(client, ALL_TOPICS, names);
    });
    io.out(`${renderTopics(described, prefix)}\n`);
    const missing = described.filter((t) => !t.exists).map((t) => t.name);
    if (missing.length > 0 && !create) {
      problems.push(
        `${missing.length} of ${described.length} topics missing: \`pipeline topics --create\` creates them`,
      );
    }
    const counts = new Set(described.filter((t) => t.exists).map((t) => t.partitions.length));
    if (counts.size > 1 && !create) problems.push('the topics have different partition counts');
    for (const problem of problems) io.err(`${problem}\n`);
    return problems.length > 0 ? 1 : 0;
  },
};

export function renderTopics(topics: readonly TopicDescription[], prefix: string): string {
  const rows = [['topic', 'exists', 'partitions', 'cleanup.policy', 'retention']];
  for (const t of topics) {
    rows.push([
      t.name,
      t.exists ? 'yes' : 'NO',
      t.exists ? String(t.partitions.length) : '-',
      t.configs['cleanup.policy'] ?? '-',
      t.configs['cleanup.policy'] === 'compact' ? 'compacted' : formatRetention(t.configs['retention.ms']),
    ]);
  }
  const head = prefix ? `topics with prefix "${prefix}"\n` : '';
  return `${head}${columns(rows)}`;
}
