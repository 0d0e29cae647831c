import { join } from 'node:path';
// One pipeline under test: its own topic prefix on the cluster, the audit, the stub agents and N
// orchestrator instances as processes, a producer standing in for users, and the checks every
// scenario ends with.

import { mkdirSync } from 'node:fs';
import type { ServiceProcess } from '@pipeline/cli-kit';
import { noopLogger, pollUntil, withRetry } from '@pipeline/common';
import { create, schemas } from '@pipeline/contracts';
import type { PlannedRequest } from '@pipeline/failure-markers';
import {
  createKafkaClient,
  createProducer,
  encodeRecord,
  isRetriable,
  type KafkaClient,
  type OutboundRecord,
  type Producer,
  partitionFor,
  provisionPipelineTopics,
} from '@pipeline/kafka';
import { CRQ, TopicNames } from '@pipeline/topics';
import { Audit } from './audit.js';
import { OrchestratorInstance, runCli, startAgents } from './services.js';
import { isClean, type Verdict, verify } from './verify.js';

export interface PipelineOptions {
  bootstrap: string;
  /** Topic prefix, unique per scenario run (ends with a dot). */
  prefix: string;
  partitions: number;
  instances: number;
  logDir: string;
  /** Stub agents' mean think time, ms. */
  thinkMs: number;
  /** Extra orchestrator settings. */
  orchestratorEnv?: Record<string, string>;
  /** Start the stub agents (default true); a scenario with agents of its own does not. */
  stubAgents?: boolean;
  /** Start the orchestrators (default true); a backlog scenario starts them later. */
  startOrchestrators?: boolean;
}

/** Settings every orchestrator of the suite runs with: a session short enough to notice a death in seconds. */
export const CHAOS_ORCHESTRATOR_ENV = {
  ORCH_SESSION_TIMEOUT: '10s',
  ORCH_SHUTDOWN_GRACE: '10s',
  LOG_LEVEL: 'info',
};

export class ChaosPipeline {
  readonly names: TopicNames;
  readonly instances: OrchestratorInstance[] = [];
  readonly submittedAt = new Map<string, number>();
  readonly badMarks = new Set<string>();
  private started = 0;
  private agents: ServiceProcess | undefined;
  private producer: Producer | undefined;

  private constructor(
    readonly options: PipelineOptions,
    readonly client: KafkaClient,
    readonly audit: Audit,
  ) {
    this.names = TopicNames.prefixed(options.prefix);
  }

  static async start(options: PipelineOptions): Promise<ChaosPipeline> {
    mkdirSync(options.logDir, { recursive: true });
    const client = createKafkaClient(
      {
        brokers: options.bootstrap.split(','),
        clientId: 'chaos',
        connectionTimeoutMs: 5000,
        requestTimeoutMs: 30_000,
      },
      { logger: noopLogger },
    );
    const names = TopicNames.prefixed(options.prefix);
    await provisionPipelineTopics(client, { names, partitions: options.partitions });
    // Right after a broker restart a new topic may not be known to every broker yet (UNKNOWN_TOPIC_OR_PARTITION):
    // the audit joins again until it reads.
    const audit = await withRetry(() => Audit.start(client, names), {
      retries: 10,
      initialDelayMs: 500,
      maxDelayMs: 5000,
      isRetriable,
    });
    const pipeline = new ChaosPipeline(options, client, audit);
    try {
      if (options.stubAgents !== false)
        pipeline.agents = await startAgents(
          pipeline.serviceEnv({ MOCK_THINK_MS: String(options.thinkMs) }),
          options.logDir,
        );
      if (options.startOrchestrators !== false) {
        for (let i = 0; i < options.instances; i++) await pipeline.addInstance({ ready: false });
        await Promise.all(pipeline.instances.map((o) => o.ready()));
      }
    } catch (error) {
      await pipeline.stop();
      throw error;
    }
    return pipeline;
  }

  /** Starts one more orchestrator instance (and, unless told otherwise, waits until it is ready). */
  async addInstance({ ready = true }: { ready?: boolean } = {}): Promise<OrchestratorInstance> {
    // Numbered before the first await: instances added at once get names (and log files) of their own.
    this.started += 1;
    const name = `orchestrator-${this.started}`;
    const instance = await OrchestratorInstance.start(name, this.orchestratorEnv(), this.options.logDir);
    this.instances.push(instance);
    if (ready) await instance.ready();
    return instance;
  }

