// The options of runAgent, checked where they enter: a wrong one stops the agent at start with a
// message that says what to fix.

import { ConfigError, type Logger } from '@pipeline/common';
import type { KafkaClient } from '@pipeline/kafka';
import { AGENT_ROLES, type AgentRole } from '@pipeline/topics';
import type { Registry } from 'prom-client';
import type { ProgressUpdate } from './progress.js';
import type { CommandOf, HandlerResult } from './types.js';

/** What a handler gets besides the command. */
export interface HandlerContext {
  /** The request the command belongs to (the record's key). */
  readonly requestId: string;
  /**
   * Fires when the request is cancelled (an AgentCancel on agent.cancel.in: stop, the command is
   * done, no reply is sent) or when the agent stops and its grace is over (stop working, the command
   * is left uncommitted and delivered again, to this agent after a restart or to another member).
   * `signal.reason` tells which: a CancelledError for a cancel.
   */
  readonly signal: AbortSignal;
  /** The orchestrator stage this command is for (`code_phase`, `build2`, …). */
  readonly stage: string;
  /**
   * Reports that the work goes on, with what it does and what it has spent so far: the stage's
   * deadline then counts from this report (up to the stage's hard maximum). Coalesced to at most one
   * report per `progressIntervalMs`; never throws.
   */
  progress(update?: ProgressUpdate): void;
  /** 1 for the first try, 2… for retries after the handler threw. */
  readonly attempt: number;
  /** A logger bound to the role and request id. */
  readonly logger: Logger;
  /** Where the command was read. */
  readonly source: { readonly topic: string; readonly partition: number; readonly offset: string };
}

export interface AgentOptions<R extends AgentRole> {
  /** The role served: picks the command topic it reads and the reply topic it writes (@pipeline/topics). */
  role: R;
  /** Decides the reply to one command. Throwing means "try again"; after the retries, the dead-letter topic. */
  handle: (command: CommandOf<R>, context: HandlerContext) => Promise<HandlerResult<R>>;
  /** The Kafka client (createKafkaClient); shared by agents of several roles in one process. */
  client: KafkaClient;
  logger: Logger;
  /** Prefix of every physical topic name (PIPELINE_TOPIC_PREFIX). Default ''. */
  topicPrefix?: string;
  /** The consumer group. Default `<topicPrefix>agent-<role>`: every instance of a role shares it. */
  groupId?: string;
  /**
   * Commands handled at once, from any partition (several of one partition too): a long task holds
   * one slot, not its partition. Each partition is committed below its first unfinished command, so
   * a crash hands unfinished commands out again. At the limit the agent stops fetching. Default 4.
   */
  concurrency?: number;
  /** Tries of a throwing handler before its command is dead-lettered with `handler_failed`. Default 3. */
  attempts?: number;
  /** First wait between tries, doubled each time. Default 500 ms. */
  retryDelayMs?: number;
  /** On stop: how long handlers in hand may finish before their signal fires. Default 10 s. */
  shutdownGraceMs?: number;
  /**
   * Where a new group starts reading: true (default) = the oldest command still kept, so commands sent
   * before the agent first joined are answered; false = only commands sent after.
   */
  fromBeginning?: boolean;
  /** At most one progress report per this many ms (the latest is sent). Default 1000. */
  progressIntervalMs?: number;
  /**
   * How long the group waits for a silent agent before its commands go to another member. The agent
   * heartbeats while a handler runs, so a long task does not need a long session. Default 30 s.
   */
  sessionTimeoutMs?: number;
  /** Listen on agent.cancel.in and fire handlers' signals on a cancel. Default true. */
  cancellable?: boolean;
  /** Registry for agent_commands_total and agent_handle_seconds. Default: a new one (`agent.metrics`). */
  registry?: Registry;
}

/** The range problems of the options; empty when they are fine. */
export function optionProblems<R extends AgentRole>(o: AgentOptions<R>): string[] {
  const problems: string[] = [];
  if (!Object.hasOwn(AGENT_ROLES, o.role as string))
    problems.push(`role must be one of ${Object.keys(AGENT_ROLES).join(', ')}, got "${String(o.role)}"`);
  if (typeof o.handle !== 'function') problems.push('handle must be a function (command, context) => reply');
  const whole = (name: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && (!Number.isInteger(value) || value < min || value > max))
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  };
  whole('concurrency', o.concurrency, 1, 1000);
  whole('attempts', o.attempts, 1, 100);
  whole('retryDelayMs', o.retryDelayMs, 0, 600_000);
  whole('shutdownGraceMs', o.shutdownGraceMs, 0, 3_600_000);
  whole('progressIntervalMs', o.progressIntervalMs, 0, 600_000);
  // The broker's default group.min/max.session.timeout.ms.
  whole('sessionTimeoutMs', o.sessionTimeoutMs, 6000, 1_800_000);
  if (o.groupId !== undefined && o.groupId.trim() === '') problems.push('groupId must not be empty');
  return problems;
}

export function checkOptions<R extends AgentRole>(o: AgentOptions<R>): void {
  const problems = optionProblems(o);
  if (problems.length > 0) throw new ConfigError(problems, `agent options (${String(o.role)})`);
}
