// The records of a role's replies, the one shape every agent must produce (docs/protocol.md): keyed by
// the request id, with the standard headers and a child `traceparent` of the command's.

import { STATUS } from '@pipeline/contracts';
import { childTraceparent, type EncodedRecord, encodeRecord } from '@pipeline/kafka';
import { AGENT_ROLES, type AgentRole } from '@pipeline/topics';
import type { HandlerResult, ReplyOf } from './types.js';

/** A handler's result as a list. */
export function repliesOf<R extends AgentRole>(result: HandlerResult<R>): readonly ReplyOf<R>[] {
  if (result === undefined) return [];
  return Array.isArray(result) ? result : [result as ReplyOf<R>];
}

/**
 * The records of role R's replies: keyed by the request id, with the standard headers
 * (x-message-type, x-request-id, x-produced-at) and `traceparent` = the span of this agent's work, a
 * child of the command's (or a new trace when the command had none).
 */
export function replyRecords<R extends AgentRole>(
  role: R,
  replies: readonly ReplyOf<R>[],
  context: { requestId: string; traceparent?: string | undefined; attempt?: number },
): EncodedRecord[] {
  const topic = AGENT_ROLES[role].answers;
  const span = childTraceparent(context.traceparent);
  // A reply names the attempt it answers (the command's), unless the handler set one itself.
  const attempt = context.attempt ?? 0;
  return replies.map((reply) =>
    encodeRecord(topic, reply.attempt === 0 && attempt > 0 ? { ...reply, attempt } : reply, {
      key: context.requestId,
      traceparent: span,
    }),
  );
}

/** What a command came to, for logs and metrics: no reply, a failure reported, or success. */
export type ReplyOutcome = 'silent' | 'failed' | 'ok';

export function outcomeOf(replies: readonly object[]): ReplyOutcome {
  if (replies.length === 0) return 'silent';
  const failed = replies.some((r) => {
    const { status, precheck } = r as { status?: string; precheck?: string };
    return status === STATUS.failed || precheck === STATUS.failed;
  });
  return failed ? 'failed' : 'ok';
}
