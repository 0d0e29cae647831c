import { type Logger, sleep } from '@pipeline/common';
import {
  type Batch,
  type Consumer,
  createConsumer,
  type KafkaAdmin,
  type KafkaClient,
} from '@pipeline/kafka';
import { ORCHESTRATOR_INPUTS, type OrchestratorInput, type TopicNames } from '@pipeline/topics';
import type { Metrics } from '../metrics.js';
import { PartitionWorker, type WorkerDeps } from './partition-worker.js';
import { type BatchDeps, processBatch } from './process-batch.js';

/** How long a start waits for a rebalancing group to settle before judging its members' subscriptions. */
const SETTLE_TIMEOUT_MS = 30_000;
/** The longest time between two heartbeats of a member (a tenth of the session timeout when shorter). */
const HEARTBEAT_MAX_MS = 500;

/**
 * Refuses to join a group whose members read other topics: another pipeline (another topic prefix)
 * or another version sharing the group id would share the transactional ids too, and the two would
 * fence each other. The co-partition assignment gives such members nothing; this says why at start.
 * While the group rebalances the broker describes no subscriptions: it asks again until the group has
 * settled (up to 30 s), then judges the members whose subscription it knows.
 */
export async function assertNoStrangers(
  admin: Pick<KafkaAdmin, 'groupMembers'>,
  groupId: string,
  names: TopicNames,
  { settleTimeoutMs = SETTLE_TIMEOUT_MS, retryMs = 250 } = {},
): Promise<void> {
  const ours = ORCHESTRATOR_INPUTS.map((t) => names.physical(t) as string)
    .sort()
    .join(',');
  const deadline = Date.now() + settleTimeoutMs;
  let members = await admin.groupMembers(groupId);
  while (members.some((m) => m.topics === undefined) && Date.now() < deadline) {
    await sleep(retryMs);
    members = await admin.groupMembers(groupId);
  }
  const strangers = members.filter((m) => m.topics !== undefined && m.topics.join(',') !== ours);
  if (strangers.length === 0) return;
  const list = strangers.map((m) => `${m.clientId}@${m.host} reads ${m.topics?.join(', ')}`).join('; ');
  throw new Error(
    `group ${groupId} has members subscribed to other topics (${list}): another pipeline (another ` +
      'PIPELINE_TOPIC_PREFIX) or another version uses this group; give each pipeline its own ORCH_GROUP_ID',
  );
}

export interface GroupOptions {
  groupId: string;
  sessionTimeoutMs: number;
  concurrency: number;
}

export interface GroupDeps {
  client: KafkaClient;
  metrics: Metrics;
  logger: Logger;
  /** What every worker needs besides its partition. */
  worker: Omit<WorkerDeps, 'after' | 'onRestored' | 'onRestoreFailed' | 'logger'>;
  batch: Omit<BatchDeps, 'lookupAlias' | 'metrics' | 'logger'>;
  /**
   * The alias index this instance owns (the state directory): the requests of an alias whose
   * partition it owns; undefined for any other alias (only its partition's owner can say).
   */
  lookupIndexedAlias: (alias: string) => readonly string[] | undefined;
  /** Where this instance's HTTP server answers, advertised to the group at each join (peers.ts). */
  endpoint?: () => string | undefined;
  /** The partitions whose state this instance has on disk, told at each join: dealt to it first. */
  warm?: () => readonly number[];
  /**
   * Told of each new assignment (the partition numbers owned), before any worker restores: the
   * directory reads only those, and the owners of partitions may have changed.
   */
  onAssigned?: (owned: readonly number[]) => void;
}

/**
 * The instance's membership in the orchestrator group: the co-partitioned consumer of every input
 * topic, and one PartitionWorker per partition number it owns. Each assignment replaces the workers;
 * each batch goes to the worker of its partition.
 */
export class PartitionGroup {
  private workers = new Map<number, PartitionWorker>();
  private member = false;
  private memberId: string | undefined;
  private failed = false;
  private readonly consumer: Consumer;

  constructor(
    private readonly options: GroupOptions,
    private readonly deps: GroupDeps,
  ) {
    this.consumer = createConsumer(deps.client, {
      groupId: options.groupId,
      topics: ORCHESTRATOR_INPUTS,
      names: deps.worker.names,
      fromBeginning: true,
      coPartitioned: true,
      ...(deps.endpoint ? { endpoint: deps.endpoint } : {}),
      ...(deps.warm ? { warm: deps.warm } : {}),
      // A short long-poll keeps shutdown and rebalances quick; data is returned as soon as it exists.
      maxWaitTimeMs: 500,
      sessionTimeoutMs: options.sessionTimeoutMs,
      // Members learn of a rebalance (an instance joining, a restarted one coming back) only from a
      // heartbeat's answer: at most every 500 ms, not kafkajs' 3 s, so a join does not wait seconds.
      heartbeatIntervalMs: Math.min(
        HEARTBEAT_MAX_MS,
        Math.max(100, Math.floor(options.sessionTimeoutMs / 10)),
      ),
      retries: 10,
      concurrency: options.concurrency,
      logger: deps.logger,
    });
    this.consumer.on((event) => {
      switch (event.type) {
        case 'joined': {
          this.member = true;
          const sameMember = this.memberId === event.memberId;
          this.memberId = event.memberId;
          const owned = new Set<number>();
          for (const partitions of event.partitions.values()) for (const p of partitions) owned.add(p);
          this.deps.onAssigned?.([...owned].sort((a, b) => a - b));
          this.assign(owned, sameMember);
          break;
        }
        case 'crashed':
          this.member = false;
          // The client gave up (it restarts by itself otherwise): only a process restart helps now.
          if (!event.restarting) this.failed = true;
          break;
        case 'skipped':
          this.workers.get(event.partition)?.advanced(event.topic as OrchestratorInput, event.nextOffset);
          break;
        default:
          this.member = false;
      }
    });
  }

