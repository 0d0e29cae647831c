import { type DeadLetterReason, ruleViolation } from '@pipeline/contracts';
import {
  deadLetterRecord,
  decodeRecord,
  encodeRecord,
  HEADERS,
  type OutboundRecord,
  partitionFor,
  type RawHeaders,
  type RecordHeaders,
  readStandardHeaders,
} from '@pipeline/kafka/records';
import { type OrchestratorInput, schemaOf } from '@pipeline/topics';
import type { Command } from './commands.js';
import { type AliasLookup, correlate, type Inbound } from './correlate.js';
import { aliasesOf, type RequestRecord } from './request-record.js';
import { type RouteResult, route, type StageChange } from './route.js';

/** One consumed record of an input topic, before decoding. */
export interface RawInbound {
  topic: OrchestratorInput;
  partition: number;
  offset: string;
  /** The key as text (the request id), undefined when absent or empty. */
  key: string | undefined;
  value: Buffer | null;
  /** The headers as text, for reading. */
  headers: RecordHeaders;
  /** Key and headers as they came, for copies (dead letters, forwarded records) that keep every byte. */
  rawKey: Buffer | null;
  rawHeaders: RawHeaders;
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
  reason: DeadLetterReason;
  detail: string;
}

/**
 * Everything one transaction writes besides the input offsets: records on logical topics (commands,
 * tickets, dead letters, forwarded replies), the new state of every request changed (last version
 * only) and of every request forgotten, and what happened, for metrics and logs after the commit.
 */
export interface BatchPlan {
  records: OutboundRecord[];
  updated: Map<string, RequestRecord>;
  /** Finished requests whose retention ran out: their state is tombstoned. */
  forgotten: string[];
  effects: Effect[];
}

export function emptyPlan(): BatchPlan {
  return { records: [], updated: new Map(), forgotten: [], effects: [] };
}

/** Nothing to write. */
export function isEmptyPlan(plan: BatchPlan): boolean {
  return plan.records.length === 0 && plan.updated.size === 0 && plan.forgotten.length === 0;
}

export interface BatchContext {
  /** The input partition (= state partition) this batch belongs to. */
  partition: number;
  numPartitions: number;
  now: number;
  /** The current state of a request of this partition. */
  getRecord: (requestId: string) => RequestRecord | undefined;
  lookupAlias: AliasLookup;
}

/**
 * Decides a whole batch without I/O: decode, correlate, route, and collect what to write. Bad input
 * never throws: it becomes a dead letter with the reason, in the same transaction, so it is neither
 * lost nor retried forever.
 */
export function decideBatch(messages: readonly RawInbound[], ctx: BatchContext): BatchPlan {
  const plan = emptyPlan();
  const current = (id: string) => plan.updated.get(id) ?? ctx.getRecord(id);
  // Ids learned earlier in this batch (e.g. a plan's tasks) are not in the indexes yet.
  const lookupAlias: AliasLookup = (alias) => [
    ...new Set([...aliasIn(plan.updated, alias), ...ctx.lookupAlias(alias)]),
  ];
  for (const raw of messages) decideOne(raw, plan, ctx, current, lookupAlias);
  return plan;
}

