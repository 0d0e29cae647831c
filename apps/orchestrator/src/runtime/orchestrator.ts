import { randomBytes } from 'node:crypto';
import type { Logger } from '@pipeline/common';
import { KafkaAdmin, type KafkaClient, partitionFor } from '@pipeline/kafka';
import { DEFAULT_LIST_LIMIT, type ListQuery } from '@pipeline/orchestrator-api';
import { isFinalStage } from '@pipeline/state-machine';
import { ALIAS, ORCHESTRATOR_INPUTS, STATE, TopicNames } from '@pipeline/topics';
import type { OrchestratorConfig } from '../config.js';
import type { RequestRecord } from '../domain/request-record.js';
import type { Routing } from '../http/forward.js';
import { decodeCursor } from '../http/request-list.js';
import { createMetrics, type Metrics, type PartitionView } from '../metrics.js';
import { StateStore } from '../store/state-store.js';
import { assertNoStrangers, PartitionGroup } from './group.js';
import { OffsetLookups } from './offset-lookups.js';
import { Peers, routingOf } from './peers.js';
import { prepareTopics } from './prepare-topics.js';
import { lookUpOffsets } from './restore.js';
import { StateDirectory } from './state-directory.js';
import { Sweeper } from './sweeper.js';

/** Requests regressed or forgotten per sweep of a partition; the rest wait for the next sweep. */
const MAX_PER_SWEEP = 500;

/**
 * Lifecycle of an orchestrator instance:
 * created → starting → running → stopping → stopped, or → failed when start or the consumer fails
 * for good. Only `running` with every owned partition restored is ready.
 */
export type OrchestratorState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface OrchestratorDeps {
  client: KafkaClient;
  logger: Logger;
  /** Epoch ms; tests pass a fake one to move deadlines. */
  clock?: () => number;
}

/**
 * Drives every change request through its stages, exactly once, with Kafka as its only store. This
 * class is the lifecycle and the wiring: topics (prepare-topics), the state directory, the group of
 * partition workers (group, partition-worker, process-batch) and the sweeper.
 */
export class Orchestrator {
  state: OrchestratorState = 'created';
  readonly metrics: Metrics;
  private readonly names: TopicNames;
  private readonly directory: StateDirectory;
  private readonly logger: Logger;
  private group: PartitionGroup | undefined;
  private sweeper: Sweeper | undefined;
  private admin: KafkaAdmin | undefined;
  private store: StateStore | undefined;
  private numPartitions = 0;
  private maxTransactionBytes = 0;
  /** Where this instance's HTTP server answers (advertise). */
  private endpoint: string | undefined;
  private readonly peers: Peers;
  /** Who owns what among the instances, for the HTTP server (http/forward.ts). */
  readonly routing: Routing;

  constructor(
    private readonly config: OrchestratorConfig,
    private readonly deps: OrchestratorDeps,
  ) {
    this.logger = deps.logger;
    this.names = TopicNames.prefixed(config.topicPrefix);
    this.metrics = createMetrics(() => this.partitionViews());
    this.directory = new StateDirectory(deps.client, {
      names: this.names,
      groupPrefix: config.groupId,
      logger: deps.logger.child({ component: 'directory' }),
    });
    this.peers = new Peers({
      members: async () => (this.admin ? this.admin.groupMembers(config.groupId) : []),
      self: () => this.group?.groupMemberId,
      clock: deps.clock ?? Date.now,
      partitions: () => this.numPartitions,
    });
    this.routing = routingOf({
      peers: this.peers,
      self: () => this.endpoint ?? '',
      partitions: () => this.numPartitions,
      owns: (partition) => this.group?.worker(partition) !== undefined,
      asked: (route, outcome) => this.metrics.lookupsForwarded.inc({ route, outcome }),
    });
  }

  /**
   * Where the other instances reach this one's HTTP server (told to the group at each join), so that
   * they forward lookups of this instance's requests to it. Set before start.
   */
  advertise(endpoint: string): void {
    this.endpoint = endpoint;
  }