  /** In the group, with an assignment. */
  get inGroup(): boolean {
    return this.member;
  }

  /** The consumer stopped for good. */
  get crashed(): boolean {
    return this.failed;
  }

  /** Joins the group and consumes; resolves once it does. */
  start(): Promise<void> {
    const lookupAlias = (alias: string) => this.lookupAlias(alias);
    const batchDeps: BatchDeps = {
      ...this.deps.batch,
      lookupAlias,
      metrics: this.deps.metrics,
      logger: this.deps.logger,
    };
    return this.consumer.run(async (batch: Batch) => {
      const worker = this.workers.get(batch.partition);
      if (worker) await processBatch(batch, worker, batchDeps);
    });
  }

  /** Stops fetching (the batches in hand finish and commit), closes the workers, leaves the group. */
  async stop(): Promise<void> {
    await this.consumer
      .stop()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'consumer stop failed'));
    await Promise.all([...this.workers.values()].map((w) => w.close().catch(() => {})));
    this.workers.clear();
    await this.consumer
      .close()
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'consumer disconnect failed'));
  }

  /** This instance's member id in the group (since its last join). */
  get groupMemberId(): string | undefined {
    return this.memberId;
  }

  owned(): IterableIterator<PartitionWorker> {
    return this.workers.values();
  }

  worker(partition: number): PartitionWorker | undefined {
    return this.workers.get(partition);
  }

  /** Whether the group coordinator still gives this member `partition` (asked when fenced). */
  private async stillOwner(partition: number): Promise<boolean> {
    const members = await this.deps.worker.admin.groupMembers(this.options.groupId);
    return members.some((m) => m.memberId === this.memberId && m.partitions.includes(partition));
  }

  /**
   * Every request an alias belongs to, when this instance owns the alias's partition of the alias
   * index (and, as the index may lag its writers by milliseconds, the requests it holds in memory);
   * undefined when another instance does.
   */
  private lookupAlias(alias: string): string[] | undefined {
    const indexed = this.deps.lookupIndexedAlias(alias);
    if (indexed === undefined) return undefined;
    const owners = new Set(indexed);
    for (const worker of this.workers.values()) for (const id of worker.lookupAlias(alias)) owners.add(id);
    return [...owners];
  }

  /**
   * A new assignment. A partition kept from the previous generation by the same member keeps its
   * worker, state and producer: the same member id means this instance took part in every generation
   * in between (a member that misses one is expelled and rejoins under a new id), so nobody else owned
   * the partition meanwhile. Its producer still holds the partition's transactional id; a producer
   * that took the id since (a zombie, a stranger) fenced it, which its next commit finds (fenced: ask
   * the group). Every other partition, and a kept one whose worker is fenced or closing, gets a new
   * worker that restores (fence, barrier, read) once the previous one closed.
   */
  private assign(owned: Set<number>, sameMember: boolean): void {
    const previous = this.workers;
    this.workers = new Map();
    this.deps.metrics.consumerLag.reset();
    const closeQuietly = (worker: PartitionWorker) =>
      worker
        .close()
        .catch((error: unknown) =>
          this.deps.logger.warn({ err: error, partition: worker.partition }, 'worker close failed'),
        );
    for (const [partition, worker] of previous) if (!owned.has(partition)) void closeQuietly(worker);
    const sorted = [...owned].sort((a, b) => a - b);
    const kept: number[] = [];
    for (const partition of sorted) {
      const before = previous.get(partition);
      if (before && sameMember && (before.state === 'ready' || before.state === 'restoring')) {
        this.workers.set(partition, before);
        kept.push(partition);
        continue;
      }
      const worker = new PartitionWorker(partition, {
        ...this.deps.worker,
        logger: this.deps.logger.child({ partition }),
        ...(before ? { after: closeQuietly(before) } : {}),
        onRestored: (ms) => {
          this.deps.metrics.restores.inc({ outcome: 'succeeded' });
          this.deps.metrics.restoreSeconds.observe(ms / 1000);
        },
        onRestoreFailed: () => this.deps.metrics.restores.inc({ outcome: 'failed' }),
        onTransactionFailed: (reason) => this.deps.metrics.transactionFailures.inc({ reason }),
        stillOwner: () => this.stillOwner(partition),
      });
      this.workers.set(partition, worker);
    }
    this.deps.logger.info({ partitions: sorted, kept }, 'partitions assigned');
  }
}
