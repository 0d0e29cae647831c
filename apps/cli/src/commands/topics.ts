import {
  type Command,
  type CommandLine,
  cliClient,
  columns,
  formatRetention,
  helpAfterOptions,
  kafkaSettings,
  withBroker,
} from '@pipeline/cli-kit';
import {
  checkDurability,
  describeTopics,
  provisionPipelineTopics,
  type TopicDescription,
} from '@pipeline/kafka';
import { ALL_TOPICS, DEFAULT_TOPIC_OPTIONS, type SettingSpelling } from '@pipeline/topics';

/** The fixes of the durability problems, in this command's words. */
const FLAGS: SettingSpelling = {
  replicationFactor: (value) => `--replication-factor ${value}`,
  allowSingleReplica: '--allow-single-replica',
};

/** `pipeline topics`: every pipeline topic on the broker; `--create` provisions the missing ones. */
export function topicsCommand(line: CommandLine): Command {
  const command = line
    .command('topics')
    .summary('Describe the pipeline topics on the broker')
    .description('Describe the pipeline topics on the broker; --create provisions the missing ones.')
    .option('--create', 'create the topics that do not exist yet');
  line.wholeNumberOption(
    command,
    '--partitions <n>',
    'partitions of each topic created (all topics must have the same count)',
    { min: 1, max: 10_000, fallback: DEFAULT_TOPIC_OPTIONS.partitions },
  );
  line.wholeNumberOption(
    command,
    '--replication-factor <n>',
    'replication factor of each topic created (default: 3, or 1 on a cluster of one broker)',
    { min: 1, max: 100 },
  );
  command.option(
    '--allow-single-replica',
    'accept topics with a single replica (not replicated) on a cluster of several brokers',
  );
  helpAfterOptions(command, {
    environment: [
      ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (required)'],
      ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
    ],
    notes: [
      'Exit status: 0 ok, 1 a topic is missing, has another partition count or would lose the state, 2 bad usage.',
    ],
  });
  return line.action(command, (_, options) =>
    topics(line, {
      create: options.create === true,
      partitions: options.partitions as number,
      replicationFactor: options.replicationFactor as number | undefined,
      allowSingleReplica: options.allowSingleReplica === true,
    }),
  );
}

async function topics(
  line: CommandLine,
  options: {
    create: boolean;
    partitions: number;
    replicationFactor: number | undefined;
    allowSingleReplica: boolean;
  },
): Promise<number> {
  const { io } = line;
  const { create, partitions, replicationFactor, allowSingleReplica } = options;
  const { config, prefix, names } = kafkaSettings(io.env, 'pipeline-cli');
  const client = cliClient(config, io.env);

  const problems: string[] = [];
  const described = await withBroker(config, async () => {
    if (create) {
      // Judges the cluster first: a durability problem is thrown, and reported as it says.
      const result = await provisionPipelineTopics(client, {
        names,
        partitions,
        replicationFactor,
        allowSingleReplica,
        spelling: FLAGS,
      });
      for (const warning of result.warnings) io.err(`warning: ${warning}\n`);
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
    } else {
      const durability = await checkDurability(client, names);
      for (const warning of durability.warnings) io.err(`warning: ${warning}\n`);
      if (!durability.ok) problems.push(...durability.problems);
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
}

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
