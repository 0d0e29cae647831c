import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type Logger, noopLogger, pollUntil } from '@pipeline/common';
import {
  type Consumer,
  createConsumer,
  createKafkaClient,
  createProducer,
  decodeTopicMessage,
  encodeRecord,
  type KafkaClient,
  type OutboundRecord,
  type Producer,
  provisionPipelineTopics,
  type RawHeaders,
  type RecordHeaders,
  readHeaders,
} from '@pipeline/kafka';
import { kafkaBootstrap, kafkaBrokers, uniqueName } from '@pipeline/testkit';
import {
  DLQ,
  isMessageTopic,
  type MessageTopic,
  ORCHESTRATOR_OUTPUTS,
  type Topic,
  type TopicMessage,
  TopicNames,
} from '@pipeline/topics';
import { loadConfig } from '../../src/config.js';
import { serveOrchestrator } from '../../src/http/serve.js';
import { Orchestrator } from '../../src/runtime/orchestrator.js';

/** One audited record of an output topic or the dead-letter topic. */
export interface Seen {
  topic: Topic;
  key: string | undefined;
  value: Buffer | null;
  headers: RecordHeaders;
  /** Decoded message for message topics. */
  message?: unknown;
  /** Key and header bytes as read (the text forms above are lossy), for checks that copies keep every byte. */
  rawKey: Buffer | null;
  rawHeaders: RawHeaders;
}

/**
 * Everything one test needs around an orchestrator: unique topics (a prefix) and group, a producer
 * standing in for agents and users, and an audit consumer reading every output topic and the
 * dead-letter topic with read_committed, as a downstream reader would.
 */
export class TestPipeline {
  readonly prefix = `${uniqueName('orch')}.`;
  readonly groupId = uniqueName('orch-group');
  readonly names = TopicNames.prefixed(this.prefix);
  readonly client: KafkaClient = createKafkaClient(
    {
      brokers: kafkaBrokers(),
      clientId: 'orchestrator-test',
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30_000,
    },
    { logger: noopLogger },
  );
  readonly seen: Seen[] = [];
  private producer: Producer | undefined;
  private audit: Consumer | undefined;

  /** The orchestrators' state stores (ORCH_STATE_DIR): one directory per test pipeline, removed by close. */
  readonly stateDir = join(tmpdir(), 'orchestrator-test-state', this.groupId);

  constructor(readonly partitions = 4) {}

  env(extra: Record<string, string> = {}): Record<string, string> {
    return {
      KAFKA_BOOTSTRAP: kafkaBootstrap(),
      PIPELINE_TOPIC_PREFIX: this.prefix,
      ORCH_GROUP_ID: this.groupId,
      ORCH_TOPIC_PARTITIONS: String(this.partitions),
      ORCH_HTTP_HOST: '127.0.0.1',
      ORCH_HTTP_PORT: '0',
      ORCH_SWEEP_INTERVAL: '200ms',
      ORCH_CONCURRENCY: String(this.partitions),
      ORCH_STATE_DIR: this.stateDir,
      LOG_LEVEL: 'warn',
      ...extra,
    };
  }

  physical(topic: Topic): string {
    return this.prefix + topic;
  }

  /** Starts an orchestrator in this process (fast; for everything but crash tests). */
  async startInProcess(
    extra: Record<string, string> = {},
    options: { waitReady?: boolean; clock?: () => number; logger?: Logger } = {},
  ): Promise<InProcessOrchestrator> {
    const config = loadConfig(this.env(extra));
    const orchestrator = new Orchestrator(config, {
      client: this.client,
      logger: options.logger ?? noopLogger,
      ...(options.clock ? { clock: options.clock } : {}),
    });
    const server = await serveOrchestrator(orchestrator, config, {
      ...(options.logger ? { logger: options.logger } : {}),
      listen: { host: '127.0.0.1', port: 0 },
    });
    // A start that fails closes the server too: tests that expect the failure leave nothing running.
    await orchestrator.start().catch(async (error: unknown) => {
      await server.close();
      throw error;
    });
    const url = `http://127.0.0.1:${server.port}`;
    if (options.waitReady !== false) {
      await waitFor(async () => (await fetch(`${url}/readyz`)).ok, 60_000, 'orchestrator ready');
    }
    return {
      orchestrator,
      url,
      stop: async () => {
        await orchestrator.stop();
        await server.close();
      },
    };
  }

