// Writes the KRaft configuration (a single node, or one node of a local cluster) and the logging
// configuration for one broker start. Every value that differs from Kafka's default is here because a
// small local test cluster needs it.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { majorVersion } from './resolve-jars.js';

/**
 * A KRaft cluster id: 16 random bytes as 22 characters of unpadded base64url, the format of Kafka's
 * Uuid (what `kafka-storage random-uuid` prints). Kafka's own generator never returns an id starting
 * with '-', because the CLI parser would read `-t -abc…` as an option; we skip those too.
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Replication of the internal topics and the default for new topics. */
export interface ReplicationSettings {
  /** default.replication.factor and the RF of every internal topic. */
  replicationFactor: number;
  /** min.insync.replicas and the min ISR of the internal topics. */
  minInsyncReplicas: number;
}

/** One broker: every internal topic must accept RF 1 / min ISR 1. */
export const SINGLE_NODE_REPLICATION: ReplicationSettings = { replicationFactor: 1, minInsyncReplicas: 1 };
/**
 * A cluster (3 to 5 nodes): RF 3 and min ISR 2, the production shape, so one node can be lost without
 * losing an acknowledged write (acks=all) or blocking producers and transactions.
 */
export const CLUSTER_REPLICATION: ReplicationSettings = { replicationFactor: 3, minInsyncReplicas: 2 };

/** A controller voter: `id@127.0.0.1:controllerPort`. */
export interface Voter {
  id: number;
  controllerPort: number;
}

export interface BrokerSettings {
  version: string;
  /** Client (PLAINTEXT) port on 127.0.0.1. */
  port: number;
  controllerPort: number;
  /** log.dirs */
  dataDir: string;
  /** node.id; default 1 (the single node). */
  nodeId?: number | undefined;
  /** controller.quorum.voters; default this node alone. */
  voters?: readonly Voter[] | undefined;
  /** default SINGLE_NODE_REPLICATION. */
  replication?: ReplicationSettings | undefined;
}

/** The controller.quorum.voters value. */
export const votersValue = (voters: readonly Voter[]): string =>
  voters.map(({ id, controllerPort }) => `${id}@127.0.0.1:${controllerPort}`).join(',');

