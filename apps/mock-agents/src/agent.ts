import { type Logger, sleep } from '@pipeline/common';
import { STATUS } from '@pipeline/contracts';
import {
  childTraceparent,
  createProducer,
  createTypedConsumer,
  type EncodedRecord,
  encodeRecord,
  type InboundMessage,
  type KafkaClient,
  type TypedConsumer,
} from '@pipeline/kafka';
import { AGENT_ROLES, type AgentRole, TopicNames } from '@pipeline/topics';
import { type CommandOf, type ReplyOf, type Rng, ROLES, type RoleLogic } from './roles/index.js';

/** The command topic of role R. */
type Reads<R extends AgentRole> = (typeof AGENT_ROLES)[R]['reads'];

export interface MockAgentOptions<R extends AgentRole = AgentRole> {
  role: R;
  client: KafkaClient;
  logger: Logger;
  /** Physical topic = prefix + logical name. Default ''. */
  topicPrefix?: string;
  /** The consumer group is `${groupPrefix}-${role}`. Default `mock-agents`. */
  groupPrefix?: string;
  /** Mean think time before replying, ms; the actual wait is uniform in [0.5, 1.5) × thinkMs. */
  thinkMs?: number;
  /** Probability (0..1) that a command fails at random. Default 0. */
  failureRate?: number;
  /** Tasks per plan (planner only). Default 3. */
  plannerTasks?: number;
  /** Where a group without committed offsets starts. Default true: commands already waiting. */
  fromBeginning?: boolean;
  /** Partitions handled at once. Default 12. */
  concurrency?: number;
  /** Random failures and think-time jitter. Default Math.random. */
  rng?: Rng;
}

export interface MockAgent<R extends AgentRole = AgentRole> {
  readonly role: R;
  readonly groupId: string;
  /** Connects and joins the role's consumer group; resolves once it consumes. */
  start(): Promise<void>;
  /** Interrupts the think time in hand (that command is delivered again later), leaves, disconnects. */
  stop(): Promise<void>;
  /** Consuming (in the group). */
  ready(): boolean;
}

/**
 * The records of a role's replies: keyed by the request id, with the standard headers
 * (x-message-type, x-request-id, x-produced-at) and `traceparent` = the span of this agent's work,
 * a child of the command's (or a new trace when the command had none).
 */
export function replyRecords<R extends AgentRole>(
  role: R,
  replies: readonly ReplyOf<R>[],
  context: { requestId: string; traceparent?: string | undefined },
): EncodedRecord[] {
  const topic = AGENT_ROLES[role].answers;
  const span = childTraceparent(context.traceparent);
  return replies.map((reply) => encodeRecord(topic, reply, { key: context.requestId, traceparent: span }));
}

/** What a command came to, for the log: no reply, a failure reported, or success. */
export function outcomeOf(replies: readonly object[]): 'silent' | 'failed' | 'ok' {
  if (replies.length === 0) return 'silent';
  const failed = replies.some((r) => {
    const { status, precheck } = r as { status?: string; precheck?: string };
    return status === STATUS.failed || precheck === STATUS.failed;
  });
  return failed ? 'failed' : 'ok';
}

/**
 * Runs one role: reads its command topic in its own consumer group, waits the think time, and
 * answers with what the role's pure `decide` returns. At least once: a command is committed only
 * after its replies are written, so a crash or a stop mid-command means it is handled again.
 */
export function createMockAgent<R extends AgentRole>(options: MockAgentOptions<R>): MockAgent<R> {
  const { role, client } = options;
  const logic: RoleLogic<R> = ROLES[role];
  const topics = AGENT_ROLES[role];
  const prefix = options.topicPrefix ?? '';
  const groupId = `${options.groupPrefix ?? 'mock-agents'}-${role}`;
  const rng = options.rng ?? Math.random;
  const thinkMs = options.thinkMs ?? 50;
  const decideOptions = { failureRate: options.failureRate ?? 0, tasks: options.plannerTasks ?? 3 };
  const logger = options.logger.child({ role });
  const names = TopicNames.prefixed(prefix);
  const stopping = new AbortController();

  const producer = createProducer(client, { names, logger });
  const handle = async (inbound: InboundMessage<Reads<R>>): Promise<void> => {
    // The message of the role's command topic; TypeScript cannot see that through the generic role.
    const command = inbound.message as CommandOf<R>;
    const requestId = inbound.key || logic.requestIdOf(command);
    const where = { topic: inbound.topic, partition: inbound.partition, offset: inbound.offset };
    if (!requestId) {
      logger.warn(where, 'command without a key or request id in its payload; not answered');
      return;
    }
    const replies = logic.decide(command, requestId, decideOptions, rng);
    const waitMs = thinkMs > 0 ? Math.round(thinkMs * (0.5 + rng())) : 0;
    if (waitMs > 0) logger.debug({ requestId, ...where, thinkMs: waitMs }, 'thinking');
    // Rejects when the agent stops: the command stays uncommitted and is answered after a restart.
    if (waitMs > 0) await sleep(waitMs, stopping.signal);
    stopping.signal.throwIfAborted();
    const records = replyRecords(role, replies, { requestId, traceparent: inbound.standard.traceparent });
    await producer.sendRecords(records);
    logger.info(
      {
        requestId,
        command: command.$typeName,
        ...where,
        replies: replies.length,
        outcome: outcomeOf(replies),
        thinkMs: waitMs,
      },
      'handled command',
    );
  };

  const consumer: TypedConsumer = createTypedConsumer<Reads<R>>(client, {
    groupId,
    topics: [topics.reads],
    names,
    fromBeginning: options.fromBeginning ?? true,
    concurrency: options.concurrency ?? 12,
    logger,
    producer,
    handle,
  });

  let stopPromise: Promise<void> | undefined;
  return {
    role,
    groupId,
    async start() {
      logger.info(
        {
          groupId,
          reads: prefix + topics.reads,
          answers: prefix + topics.answers,
          thinkMs,
          failureRate: decideOptions.failureRate,
          ...(role === 'planner' ? { tasks: decideOptions.tasks } : {}),
        },
        'starting',
      );
      await consumer.start();
      logger.info({ groupId }, 'consuming');
    },
    stop() {
      stopPromise ??= (async () => {
        // The consumer first (it stops taking new batches), then the think time in hand: the command
        // it belongs to is left uncommitted and is answered after a restart or by another member.
        const consumerStopped = consumer.stop();
        stopping.abort(new Error('agent stopping'));
        try {
          await consumerStopped;
        } finally {
          await producer.disconnect();
          logger.info({ groupId }, 'stopped');
        }
      })();
      return stopPromise;
    },
    ready: () => consumer.ready(),
  };
}