  /** The environment of every service of this pipeline (the broker list and the prefix). */
  serviceEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      ...process.env,
      KAFKA_BOOTSTRAP: this.options.bootstrap,
      PIPELINE_TOPIC_PREFIX: this.options.prefix,
      ...extra,
    };
  }

  orchestratorEnv(): NodeJS.ProcessEnv {
    return this.serviceEnv({
      ...CHAOS_ORCHESTRATOR_ENV,
      ORCH_TOPIC_PARTITIONS: String(this.options.partitions),
      // The instances' state stores live with the run (one slot each; a restarted one finds its own).
      ORCH_STATE_DIR: join(this.options.logDir, 'state'),
      ...this.options.orchestratorEnv,
    });
  }

  /** Sends the requests' ChangeRequests in `waves`, `gapMs` apart (the producer retries through faults). */
  async submit(
    planned: readonly PlannedRequest[],
    {
      waves = 1,
      gapMs = 0,
      description = 'chaos change',
    }: { waves?: number; gapMs?: number; description?: string } = {},
  ): Promise<void> {
    const size = Math.ceil(planned.length / waves);
    for (let w = 0; w < waves; w++) {
      const wave = planned.slice(w * size, (w + 1) * size);
      const at = Date.now();
      for (const p of wave) this.submittedAt.set(p.id, at);
      await this.sendRecords(
        wave.map((p) =>
          encodeRecord(
            CRQ,
            create(schemas.ChangeRequest, {
              id: p.id,
              repo: 'chaos/shop',
              branch: 'main',
              description,
              requester: 'chaos',
            }),
            { key: p.id },
          ),
        ),
      );
      if (gapMs > 0 && w < waves - 1) await new Promise((r) => setTimeout(r, gapMs));
    }
  }

  /** Submits one request through the operator CLI (`pipeline submit`), as a user would. */
  async submitWithCli(request: PlannedRequest): Promise<void> {
    this.submittedAt.set(request.id, Date.now());
    const result = await runCli(
      [
        'submit',
        '--repo',
        'chaos/shop',
        '--branch',
        'main',
        '--description',
        'via the CLI',
        '--id',
        request.id,
      ],
      this.serviceEnv(),
    );
    if (result.code !== 0) throw new Error(`pipeline submit exited ${result.code}: ${result.stderr.trim()}`);
  }

  async sendRecords(records: readonly OutboundRecord[]): Promise<void> {
    if (!this.producer) {
      // Retries through leader elections and broker bounces; idempotent, so a retry is no copy.
      this.producer = createProducer(this.client, { names: this.names, retry: { retries: 20 } });
      await this.producer.connect();
    }
    for (let i = 0; i < records.length; i += 500) await this.producer.sendRecords(records.slice(i, i + 500));
  }

  /** Waits until the audit has seen every planned request in a final stage; false at the deadline. */
  async waitFinished(
    planned: readonly PlannedRequest[],
    timeoutMs: number,
    say?: (line: string) => void,
  ): Promise<boolean> {
    const ids = planned.map((p) => p.id);
    // A long wait (the full backlog takes most of an hour on 2 cores) says how far it is every minute.
    const started = Date.now();
    let before = this.audit.finishedCount(ids);
    const progress = say
      ? setInterval(() => {
          const done = this.audit.finishedCount(ids);
          const rate = (done - before) / 60;
          before = done;
          const left = rate > 0 ? `, ~${Math.ceil((ids.length - done) / rate / 60)} min left` : '';
          say(
            `  ${done}/${ids.length} finished after ${Math.round((Date.now() - started) / 1000)} s (${rate.toFixed(1)}/s${left})`,
          );
        }, 60_000)
      : undefined;
    try {
      return await pollUntil(() => this.audit.finishedCount(ids) === ids.length, {
        timeoutMs,
        intervalMs: 250,
        what: 'every request finished',
      }).then(
        () => true,
        () => false,
      );
    } finally {
      clearInterval(progress);
    }
  }

  /** Waits until every bad record's dead letter is there (or `timeoutMs` passes). */
  async waitBadDeadLettered(timeoutMs: number): Promise<void> {
    const count = () =>
      this.audit.deadLetters.filter((d) => d.badMark !== undefined && this.badMarks.has(d.badMark)).length;
    await pollUntil(() => count() >= this.badMarks.size, {
      timeoutMs,
      intervalMs: 250,
      what: 'every dead letter',
    }).catch(() => {});
  }

  /** Partitions of change.request.in that still hold an unfinished planned request. */
  frozenPartitions(planned: readonly PlannedRequest[]): number[] {
    const frozen = new Set<number>();
    for (const p of planned) {
      if (this.audit.requests.get(p.id)?.finalAt === undefined)
        frozen.add(partitionFor(p.id, this.options.partitions));
    }
    return [...frozen].sort((a, b) => a - b);
  }

  /** Milliseconds from submission to the final stage, per finished request. */
  latencies(planned: readonly PlannedRequest[], window?: { from: number; to: number }): number[] {
    const out: number[] = [];
    for (const p of planned) {
      const sent = this.submittedAt.get(p.id);
      const done = this.audit.requests.get(p.id)?.finalAt;
      if (sent === undefined || done === undefined) continue;
      if (window && (done < window.from || sent > window.to)) continue;
      out.push(done - sent);
    }
    return out.sort((a, b) => a - b);
  }

  /**
   * The verdict over the plan, once the audit has caught up: it waits (up to 30 s) until the audit's
   * counts stop changing, so that records committed just before the check are counted too.
   */
  async verify(planned: readonly PlannedRequest[]): Promise<Verdict> {
    let last = '';
    await pollUntil(
      () => {
        const now = `${this.audit.deadLetters.length}/${[...this.audit.requests.values()].reduce((n, r) => n + r.tickets.length, 0)}`;
        const settled = now === last;
        last = now;
        return settled;
      },
      { timeoutMs: 30_000, intervalMs: 1500, what: 'the audit to settle' },
    ).catch(() => {});
    const verdict = verify(planned, this.audit.requests, this.audit.deadLetters, this.badMarks);
    if (this.audit.unreadableStates > 0)
      verdict.problems.push(`${this.audit.unreadableStates} unreadable state records`);
    return verdict;
  }

  /** True when no orchestrator process ended on its own. */
  orchestratorsNeverExited(): boolean {
    return this.instances.every((o) => !o.exitedOnItsOwn);
  }

  async stop(): Promise<void> {
    await Promise.all(this.instances.map((o) => o.stop(15_000).catch(() => {})));
    await this.agents?.stop(15_000).catch(() => {});
    await this.producer?.disconnect().catch(() => {});
    await this.audit.close().catch(() => {});
  }
}

export { isClean };
