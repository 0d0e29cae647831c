import {
  deadLetterRecord,
  decodeRecord,
  encodeRecord,
  HEADERS,
  type OutboundRecord,
  partitionFor,
  type RecordHeaders,
  readStandardHeaders,
} from '@pipeline/kafka';
import type { OrchestratorInput } from '@pipeline/topics';
import { aliasesOf, type RequestRecord } from '../domain/request-record.js';
import type { Command } from '../routing/commands.js';
import { type AliasLookup, correlate } from '../routing/correlate.js';
import type { Inbound } from '../routing/inbound.js';
import { expire, type RejectReason, type RouteResult, route, type StageChange } from '../routing/route.js';

/** One consumed record of an input topic, before decoding. */
export interface RawInbound {
  topic: OrchestratorInput;
  partition: number;
  offset: string;
  key: string | undefined;
  value: Buffer | null;
  headers: RecordHeaders;
}

/** What happened to one message or one request, for metrics and logs once the batch committed. */
export type Effect =
  | {
      kind: 'applied';
      requestId: string;
      topic: string;
      change?: StageChange;
      producedAt?: number;
      commands: string[];
    }
  | RejectedEffect
  | { kind: 'forwarded'; requestId: string; topic: string; toPartition: number };

/** A message that changed nothing and went to the dead-letter topic. */
export interface RejectedEffect {
  kind: 'rejected';
  requestId?: string;
  topic: string;
  reason: RejectReason | 'undecodable' | 'misrouted';
  detail: string;
}

/**
 * Everything one transaction writes besides the input offsets and the state records. Topics are
 * logical names; the worker maps them to physical ones when it sends.
 */
export interface BatchPlan {
  records: OutboundRecord[];
  /** The new state of every request the batch changed, last version only. */
  updated: Map<string, RequestRecord>;
  effects: Effect[];
}

export interface PlanContext {
  /** The input partition (= state partition) this batch belongs to. */
  partition: number;
  numPartitions: number;
  now: number;
  /** The current state of a request of this partition. */
  getRecord: (requestId: string) => RequestRecord | undefined;
  lookupAlias: AliasLookup;
}

/**
 * Decides a whole batch without I/O: decode, correlate, route, and collect what to write. Bad
 * input never throws: it becomes a dead letter with the reason, in the same transaction, so it is
 * neither lost nor retried forever.
 */
export function planBatch(messages: readonly RawInbound[], ctx: PlanContext): BatchPlan {
  const plan: BatchPlan = { records: [], updated: new Map(), effects: [] };
  const current = (id: string) => plan.updated.get(id) ?? ctx.getRecord(id);
  const lookupAlias: AliasLookup = (alias) => aliasIn(plan.updated, alias) ?? ctx.lookupAlias(alias);

  for (const raw of messages) {
    // Whatever cannot be used is kept, with the reason, on the dead-letter topic.
    const deadLetter = (reason: RejectedEffect['reason'], detail: string, requestId?: string) => {
      const source = {
        topic: raw.topic,
        partition: raw.partition,
        offset: raw.offset,
        key: raw.key ?? null,
        value: raw.value,
        headers: raw.headers,
      };
      plan.records.push(deadLetterRecord(source, reason, detail, ctx.now));
      const effect: RejectedEffect = { kind: 'rejected', topic: raw.topic, reason, detail };
      if (requestId !== undefined) effect.requestId = requestId;
      plan.effects.push(effect);
    };

    const decoded = decodeRecord(raw.topic, raw.value);
    if (!decoded.ok) {
      deadLetter('undecodable', decoded.error.message);
      continue;
    }
    const inbound = { topic: raw.topic, message: decoded.message } as Inbound;
    const correlation = correlate(inbound, raw.key, lookupAlias);
    if (!correlation.ok) {
      deadLetter('uncorrelated', correlation.detail);
      continue;
    }
    const { requestId } = correlation;
    const home = partitionFor(requestId, ctx.numPartitions);
    if (home !== ctx.partition) {
      // A keyless message, or one keyed by a client with another partitioner: hand it to the
      // partition that owns the request, keyed properly, in this same transaction.
      if (raw.headers[HEADERS.forwardedFrom] !== undefined) {
        const detail = `forwarded to partition ${ctx.partition} but request ${requestId} belongs to ${home}`;
        deadLetter('misrouted', detail, requestId);
        continue;
      }
      plan.records.push({
        topic: raw.topic,
        key: requestId,
        value: raw.value ?? Buffer.alloc(0),
        partition: home,
        headers: {
          ...raw.headers,
          [HEADERS.requestId]: requestId,
          [HEADERS.forwardedFrom]: `${raw.topic}/${raw.partition}/${raw.offset}`,
        },
      });
      plan.effects.push({ kind: 'forwarded', requestId, topic: raw.topic, toPartition: home });
      continue;
    }

    const standard = readStandardHeaders(raw.headers);
    const routeCtx = standard.traceparent
      ? { now: ctx.now, traceparent: standard.traceparent }
      : { now: ctx.now };
    const result = route(current(requestId), requestId, inbound, routeCtx);
    if (result.kind === 'rejected') {
      deadLetter(result.reason, result.detail, requestId);
      continue;
    }
    apply(plan, requestId, raw.topic, result, standard.producedAt);
  }
  return plan;
}

/** The deadline sweep of one partition, planned like a batch (no input offsets to commit). */
export function planDeadlines(
  records: Iterable<RequestRecord>,
  deadlineFor: (stage: RequestRecord['stage']) => number | undefined,
  now: number,
): BatchPlan {
  const plan: BatchPlan = { records: [], updated: new Map(), effects: [] };
  for (const record of records) {
    const deadline = deadlineFor(record.stage);
    if (deadline === undefined) continue;
    const result = expire(record, deadline, { now });
    if (result?.kind === 'applied') apply(plan, record.requestId, 'deadline', result);
  }
  return plan;
}

function apply(
  plan: BatchPlan,
  requestId: string,
  topic: string,
  result: Extract<RouteResult, { kind: 'applied' }>,
  producedAt?: number,
): void {
  plan.updated.set(requestId, result.record);
  for (const command of result.commands) plan.records.push(encodeCommand(command, result.record));
  const effect: Effect = { kind: 'applied', requestId, topic, commands: result.commands.map((c) => c.topic) };
  if (result.change) effect.change = result.change;
  if (producedAt !== undefined) effect.producedAt = producedAt;
  plan.effects.push(effect);
}

function encodeCommand(command: Command, record: RequestRecord): OutboundRecord {
  const options = record.traceparent
    ? { key: record.requestId, traceparent: record.traceparent }
    : { key: record.requestId };
  // The union is correlated (topic ↔ message) by construction; TypeScript cannot see that.
  return encodeRecord(command.topic, command.message as never, options);
}

function aliasIn(updated: Map<string, RequestRecord>, alias: string): string | undefined {
  // Ids learned earlier in this batch (e.g. a plan's tasks) are not in the directory yet.
  for (const record of updated.values()) if (aliasesOf(record).includes(alias)) return record.requestId;
  return undefined;
}
