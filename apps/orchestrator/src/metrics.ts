import { isFinalStage, STAGES } from '@pipeline/state-machine';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { WORKER_STATES, type WorkerState } from './runtime/worker-lifecycle.js';

const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const STAGE_BUCKETS = [0.01, 0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600, 24 * 3600];

/** What the partition gauges read at each scrape: the partitions this instance owns now. */
export interface PartitionView {
  partition: number;
  state: WorkerState;
  /** Seconds behind the read horizon (read-horizon.ts); undefined while the backlog of a restore is read. */
  lagSeconds: number | undefined;
}

/**
 * The orchestrator's metrics, on a registry of its own (one per instance, so tests can run several).
 * `orch_stage_total{stage}` is the reference design's counter, incremented on each stage entry.
 * `orch_requests_in_flight{stage}` is moved by the partition workers' request indexes as records are
 * put and forgotten (`inc` with ±n): a scrape costs the same whether 10 or 100,000 requests are held.
 */
export function createMetrics(partitions: () => Iterable<PartitionView> = () => []) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = {
    registry,
    stageTotal: new Counter({
      name: 'orch_stage_total',
      help: 'Stage entries, per stage (the reference design counter)',
      labelNames: ['stage'],
      registers: [registry],
    }),
    stageDuration: new Histogram({
      name: 'orch_stage_duration_seconds',
      help: 'Time requests spent in a stage, observed when they leave it',
      labelNames: ['stage'],
      buckets: STAGE_BUCKETS,
      registers: [registry],
    }),
    processingLatency: new Histogram({
      name: 'orch_processing_latency_seconds',
      help: 'From an input message being produced (x-produced-at) to its outcome being committed',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    batchDuration: new Histogram({
      name: 'orch_batch_duration_seconds',
      help: 'The orchestrator own time per batch: decide, transaction, commit',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    rejected: new Counter({
      name: 'orch_rejected_total',
      help: 'Input messages that changed nothing, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'orch_dead_letters_total',
      help: 'Messages sent to the dead-letter topic, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    progress: new Counter({
      name: 'orch_progress_total',
      help: 'AgentProgress messages: recorded on their request, or stale (for a stage the request has left)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    forwarded: new Counter({
      name: 'orch_forwarded_total',
      help: 'Keyless or mis-partitioned messages handed to the partition that owns their request',
      registers: [registry],
    }),
    lookupsForwarded: new Counter({
      name: 'orch_http_forwarded_total',
      help: 'GET /requests/{id} and GET /requests asked of the instances that own the partitions, by route and outcome (answered, or unanswered: served from this instance’s store)',
      labelNames: ['route', 'outcome'],
      registers: [registry],
    }),
    consumerLag: new Gauge({
      name: 'orch_consumer_lag',
      help: 'Messages not yet processed, per input topic and partition (as of the last batch)',
      labelNames: ['topic', 'partition'],
      registers: [registry],
    }),
    transactionFailures: new Counter({
      name: 'orch_transaction_failures_total',
      help: 'Transactions that failed, by reason: fenced, too_large or other',
      labelNames: ['reason'],
      registers: [registry],
    }),
    restores: new Counter({
      name: 'orch_restores_total',
      help: 'Partition restores (take-overs and recoveries after a failed transaction), by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    restoreSeconds: new Histogram({
      name: 'orch_restore_seconds',
      help: 'Time to take a partition over (fence, barrier, read state)',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
  };
  const requestsInFlight = new Gauge({
    name: 'orch_requests_in_flight',
    help: 'Unfinished requests owned by this instance, per stage (those waiting for an approval under awaiting_approval); finished ones live in the state store',
    labelNames: ['stage'],
    registers: [registry],
  });
  for (const stage of [...STAGES.filter((s) => !isFinalStage(s)), 'awaiting_approval'])
    requestsInFlight.set({ stage }, 0);
  for (const outcome of ['succeeded', 'failed']) metrics.restores.inc({ outcome }, 0);
  for (const outcome of ['recorded', 'stale']) metrics.progress.inc({ outcome }, 0);
  // Read at each scrape from the owned partitions (O(partitions)): a partition that moved to another
  // instance disappears instead of staying at its last value.
  new Gauge({
    name: 'orch_partition_state',
    help: 'Lifecycle state of each owned partition (1 for its current state): restoring, ready, fenced, closing, closed',
    labelNames: ['partition', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const view of partitions())
        for (const state of WORKER_STATES)
          this.set({ partition: String(view.partition), state }, view.state === state ? 1 : 0);
    },
  });
  new Gauge({
    name: 'orch_input_lag_seconds',
    help: 'Per owned partition: how long ago the latest time is before which every input record was read (resolution: the sweep interval)',
    labelNames: ['partition'],
    registers: [registry],
    collect() {
      this.reset();
      for (const view of partitions())
        if (view.lagSeconds !== undefined) this.set({ partition: String(view.partition) }, view.lagSeconds);
    },
  });
  return { ...metrics, requestsInFlight };
}

export type Metrics = ReturnType<typeof createMetrics>;
