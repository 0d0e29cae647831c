import kafkajs, { type Kafka } from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader cannot see this export by name (vitest can, so only a
// plain `node` run would fail): take it from the default export.
const { ConfigResourceTypes } = kafkajs;

export interface TopicDescription {
  name: string;
  exists: boolean;
  partitions: Array<{ partition: number; leader: number; replicas: number[]; isr: number[] }>;
  /** Topic configs worth showing (cleanup.policy, retention.ms, min.insync.replicas), as the broker reports them. */
  configs: Record<string, string>;
}

const SHOWN_CONFIGS = ['cleanup.policy', 'retention.ms', 'min.insync.replicas'];

/** What the cluster says about these topics, for an operator's `topics` command. Missing topics are reported, not thrown. */
export async function describeTopics(kafka: Kafka, names: readonly string[]): Promise<TopicDescription[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const found = names.filter((n) => present.has(n));
    const metadata = found.length === 0 ? [] : (await admin.fetchTopicMetadata({ topics: found })).topics;
    const configs =
      found.length === 0
        ? []
        : (
            await admin.describeConfigs({
              includeSynonyms: false,
              resources: found.map((name) => ({
                type: ConfigResourceTypes.TOPIC,
                name,
                configNames: SHOWN_CONFIGS,
              })),
            })
          ).resources;
    return names.map((name): TopicDescription => {
      const meta = metadata.find((t) => t.name === name);
      const conf = configs.find((r) => r.resourceName === name);
      return {
        name,
        exists: present.has(name),
        partitions: (meta?.partitions ?? [])
          .map((p) => ({
            partition: p.partitionId,
            leader: p.leader,
            replicas: [...p.replicas],
            isr: [...p.isr],
          }))
          .sort((a, b) => a.partition - b.partition),
        configs: Object.fromEntries((conf?.configEntries ?? []).map((e) => [e.configName, e.configValue])),
      };
    });
  } finally {
    await admin.disconnect();
  }
}