/** server.properties as key → value, in file order. */
export function brokerProperties({
  version,
  port,
  controllerPort,
  dataDir,
  nodeId = 1,
  voters = [{ id: nodeId, controllerPort }],
  replication = SINGLE_NODE_REPLICATION,
}: BrokerSettings): Record<string, string> {
  const rf = String(replication.replicationFactor);
  const minIsr = String(replication.minInsyncReplicas);
  const props: Record<string, string> = {
    // --- KRaft, combined mode: each JVM is both a controller (a voter of the quorum) and a broker. A
    // single node is a quorum of one; a cluster is a quorum of all its nodes (cluster.ts says why).
    'process.roles': 'broker,controller',
    'node.id': String(nodeId),
    // Static quorum: with fixed voters `storage format` needs no --standalone/--initial-controllers,
    // and it works unchanged on 3.9 and 4.x (4.x also supports dynamic quorums via
    // controller.quorum.bootstrap.servers, which we do not need for throwaway local nodes).
    'controller.quorum.voters': votersValue(voters),
    'controller.listener.names': 'CONTROLLER',
    listeners: `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': dataDir,

    // --- Replication. One broker: every internal topic must accept RF 1 / min ISR 1, otherwise
    // consumer groups (offsets), transactions and idempotent producers hang or fail. A cluster: RF 3,
    // min ISR 2 (CLUSTER_REPLICATION).
    'offsets.topic.replication.factor': rf,
    'transaction.state.log.replication.factor': rf,
    'transaction.state.log.min.isr': minIsr,
    'default.replication.factor': rf,
    'min.insync.replicas': minIsr,
    // Fewer internal partitions than the default 50: creating them is most of the time the first
    // consumer group / first transaction takes on a fresh broker. Coordinator spread does not matter here.
    'offsets.topic.num.partitions': '5',
    'transaction.state.log.num.partitions': '5',
    'num.partitions': '1',

    // --- Test speed and size.
    // Consumers join a group immediately instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms': '0',
    // The cleaner (compacted topics) allocates this up front; the 128 MiB default would take a
    // quarter of the heap. 8 MiB is plenty for test data; compaction still works.
    'log.cleaner.dedupe.buffer.size': String(8 * 1024 * 1024),
    // Thread pools sized for a 2-core machine rather than a production server.
    'num.network.threads': '2',
    'num.io.threads': '4',
    'num.recovery.threads.per.data.dir': '1',

    // --- Deliberate: topics must be provisioned explicitly. With auto-create on, a typo in a topic
    // name or a forgotten provisioning step would silently create a 1-partition topic and tests would
    // pass against the wrong topology.
    'auto.create.topics.enable': 'false',
  };
  if (majorVersion(version) >= 4) {
    // 4.x adds share groups with their own state topic (default RF 3, min ISR 2): the same as the
    // other internal topics, so it is startable on one node.
    props['share.coordinator.state.topic.replication.factor'] = rf;
    props['share.coordinator.state.topic.min.isr'] = minIsr;
  }
  return props;
}

/** The text of server.properties. */
export function renderServerProperties(settings: BrokerSettings): string {
  const lines = Object.entries(brokerProperties(settings)).map(([k, v]) => `${k}=${v}`);
  return `# Generated by @pipeline/kafka-launcher (src/config.ts) for Kafka ${settings.version}; rewritten on every fresh start.\n${lines.join('\n')}\n`;
}

/**
 * The logging config: everything goes to the console (= the JVM's stdout, which the launcher redirects
 * to logs/broker.log), so one file holds everything and a failed start can show its tail.
 * 4.x: log4j2.properties; 3.x: log4j.properties (reload4j).
 */
export function renderLoggingConfig(version: string): { fileName: string; text: string } {
  if (majorVersion(version) >= 4) {
    const lines = [
      'status = warn',
      'appender.console.type = Console',
      'appender.console.name = STDOUT',
      'appender.console.layout.type = PatternLayout',
      'appender.console.layout.pattern = [%d] %p %m (%c)%n',
      'rootLogger.level = INFO',
      'rootLogger.appenderRef.stdout.ref = STDOUT',
      // One line per request / per partition state change is noise for tests.
      'logger.request.name = kafka.request.logger',
      'logger.request.level = WARN',
      'logger.statechange.name = state.change.logger',
      'logger.statechange.level = WARN',
      // The full "KafkaConfig values:" dump (~400 lines, several times per start) would bury the
      // lines that matter in the failure tail; the effective input is config/server.properties.
      'logger.configdump.name = org.apache.kafka.common.config.AbstractConfig',
      'logger.configdump.level = WARN',
      'logger.configdump3.name = kafka.server.KafkaConfig',
      'logger.configdump3.level = WARN',
      '',
    ];
    return { fileName: 'log4j2.properties', text: lines.join('\n') };
  }
  const lines = [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.kafka.request.logger=WARN',
    'log4j.logger.state.change.logger=WARN',
    // See the log4j2 variant above: hide the ~400-line config dumps.
    'log4j.logger.kafka.server.KafkaConfig=WARN',
    'log4j.logger.org.apache.kafka.common.config.AbstractConfig=WARN',
    '',
  ];
  return { fileName: 'log4j.properties', text: lines.join('\n') };
}

/** Where one node's files go (the single broker's StatePaths, or a cluster node's NodePaths). */
export interface NodeFiles {
  configDir: string;
  serverProperties: string;
  dataDir: string;
  logsDir: string;
}

/**
 * Writes config/server.properties and the logging config of one start.
 * loggingArgs: the JVM -D flags that point Kafka's logging at our config.
 */
export function writeBrokerConfig({
  paths,
  version,
  port,
  controllerPort,
  nodeId,
  voters,
  replication,
}: {
  paths: NodeFiles;
  version: string;
  port: number;
  controllerPort: number;
  nodeId?: number | undefined;
  voters?: readonly Voter[] | undefined;
  replication?: ReplicationSettings | undefined;
}): { serverProperties: string; loggingArgs: string[] } {
  mkdirSync(paths.configDir, { recursive: true });
  const serverProperties = paths.serverProperties;
  writeFileSync(
    serverProperties,
    renderServerProperties({
      version,
      port,
      controllerPort,
      dataDir: paths.dataDir,
      nodeId,
      voters,
      replication,
    }),
  );
  const logging = renderLoggingConfig(version);
  writeFileSync(join(paths.configDir, logging.fileName), logging.text);
  return { serverProperties, loggingArgs: loggingArgs(version, paths) };
}

/** The JVM -D flags that point Kafka's logging at the config writeBrokerConfig wrote (also for a restart). */
export function loggingArgs(version: string, paths: Pick<NodeFiles, 'configDir' | 'logsDir'>): string[] {
  const file = join(paths.configDir, renderLoggingConfig(version).fileName);
  const args =
    majorVersion(version) >= 4
      ? [`-Dlog4j2.configurationFile=${file}`]
      : [`-Dlog4j.configuration=file:${file}`];
  // Kafka's code refers to kafka.logs.dir (e.g. for its default appenders); point it at our logs dir.
  args.push(`-Dkafka.logs.dir=${paths.logsDir}`);
  return args;
}