  /** Starts `node dist/main.js` as a child process: the real service, killable with SIGKILL. */
  async spawn(extra: Record<string, string> = {}, logFile?: string): Promise<ChildOrchestrator> {
    const port = await freePort();
    const main = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
    const child = spawn(process.execPath, [main], {
      env: { ...process.env, ...this.env({ ORCH_HTTP_PORT: String(port), LOG_LEVEL: 'info', ...extra }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
    child.stdout?.on('data', (d) => out?.write(d));
    child.stderr?.on('data', (d) => out?.write(d));
    const url = `http://127.0.0.1:${port}`;
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
      child,
      url,
      exited,
      ready: () =>
        waitFor(
          async () => {
            if (child.exitCode !== null) throw new Error(`orchestrator exited with ${child.exitCode}`);
            return (await fetch(`${url}/readyz`).catch(() => undefined))?.ok === true;
          },
          60_000,
          'child orchestrator ready',
        ),
      kill: async (signal: NodeJS.Signals) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
        return exited;
      },
    };
  }

  async send<T extends MessageTopic>(
    topic: T,
    message: TopicMessage<T>,
    options: { key?: string | null; headers?: RecordHeaders } = {},
  ): Promise<void> {
    const record = encodeRecord(topic, message, {
      ...(options.key ? { key: options.key } : {}),
      ...(options.headers ? { headers: options.headers } : {}),
    });
    await this.sendRaw(topic, record.value, options.key ?? undefined, record.headers);
  }

  /** Sends ready records (logical topics) in one request. */
  async sendRecords(records: readonly OutboundRecord[]): Promise<void> {
    await (await this.getProducer()).sendRecords(records);
  }

  async sendRaw(topic: Topic, value: Buffer, key?: string, headers: RecordHeaders = {}): Promise<void> {
    const producer = await this.getProducer();
    await producer.sendRecords([{ topic, value, headers, ...(key === undefined ? {} : { key }) }]);
  }

  /**
   * Starts the audit consumer; call before the orchestrator writes anything worth checking. Without
   * `values`, only keys and headers are kept (a backlog of commands would not fit in memory whole).
   */
  async startAudit(
    topics: readonly Topic[] = [...ORCHESTRATOR_OUTPUTS, DLQ],
    options: { values?: boolean } = {},
  ): Promise<void> {
    const keepValues = options.values !== false;
    // The orchestrator creates its topics at start; the audit may subscribe first.
    await provisionPipelineTopics(this.client, {
      names: this.names,
      partitions: this.partitions,
      only: topics,
    });
    const consumer = createConsumer(this.client, {
      groupId: uniqueName('audit'),
      topics,
      names: this.names,
      fromBeginning: true,
      maxWaitTimeMs: 100,
    });
    this.audit = consumer;
    await consumer.run(async (batch) => {
      for (const record of batch.records) {
        const seen: Seen = {
          topic: record.topic,
          key: record.key?.toString('utf8'),
          value: keepValues ? record.value : null,
          headers: readHeaders(record.headers),
          rawKey: record.key,
          rawHeaders: record.headers,
        };
        if (keepValues && isMessageTopic(record.topic) && record.value) {
          seen.message = decodeTopicMessage(record.topic, record.value);
        }
        this.seen.push(seen);
        batch.resolve(record.offset);
      }
    });
  }

  /** Audited records of one topic (and request). */
  on<T extends MessageTopic>(topic: T, key?: string): Array<Seen & { message: TopicMessage<T> }> {
    return this.seen.filter((s) => s.topic === topic && (key === undefined || s.key === key)) as Array<
      Seen & { message: TopicMessage<T> }
    >;
  }

  deadLetters(key?: string): Seen[] {
    return this.seen.filter((s) => s.topic === DLQ && (key === undefined || s.key === key));
  }

  async close(): Promise<void> {
    await Promise.all([this.producer?.disconnect(), this.audit?.close()]);
    rmSync(this.stateDir, { recursive: true, force: true });
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      const producer = createProducer(this.client, { names: this.names, retry: { retries: 0 } });
      await producer.connect();
      this.producer = producer;
    }
    return this.producer;
  }
}

export interface InProcessOrchestrator {
  orchestrator: Orchestrator;
  url: string;
  stop(): Promise<void>;
}

export interface ChildOrchestrator {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
  ready(): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

/** Polls until `check` is true; fails with what it was waiting for. */
export function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  return pollUntil(check, { timeoutMs, intervalMs: 25, what });
}

export async function getRequest(
  url: string,
  id: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${url}/requests/${encodeURIComponent(id)}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
