// One stub role on the agent SDK: the SDK does the protocol, this file only waits the think time and
// asks the role's pure `decide` for the reply (roles/).

import { type Agent, createAgent } from '@pipeline/agent';
import { type Logger, sleep } from '@pipeline/common';
import type { KafkaClient } from '@pipeline/kafka';
import type { AgentRole } from '@pipeline/topics';
import type { Registry } from 'prom-client';
import { type Rng, ROLES } from './roles/index.js';

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
  /** Where the agent's metrics go (one registry for every role of the process). */
  registry?: Registry;
}

export type MockAgent<R extends AgentRole = AgentRole> = Agent<R>;

/** A think at least this long reports progress, once per this many ms. */
export const PROGRESS_EVERY_MS = 1000;

/**
 * Runs one role: waits the think time, then answers with what the role's pure `decide` returns.
 * Stopping interrupts the think time at once (no grace): that command is answered after a restart.
 */
export function createMockAgent<R extends AgentRole>(options: MockAgentOptions<R>): MockAgent<R> {
  const { role } = options;
  const rng = options.rng ?? Math.random;
  const thinkMs = options.thinkMs ?? 50;
  const decideOptions = { failureRate: options.failureRate ?? 0, tasks: options.plannerTasks ?? 3 };
  const decide = ROLES[role].decide;
  return createAgent({
    role,
    client: options.client,
    logger: options.logger,
    topicPrefix: options.topicPrefix ?? '',
    groupId: `${options.groupPrefix ?? 'mock-agents'}-${role}`,
    concurrency: options.concurrency ?? 12,
    fromBeginning: options.fromBeginning ?? true,
    shutdownGraceMs: 0,
    ...(options.registry ? { registry: options.registry } : {}),
    async handle(command, { requestId, signal, logger, progress }) {
      const replies = decide(command, requestId, decideOptions, rng);
      const waitMs = thinkMs > 0 ? Math.round(thinkMs * (0.5 + rng())) : 0;
      if (waitMs > 0) logger.debug({ thinkMs: waitMs }, 'thinking');
      // A long think reports progress every second, as a real agent would while it works: a note,
      // how far it is, and made-up usage that grows with the time spent (2 input and 0.5 output
      // tokens per ms, $1 per million tokens), so status and watch have something to show.
      for (let spent = 0; spent < waitMs; ) {
        const step = Math.min(PROGRESS_EVERY_MS, waitMs - spent);
        await sleep(step, signal);
        spent += step;
        if (waitMs < PROGRESS_EVERY_MS || spent >= waitMs) continue;
        const tokens = { inputTokens: spent * 2, outputTokens: Math.round(spent / 2) };
        progress({
          note: `stub ${role} thinking: ${Math.round(spent / 1000)} of ${Math.round(waitMs / 1000)} s`,
          percent: (100 * spent) / waitMs,
          usage: { ...tokens, costUsd: (tokens.inputTokens + tokens.outputTokens) / 1e6 },
        });
      }
      return replies;
    },
  });
}
