import { performance } from 'node:perf_hooks';
import {
  assertPartitionsMatch,
  CoPartitionAssigner,
  type Kafka,
  type Logger,
  logicalTopics,
  partitionFor,
  physicalTopic,
  prefixedTopicNames,
  provisionTopics,
  readHeaders,
  type TopicNames,
} from '@pipeline/kafka';
import type { Stage } from '@pipeline/state-machine';
import { ORCHESTRATOR_INPUTS, type OrchestratorInput, STATE, type Topic, topicSpecs } from '@pipeline/topics';
import type { Admin, Consumer, EachBatchPayload } from 'kafkajs';
import type { OrchestratorConfig } from '../config.js';
import type { RequestRecord } from '../domain/request-record.js';
import { createMetrics, type Metrics } from '../metrics.js';
import { StateDirectory } from '../state/directory.js';
import { PartitionWorker } from './partition-worker.js';
import { type BatchPlan, planBatch, planDeadlines, type RawInbound } from './plan-batch.js';

/**
 * Lifecycle of an orchestrator instance:
 * created → starting → running → stopping → stopped, or → failed when start or the consumer fails
 * for good. Only `running` with every owned partition restored is ready.
 */
export type OrchestratorState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface OrchestratorDeps {
  kafka: Kafka;
  logger: Logger;
  /** Epoch ms; tests pass a fake one to move deadlines. */
  clock?: () => number;
}

/**
 * Drives every change request through its stages, exactly once, with Kafka as its only store.
 * Each input partition number p is one unit of work (see PartitionWorker): its batches are decided
 * by the pure router, and the resulting commands, tickets, dead letters, new request states and the
 * input offsets are committed in one transaction.
 */
export class Orchestrator {
  state: OrchestratorState = 'created';
  readonly metrics: Metrics;
  private readonly names: TopicNames;
  private readonly logicalByPhysical: Map<string, Topic>;
  private readonly directory: StateDirectory;
  private readonly consumer: Consumer;
  private readonly clock: () => number;
  private readonly logger: Logger;
  private workers = new Map<number, PartitionWorker>();
  private numPartitions = 0;
  private inGroup = false;
  private sweepTimer: NodeJS.Timeout | undefined;
  /** One admin client for the instance's lifetime: workers read committed and end offsets on restore. */
  private admin: Admin | undefined;