  async start(): Promise<void> {
    if (this.state !== 'created') throw new Error(`cannot start an orchestrator that is ${this.state}`);
    this.state = 'starting';
    try {
      const { client } = this.deps;
      this.admin = await KafkaAdmin.open(client, this.names);
      const { provisionTopics: provision, partitions, replication } = this.config;
      const limits = await prepareTopics(
        client,
        this.admin,
        this.names,
        { provision, partitions, replication },
        this.logger,
      );
      this.numPartitions = limits.partitions;
      this.maxTransactionBytes = limits.maxTransactionBytes;
      await assertNoStrangers(this.admin, this.config.groupId, this.names);
      this.store = StateStore.open(this.config.stateDir, {
        clusterId: await this.admin.clusterId(),
        topic: this.names.physical(STATE),
      });
      const ends = await this.admin.endOffsets([STATE, ALIAS]);
      this.directory.onStored((partition, requestId, value) =>
        this.group?.worker(partition)?.stored(requestId, value),
      );
      // Nothing is read until the group says which partitions are this instance's.
      this.directory.own([], this.numPartitions);
      // Both groups are joined at once: the directory reads nothing before the orchestrator group
      // assigns, and a worker's restore waits for the directory whichever joins first.
      const directoryStarted = this.directory.start(
        this.store,
        ends.get(STATE) ?? new Map(),
        ends.get(ALIAS) ?? new Map(),
      );
      this.group = this.createGroup(this.admin);
      await Promise.all([directoryStarted, this.group.start()]);
      this.sweeper = this.createSweeper();
      this.sweeper.start();
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

  /**
   * Live while it can still make progress by itself; a dead consumer or directory, or a partition
   * that has been restoring, fenced or failing its transactions for longer than
   * ORCH_PARTITION_STUCK_AFTER (partition-trouble.ts), needs a restart.
   */
  isLive(): boolean {
    if (this.state === 'failed') return false;
    if (this.state !== 'running') return true;
    if (!this.directory.healthy || this.group?.crashed) return false;
    const now = this.clock();
    for (const worker of this.group?.owned() ?? [])
      if (worker.troubleMs(now) > this.config.partitionStuckAfterMs) return false;
    return true;
  }

  readiness(): { ready: boolean; detail: Record<string, unknown> } {
    const now = this.clock();
    const partitions = [...(this.group?.owned() ?? [])].map((w) => {
      const troubleMs = w.troubleMs(now);
      return {
        partition: w.partition,
        state: w.state,
        ...(troubleMs > 0 ? { troubleMs } : {}),
        ...(w.problem ? { problem: w.problem } : {}),
      };
    });
    const directory = this.directory.healthy;
    const inGroup = this.group?.inGroup ?? false;
    const ready =
      this.state === 'running' && inGroup && directory && partitions.every((p) => p.state === 'ready');
    return { ready, detail: { state: this.state, inGroup, directory, partitions } };
  }

  /**
   * The candidates of a page of GET /requests: the store's matches after the cursor (one more than
   * the limit), each in its latest state (an owned unfinished request is fresher in memory than in
   * the store); http/request-list.ts judges and pages them. A request whose fresher state no longer
   * matches the filter drops out of its page (the store lags the owner by milliseconds), which can
   * make that page one short and, rarely, its last. `partitions`: only theirs (what a fan-out asks
   * each owner for).
   */
  listCandidates(query: ListQuery, partitions?: readonly number[]): RequestRecord[] {
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const found = this.directory.list({
      ...(partitions === undefined ? {} : { partitions }),
      ...(query.stage === undefined ? {} : { stage: query.stage }),
      ...(query.repo === undefined ? {} : { repo: query.repo }),
      ...(query.requester === undefined ? {} : { requester: query.requester }),
      ...(query.since === undefined ? {} : { since: query.since }),
      ...(after ? { after } : {}),
      limit: (query.limit ?? DEFAULT_LIST_LIMIT) + 1,
    });
    return found.map((record) => this.getRequest(record.requestId) ?? record);
  }

  /**
   * Requests the owned partitions hold in memory: the unfinished ones, and finished ones until the
   * store has read them back. Everything else is on disk.
   */
  heldInMemory(): number {
    let n = 0;
    for (const worker of this.group?.owned() ?? []) n += worker.size;
    return n;
  }

  /** The state store: its file, and how many state records the directory read since start. */
  storeStats(): { file: string | undefined; recordsRead: number } {
    return { file: this.store?.file, recordsRead: this.directory.recordsRead };
  }

  /** A request's state: from the instance that owns it if that is us, else from the directory. */
  getRequest(requestId: string): RequestRecord | undefined {
    const owner = this.group?.worker(partitionFor(requestId, this.numPartitions || 1));
    return owner?.get(requestId) ?? this.directory.get(requestId);
  }

  private partitionViews(): PartitionView[] {
    const now = this.clock();
    return [...(this.group?.owned() ?? [])].map((worker) => {
      const horizon = worker.readHorizon();
      return {
        partition: worker.partition,
        state: worker.state,
        lagSeconds: horizon === undefined ? undefined : Math.max(0, now - horizon) / 1000,
      };
    });
  }

  private clock(): number {
    return (this.deps.clock ?? Date.now)();
  }

  private createGroup(admin: KafkaAdmin): PartitionGroup {
    const { config, deps } = this;
    return new PartitionGroup(
      {
        groupId: config.groupId,
        sessionTimeoutMs: config.sessionTimeoutMs,
        concurrency: config.partitionsConsumedConcurrently,
      },
      {
        client: deps.client,
        metrics: this.metrics,
        logger: this.logger,
        worker: {
          client: deps.client,
          admin,
          directory: this.directory,
          names: this.names,
          groupId: config.groupId,
          inputTopics: ORCHESTRATOR_INPUTS,
          restoreTimeoutMs: config.restoreTimeoutMs,
          compression: config.compression,
          maxInFlight: config.maxInFlightPerPartition,
          numPartitions: this.numPartitions,
          clock: deps.clock ?? Date.now,
          offsets: new OffsetLookups(() => lookUpOffsets(admin, config.groupId, ORCHESTRATOR_INPUTS)),
          // Finished requests stay in memory only until the store has them: not in flight.
          onStageCount: (stage, delta) => {
            if (stage === 'awaiting_approval' || !isFinalStage(stage))
              this.metrics.requestsInFlight.inc({ stage }, delta);
          },
        },
        batch: {
          groupId: config.groupId,
          names: this.names,
          numPartitions: this.numPartitions,
          defaultBudget: config.defaultBudget,
          retryPolicy: config.retryPolicy,
          defaultGates: config.approvalStages,
          maxTransactionBytes: this.maxTransactionBytes,
          clock: deps.clock ?? Date.now,
          stateReads: {
            readPast: (at) => this.directory.readPast(at),
            catchUp: () => this.directory.catchUp(() => admin.endOffsets([STATE, ALIAS])),
          },
        },
        lookupIndexedAlias: (alias) => this.directory.lookupAlias(alias),
        endpoint: () => this.endpoint,
        warm: () => this.directory.warm(),
        onAssigned: (owned) => {
          this.directory.own(owned, this.numPartitions);
          this.peers.invalidate();
        },
      },
    );
  }

  private createSweeper(): Sweeper {
    const { config } = this;
    return new Sweeper({
      policy: {
        deadlineFor: (stage) => {
          const idleMs = config.deadlines[stage];
          const maxMs = config.stageMaximums[stage];
          return idleMs === undefined && maxMs === undefined ? undefined : { idleMs, maxMs };
        },
        retentionMs: config.retentionMs,
        maxPerSweep: MAX_PER_SWEEP,
        retryPolicy: config.retryPolicy,
        approvalTimeoutMs: config.approvalTimeoutMs,
        nonce: () => randomBytes(8).toString('hex'),
      },
      intervalMs: config.sweepIntervalMs,
      maxTransactionBytes: this.maxTransactionBytes,
      endOffsets: () => (this.admin as KafkaAdmin).endOffsets(ORCHESTRATOR_INPUTS),
      clock: this.deps.clock ?? Date.now,
      workers: () => this.group?.owned() ?? [],
      metrics: this.metrics,
      logger: this.logger,
    });
  }

  private async closeAll(): Promise<void> {
    this.sweeper?.stop();
    await this.group?.stop();
    await this.directory
      .stop()
      .catch((error: unknown) => this.logger.warn({ err: error }, 'directory stop failed'));
    await this.admin?.close().catch(() => {});
    this.store?.close();
    this.store = undefined;
  }
}
