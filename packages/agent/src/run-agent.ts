// runAgent: one pipeline role served over Kafka, the protocol done once (docs/agents.md). The handler
// only decides the reply; reading, keying, headers, commits, retries, dead letters, shutdown and
// metrics are here.

import { randomUUID } from 'node:crypto';
import { PipelineError } from '@pipeline/common';
import { createProducer, createTypedConsumer, type InboundMessage } from '@pipeline/kafka';
import { AGENT_ROLES, type AgentRole, TopicNames } from '@pipeline/topics';
import type { Registry } from 'prom-client';
import { type CancelListener, InFlight, listenForCancels } from './cancel.js';
import { createAgentMetrics } from './metrics.js';
import { type AgentOptions, checkOptions, type HandlerContext } from './options.js';
import { createProgressReporter } from './progress.js';
import { outcomeOf, repliesOf, replyRecords } from './replies.js';
import { requestIdOf } from './request-id.js';
import { stageOfCommand } from './stage.js';
import type { CommandOf, CommandTopicOf } from './types.js';

/** An agent's life: created → running (start) → stopping (stop) → stopped. */
export type AgentState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface Agent<R extends AgentRole = AgentRole> {
  readonly role: R;
  readonly groupId: string;
  /** agent_commands_total{role,outcome} and agent_handle_seconds{role}. */
  readonly metrics: Registry;
  /** Connects and joins the role's group; resolves once it consumes. */
  start(): Promise<void>;
  /**
   * Stops taking commands, lets the handlers in hand finish for `shutdownGraceMs`, then fires their
   * signal (their commands stay uncommitted: delivered again later), leaves the group. Idempotent.
   */
  stop(): Promise<void>;
  state(): AgentState;
  /** In the group and consuming. */
  ready(): boolean;
}

/** Creates the agent of one role; `start()` runs it. Bad options throw a ConfigError here. */
export function createAgent<R extends AgentRole>(options: AgentOptions<R>): Agent<R> {
  checkOptions(options);
  const { role, client } = options;
  const topics = AGENT_ROLES[role];
  const prefix = options.topicPrefix ?? '';
  const names = TopicNames.prefixed(prefix);
  const groupId = options.groupId ?? `${prefix}agent-${role}`;
  const graceMs = options.shutdownGraceMs ?? 10_000;
  const logger = options.logger.child({ role });
  const metrics = createAgentMetrics(role, options.registry);
  // Fires at the end of the shutdown grace: every handler in hand is told to give up.
  const abandon = new AbortController();
  const attempts = new WeakMap<object, number>();
  const inFlight = new InFlight();
  let cancels: CancelListener | undefined;
  let state: AgentState = 'created';

  const producer = createProducer(client, { names, logger });
  const handle = async (inbound: InboundMessage<CommandTopicOf<R>>): Promise<void> => {
    const command = inbound.message as CommandOf<R>;
    const source = { topic: inbound.topic, partition: inbound.partition, offset: inbound.offset };
    const requestId = requestIdOf(role, inbound.key, command);
    if (!requestId) {
      // Nothing to key a reply by: trying again cannot help.
      throw new PipelineError('MISSING_REQUEST_ID', 'command without a key or a request id in its payload', {
        canRetry: false,
      });
    }
    const attempt = (attempts.get(inbound) ?? 0) + 1;
    attempts.set(inbound, attempt);
    const stage = stageOfCommand(role, command);
    const work = inFlight.begin(requestId, stage);
    const bound = logger.child({ requestId });
    const reporter = createProgressReporter({
      producer,
      requestId,
      stage,
      traceparent: inbound.standard.traceparent,
      minIntervalMs: options.progressIntervalMs ?? 1000,
      logger: bound,
    });
    const context: HandlerContext = {
      requestId,
      stage,
      signal: AbortSignal.any([abandon.signal, work.signal]),
      progress: (update = {}) => reporter.report(update),
      attempt,
      logger: bound,
      source,
    };
    const started = performance.now();
    let replies: ReturnType<typeof repliesOf<R>>;
    try {
      replies = repliesOf(await options.handle(command, context));
      abandon.signal.throwIfAborted();
    } catch (error) {
      metrics.handled((performance.now() - started) / 1000);
      // Cancelled: the work is not wanted any more; the command is done (committed), nothing to retry.
      if (work.signal.aborted && !abandon.signal.aborted) return cancelled(context, work.signal.reason);
      metrics.commands(abandon.signal.aborted ? 'abandoned' : 'error');
      throw error;
    } finally {
      reporter.close();
      work.release();
    }
    // A reply made after the cancel would only be refused by the orchestrator.
    if (work.signal.aborted) return cancelled(context, work.signal.reason);
    metrics.handled((performance.now() - started) / 1000);
    // Written before the command's offset is committed (the consumer commits after this returns).
    await producer.sendRecords(
      replyRecords(role, replies, {
        requestId,
        traceparent: inbound.standard.traceparent,
        attempt: (command as { attempt?: number }).attempt ?? 0,
      }),
    );
    const outcome = outcomeOf(replies);
    metrics.commands(outcome);
    context.logger.info(
      { ...source, command: command.$typeName, replies: replies.length, outcome, attempt },
      'handled command',
    );
  };

  const cancelled = (context: HandlerContext, reason: unknown): void => {
    metrics.commands('cancelled');
    context.logger.info({ ...context.source, reason: String(reason) }, 'command cancelled');
  };

  const attemptCount = options.attempts ?? 3;
  const consumer = createTypedConsumer<CommandTopicOf<R>>(client, {
    groupId,
    topics: [topics.reads],
    names,
    fromBeginning: options.fromBeginning ?? true,
    concurrency: options.concurrency ?? 4,
    inFlight: options.concurrency ?? 4,
    logger,
    producer,
    handle,
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    retry: { retries: attemptCount - 1, initialDelayMs: options.retryDelayMs ?? 500, maxDelayMs: 60_000 },
    onDeadLetter: () => metrics.commands('dead_lettered'),
  });

  let startPromise: Promise<void> | undefined;
  let stopPromise: Promise<void> | undefined;
  return {
    role,
    groupId,
    metrics: metrics.registry,
    start() {
      startPromise ??= (async () => {
        state = 'starting';
        logger.info(
          { groupId, reads: names.physical(topics.reads), answers: names.physical(topics.answers) },
          'agent starting',
        );
        if (options.cancellable ?? true) {
          cancels = await listenForCancels({
            client,
            names,
            groupId: `${groupId}-cancel-${randomUUID()}`,
            producer,
            logger,
            inFlight,
          });
        }
        await consumer.start();
        if (state === 'starting') state = 'running';
        logger.info({ groupId }, 'agent running');
      })();
      return startPromise;
    },
    stop() {
      stopPromise ??= (async () => {
        state = 'stopping';
        const timer = setTimeout(() => abandon.abort(new Error('agent stopping: grace over')), graceMs);
        try {
          await consumer.stop();
          await cancels?.stop();
        } finally {
          clearTimeout(timer);
          await producer.disconnect();
          state = 'stopped';
          logger.info({ groupId }, 'agent stopped');
        }
      })();
      return stopPromise;
    },
    state: () => state,
    ready: () => state === 'running' && consumer.ready(),
  };
}

/** Creates the agent of one role and starts it: resolves once it consumes. */
export async function runAgent<R extends AgentRole>(options: AgentOptions<R>): Promise<Agent<R>> {
  const agent = createAgent(options);
  await agent.start();
  return agent;
}