function decideOne(
  raw: RawInbound,
  plan: BatchPlan,
  ctx: BatchContext,
  current: (id: string) => RequestRecord | undefined,
  lookupAlias: AliasLookup,
): void {
  // Whatever cannot be used is kept, with the reason, on the dead-letter topic.
  const deadLetter = (reason: DeadLetterReason, detail: string, requestId?: string) => {
    const source = { ...raw, key: raw.rawKey, headers: raw.rawHeaders };
    plan.records.push(deadLetterRecord(source, reason, detail, ctx.now));
    plan.effects.push({
      kind: 'rejected',
      topic: raw.topic,
      reason,
      detail,
      ...(requestId ? { requestId } : {}),
    });
  };

  const problem = admissionProblem(raw);
  if (problem) {
    deadLetter(problem.reason, problem.detail);
    return;
  }
  const decoded = decodeRecord(raw.topic, raw.value);
  if (!decoded.ok) {
    deadLetter('undecodable', decoded.error.message);
    return;
  }
  const violation = ruleViolation(schemaOf(raw.topic), decoded.message);
  if (violation) {
    deadLetter('invalid', violation);
    return;
  }
  const inbound = { topic: raw.topic, message: decoded.message } as Inbound;
  const correlation = correlate(inbound, raw.key, lookupAlias);
  if (!correlation.ok) {
    deadLetter(correlation.reason, correlation.detail);
    return;
  }
  const { requestId } = correlation;
  const home = partitionFor(requestId, ctx.numPartitions);
  if (home !== ctx.partition) {
    // A keyless message, or one keyed by a client with another partitioner: hand it to the
    // partition that owns the request, keyed properly, in this same transaction.
    if (raw.headers[HEADERS.forwardedFrom] !== undefined) {
      const detail = `forwarded to partition ${ctx.partition} but request ${requestId} belongs to ${home}`;
      deadLetter('misrouted', detail, requestId);
      return;
    }
    plan.records.push({
      topic: raw.topic,
      key: requestId,
      value: raw.value ?? Buffer.alloc(0),
      partition: home,
      headers: {
        ...raw.rawHeaders,
        [HEADERS.requestId]: requestId,
        [HEADERS.forwardedFrom]: `${raw.topic}/${raw.partition}/${raw.offset}`,
      },
    });
    plan.effects.push({ kind: 'forwarded', requestId, topic: raw.topic, toPartition: home });
    return;
  }

  const standard = readStandardHeaders(raw.headers);
  const routeCtx = standard.traceparent
    ? { now: ctx.now, traceparent: standard.traceparent }
    : { now: ctx.now };
  const result = route(current(requestId), requestId, inbound, routeCtx);
  if (result.kind === 'rejected') {
    deadLetter(result.reason, result.detail, requestId);
    return;
  }
  apply(plan, requestId, raw.topic, result, ctx.now, standard.producedAt);
}

/**
 * A record the orchestrator refuses before decoding it: its x-message-type header names another
 * message than its topic carries (bytes of one type often decode as another, field numbers lining up).
 */
function admissionProblem(raw: RawInbound): { reason: DeadLetterReason; detail: string } | undefined {
  const expected = schemaOf(raw.topic).typeName;
  const declared = raw.headers[HEADERS.messageType];
  if (declared !== undefined && declared !== expected) {
    return {
      reason: 'wrong_type',
      detail: `x-message-type is ${declared}, but ${raw.topic} carries ${expected}`,
    };
  }
  return undefined;
}

/** Records a routing result in the plan: the request's new state, its commands, the effect. */
export function apply(
  plan: BatchPlan,
  requestId: string,
  topic: string,
  result: Extract<RouteResult, { kind: 'applied' }>,
  now: number,
  producedAt?: number,
): void {
  plan.updated.set(requestId, result.record);
  for (const command of result.commands) plan.records.push(encodeCommand(command, result.record, now));
  const effect: Effect = { kind: 'applied', requestId, topic, commands: result.commands.map((c) => c.topic) };
  if (result.change) effect.change = result.change;
  if (producedAt !== undefined) effect.producedAt = producedAt;
  plan.effects.push(effect);
}

function encodeCommand(command: Command, record: RequestRecord, now: number): OutboundRecord {
  const options = {
    key: record.requestId,
    now,
    ...(record.traceparent ? { traceparent: record.traceparent } : {}),
  };
  return encodeRecord(command.topic, command.message, options);
}

function aliasIn(updated: Map<string, RequestRecord>, alias: string): string[] {
  return [...updated.values()].filter((record) => aliasesOf(record).includes(alias)).map((r) => r.requestId);
}