  constructor(
    private readonly config: OrchestratorConfig,
    private readonly deps: OrchestratorDeps,
  ) {
    this.clock = deps.clock ?? Date.now;
    this.logger = deps.logger;
    this.names = prefixedTopicNames(config.topicPrefix);
    this.logicalByPhysical = logicalTopics(this.names);
    this.metrics = createMetrics(() => this.countByStage());
    this.directory = new StateDirectory(deps.kafka, {
      topic: this.physical(STATE),
      groupPrefix: config.groupId,
      logger: deps.logger.child({ component: 'directory' }),
    });
    this.consumer = deps.kafka.consumer({
      groupId: config.groupId,
      readUncommitted: false,
      partitionAssigners: [CoPartitionAssigner],
      // A short long-poll keeps shutdown and rebalances quick; data is returned as soon as it exists.
      maxWaitTimeInMs: 500,
      sessionTimeout: config.sessionTimeoutMs,
      heartbeatInterval: Math.max(100, Math.floor(config.sessionTimeoutMs / 10)),
      retry: { retries: 10 },
    });
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start an orchestrator that is ${this.state}`);
    this.state = 'starting';
    try {
      this.numPartitions = await this.prepareTopics();
      this.admin = this.deps.kafka.admin();
      await this.admin.connect();
      await this.directory.start();
      this.watchGroup();
      await this.consumer.connect();
      await this.consumer.subscribe({
        topics: ORCHESTRATOR_INPUTS.map((t) => this.physical(t)),
        fromBeginning: true,
      });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: this.config.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.onBatch(payload),
      });
      this.sweepTimer = setInterval(() => this.sweep(), this.config.sweepIntervalMs);
      this.sweepTimer.unref();
      if (this.state !== 'starting') throw new Error('the consumer crashed while joining its group');
      this.state = 'running';
      this.logger.info(
        { partitions: this.numPartitions, groupId: this.config.groupId },
        'orchestrator running',
      );
    } catch (error) {
      this.state = 'failed';
      await this.closeAll();
      throw error;
    }
  }

  /** Stops fetching, lets the batches in hand commit, then closes everything. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'stopped' || this.state === 'stopping') return;
    this.state = 'stopping';
    await this.closeAll();
    this.state = 'stopped';
    this.logger.info({}, 'orchestrator stopped');
  }

  /** Live while it can still make progress by itself; a dead consumer or directory needs a restart. */
  isLive(): boolean {
    return this.state !== 'failed' && (this.state !== 'running' || this.directory.healthy);
  }

  readiness(): { ready: boolean; detail: Record<string, unknown> } {
    const partitions = [...this.workers.values()].map((w) => ({ partition: w.partition, state: w.state }));
    const directory = this.directory.healthy;
    const ready =
      this.state === 'running' && this.inGroup && directory && partitions.every((p) => p.state === 'ready');
    return { ready, detail: { state: this.state, inGroup: this.inGroup, directory, partitions } };
  }

  /** A request's state: from the instance that owns it if that is us, else from the directory. */
  getRequest(requestId: string): RequestRecord | undefined {
    const owner = this.workers.get(partitionFor(requestId, this.numPartitions || 1));
    return owner?.get(requestId) ?? this.directory.get(requestId);
  }

  private async prepareTopics(): Promise<number> {
    const specs = topicSpecs({
      partitions: this.config.partitions,
      replicationFactor: this.config.replicationFactor,
    }).map((spec) => ({ ...spec, name: this.physical(spec.name) as Topic }));
    if (this.config.provisionTopics) {
      const result = await provisionTopics(this.deps.kafka, specs, { logger: this.logger });
      assertPartitionsMatch(result);
      if (result.created.length > 0) this.logger.info({ created: result.created }, 'topics created');
    }
    // Co-partitioning needs one partition count across every input topic and the state topic.
    const admin = this.deps.kafka.admin();
    await admin.connect();
    try {
      const logical: Topic[] = [...ORCHESTRATOR_INPUTS, STATE];
      const wanted = logical.map((t) => this.physical(t));
      const { topics } = await admin.fetchTopicMetadata({ topics: wanted });
      const counts = new Map(topics.map((t) => [t.name, t.partitions.length]));
      const distinct = new Set(counts.values());
      if (distinct.size !== 1) {
        const list = [...counts].map(([name, n]) => `${name}=${n}`).join(', ');
        throw new Error(`input and state topics must have the same partition count, found ${list}`);
      }
      return [...distinct][0] as number;
    } finally {
      await admin.disconnect();
    }
  }

  private watchGroup(): void {
    const { events } = this.consumer;
    this.consumer.on(events.GROUP_JOIN, ({ payload }) => {
      this.inGroup = true;
      const owned = new Set<number>();
      for (const partitions of Object.values(payload.memberAssignment))
        for (const p of partitions) owned.add(p);
      this.assign(owned);
    });
    this.consumer.on(events.REBALANCING, () => {
      this.inGroup = false;
    });
    this.consumer.on(events.CRASH, ({ payload }) => {
      this.inGroup = false;
      this.logger.error({ err: payload.error, restart: payload.restart }, 'consumer crashed');
      // kafkajs gave up (it restarts by itself otherwise): only a process restart helps now.
      if (!payload.restart && this.state !== 'stopping' && this.state !== 'stopped') this.state = 'failed';
    });
    this.consumer.on(events.STOP, () => {
      this.inGroup = false;
    });
  }

  /**
   * A new assignment: every partition, kept or new, is restored again. Between two assignments
   * another instance may have owned it, so what we held in memory may be stale; the restore makes
   * that impossible to miss (fence, barrier, read).
   */
  private assign(owned: Set<number>): void {
    const previous = this.workers;
    this.workers = new Map();
    this.metrics.consumerLag.reset();
    const closeQuietly = (worker: PartitionWorker) =>
      worker
        .close()
        .catch((error: unknown) =>
          this.logger.warn({ err: error, partition: worker.partition }, 'worker close failed'),
        );
    for (const [partition, worker] of previous) if (!owned.has(partition)) void closeQuietly(worker);
    const admin = this.admin;
    if (!admin) throw new Error('assignment before start');
    for (const partition of [...owned].sort((a, b) => a - b)) {
      const before = previous.get(partition);
      const worker = new PartitionWorker(partition, {
        kafka: this.deps.kafka,
        admin,
        directory: this.directory,
        names: this.names,
        groupId: this.config.groupId,
        inputTopics: ORCHESTRATOR_INPUTS.map((t) => this.physical(t)),
        restoreTimeoutMs: this.config.restoreTimeoutMs,
        logger: this.logger.child({ partition }),
        ...(before ? { after: closeQuietly(before) } : {}),
        onRestored: (ms) => this.metrics.restoreSeconds.observe(ms / 1000),
      });
      this.workers.set(partition, worker);
    }
    this.logger.info({ partitions: [...owned].sort((a, b) => a - b) }, 'partitions assigned');
  }

  /**
   * One fetched batch of one input topic-partition. While the partition restores (after an
   * assignment or a failed transaction) it is paused rather than waited for, so the other
   * partitions of the fetch go on; kafkajs fetches the same records again once resumed, because
   * nothing was resolved.
   */
  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    pause,
  }: EachBatchPayload): Promise<void> {
    const topic = this.logicalByPhysical.get(batch.topic) as OrchestratorInput | undefined;
    const worker = this.workers.get(batch.partition);
    if (!topic || !worker) return;
    const pauseUntilReady = () => {
      const resume = pause();
      void worker.whenReady().then(resume);
    };
    if (worker.state !== 'ready') return pauseUntilReady();
    await worker.enqueue(async () => {
      if (!isRunning() || isStale()) return;
      if (worker.state !== 'ready') return pauseUntilReady();
      const started = performance.now();
      const now = this.clock();
      // Records below the committed offset were applied already (before a failed transaction that
      // in fact committed, or by the previous owner after our fetch position was set).
      const floor = worker.floor(batch.topic);
      const messages: RawInbound[] = batch.messages
        .filter((m) => BigInt(m.offset) >= floor)
        .map((m) => ({
          topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key?.toString('utf8') || undefined,
          value: m.value,
          headers: readHeaders(m.headers),
        }));
      const next = BigInt(batch.lastOffset()) + 1n;
      if (messages.length > 0) {
        const plan = planBatch(messages, {
          partition: batch.partition,
          numPartitions: this.numPartitions,
          now,
          getRecord: (id) => worker.get(id),
          lookupAlias: (alias) => this.lookupAlias(alias),
        });
        const offset = {
          consumerGroupId: this.config.groupId,
          topic: batch.topic,
          partition: batch.partition,
          offset: String(next),
        };
        try {
          await worker.commit(plan, [offset]);
        } catch {
          // The worker restores itself; read this batch again once it is ready.
          return pauseUntilReady();
        }
        this.observe(plan);
      }
      resolveOffset(batch.lastOffset());
      worker.advanced(batch.topic, next);
      this.metrics.batchDuration.observe((performance.now() - started) / 1000);
      this.metrics.consumerLag.set(
        { topic: batch.topic, partition: String(batch.partition) },
        Number(batch.offsetLag()),
      );
    });
    await heartbeat();
  }

  private physical(topic: Topic): string {
    return physicalTopic(topic, this.names);
  }

  private lookupAlias(alias: string): string | undefined {
    for (const worker of this.workers.values()) {
      const requestId = worker.lookupAlias(alias);
      if (requestId) return requestId;
    }
    return this.directory.lookupAlias(alias);
  }

  /** Deadlines and retention, through the same transactional path as messages. */
  private sweep(): void {
    const now = this.clock();
    for (const worker of this.workers.values()) {
      if (!worker.caughtUp(now)) continue;
      void worker
        .enqueue(async () => {
          if (worker.state !== 'ready') return;
          const plan: BatchPlan = planDeadlines(
            worker.records(),
            (stage) => this.config.deadlines[stage],
            now,
          );
          const expired: string[] = [];
          for (const record of worker.records()) {
            const final = record.stage === 'done' || record.stage === 'regress';
            if (final && now - record.updatedAt > this.config.retentionMs) expired.push(record.requestId);
          }
          if (plan.updated.size === 0 && expired.length === 0) return;
          await worker.commit(plan, [], expired);
          this.observe(plan);
          if (expired.length > 0)
            this.logger.info(
              { partition: worker.partition, count: expired.length },
              'finished requests forgotten',
            );
        })
        .catch((error: unknown) =>
          this.logger.error({ err: error, partition: worker.partition }, 'sweep failed'),
        );
    }
  }

  /** Metrics and logs of a committed plan; latency is measured now, after the commit. */
  private observe(plan: BatchPlan): void {
    const committedAt = Date.now();
    for (const effect of plan.effects) {
      switch (effect.kind) {
        case 'applied':
          if (effect.producedAt !== undefined && committedAt >= effect.producedAt) {
            this.metrics.processingLatency.observe((committedAt - effect.producedAt) / 1000);
          }
          if (effect.change) {
            const { from, to, at, fromEnteredAt } = effect.change;
            this.metrics.stageTotal.inc({ stage: to });
            this.metrics.stageDuration.observe({ stage: from }, Math.max(0, at - fromEnteredAt) / 1000);
            this.logger.info(
              { requestId: effect.requestId, from, to, via: effect.topic, sent: effect.commands },
              'stage changed',
            );
          }
          break;
        case 'rejected':
          this.metrics.rejected.inc({ reason: effect.reason });
          this.metrics.deadLettered.inc({ reason: effect.reason });
          this.logger.warn(
            {
              requestId: effect.requestId,
              topic: effect.topic,
              reason: effect.reason,
              detail: effect.detail,
            },
            'message dead-lettered',
          );
          break;
        case 'forwarded':
          this.metrics.forwarded.inc();
          this.logger.debug(
            { requestId: effect.requestId, topic: effect.topic, toPartition: effect.toPartition },
            'message forwarded',
          );
          break;
      }
    }
  }

  private countByStage(): Map<Stage, number> {
    const counts = new Map<Stage, number>();
    for (const worker of this.workers.values()) {
      for (const record of worker.records()) counts.set(record.stage, (counts.get(record.stage) ?? 0) + 1);
    }
    return counts;
  }

  private async closeAll(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    // consumer.stop() waits for the batches in hand: they finish and commit before we close.
    await this.consumer
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'consumer stop failed'));
    await Promise.all([...this.workers.values()].map((w) => w.close().catch(() => {})));
    this.workers.clear();
    await this.consumer
      .disconnect()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'consumer disconnect failed'));
    await this.directory
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'directory stop failed'));
  }
}
