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
import type { Stage } from '@pipeline/state-machine';
import { CRQ, type OrchestratorInput, schemaOf } from '@pipeline/topics';
import { aliasPartition } from './alias-record.js';
import { stepBytes } from './chunk.js';
import type { Command } from './commands.js';
import { type AliasLookup, correlate, type Inbound } from './correlate.js';
import { aliasesOf, type RequestRecord } from './request-record.js';
import { type RouteResult, route } from './route.js';
import type { BudgetLimits } from './route-result.js';
import { addStep, type BatchPlan, type Effect, emptyPlan, newStep, type Step } from './step.js';

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

export interface BatchContext {
  /** The input partition (= state partition) this batch belongs to. */
  partition: number;
  numPartitions: number;
  now: number;
  /** The most one transaction may write (bytes): half the smallest max.message.bytes of the topics. */
  maxTransactionBytes: number;
  /** The budget of a request that sets none (RouteContext.defaultBudget). */
  defaultBudget?: BudgetLimits;
  /** ORCH_APPROVAL (RouteContext.defaultGates). */
  defaultGates?: readonly Stage[];
  /** ORCH_RETRY (RouteContext.retryPolicy). */
  retryPolicy?: Partial<Record<Stage, number>>;
  /** Fresh random bits per message, drawn by the runtime (see RouteContext.nonce). */
  nonce: () => string;
  /** The current state of a request of this partition. */
  getRecord: (requestId: string) => RequestRecord | undefined;
  lookupAlias: AliasLookup;
  /**
   * A keyless reply at `offset` names no known request: `retry` when the state partitions may not
   * have been read past it yet (the request may be on another instance's partition, its alias still
   * unread), `final` when they have. Default: final.
   */
  keylessMiss?: (offset: string) => 'retry' | 'final';
}

/**
 * Decides a whole batch without I/O: decode, check, correlate, route, and collect what to write, one
 * step per input record. Bad input never throws: it becomes a dead letter with the reason, so it is
 * neither lost nor retried forever; an input whose outputs could never fit in one transaction is one
 * too (`too_large`).
 */
export function decideBatch(messages: readonly RawInbound[], ctx: BatchContext): BatchPlan {
  const plan = emptyPlan();
  const current = (id: string) => plan.updated.get(id) ?? ctx.getRecord(id);
  // Ids learned earlier in this batch (e.g. a plan's tasks) are not in the indexes yet.
  const lookupAlias: AliasLookup = (alias) => {
    const known = ctx.lookupAlias(alias);
    return known === undefined ? undefined : [...new Set([...aliasIn(plan.updated, alias), ...known])];
  };
  for (const raw of messages) {
    const step = newStep(raw.offset);
    if (decideOne(raw, step, ctx, current, lookupAlias) === 'halt') {
      plan.halted = raw.offset;
      break;
    }
    const bytes = stepBytes(step, ctx.partition);
    if (bytes <= ctx.maxTransactionBytes) {
      addStep(plan, step);
      continue;
    }
    const refused = newStep(raw.offset);
    const detail = `what it causes (${bytes} bytes) can never fit in one transaction (at most ${ctx.maxTransactionBytes})`;
    deadLetterInto(refused, raw, ctx, 'too_large', detail, step.effects.find((e) => e.requestId)?.requestId);
    addStep(plan, refused);
  }
  return plan;
}

/** Keeps `raw`, with the reason, on the dead-letter topic (a truncated copy when it cannot fit whole). */
function deadLetterInto(
  step: Step,
  raw: RawInbound,
  ctx: BatchContext,
  reason: DeadLetterReason,
  detail: string,
  requestId?: string,
): void {
  const source = { ...raw, key: raw.rawKey, headers: raw.rawHeaders };
  const letter = deadLetterRecord(source, reason, detail, ctx.now, ctx.maxTransactionBytes);
  step.records.push(letter);
  const written = (letter.headers[HEADERS.dlqReason] as DeadLetterReason | undefined) ?? reason;
  step.effects.push({
    kind: 'rejected',
    topic: raw.topic,
    reason: written,
    detail,
    ...(requestId ? { requestId } : {}),
  });
}

function decideOne(
  raw: RawInbound,
  step: Step,
  ctx: BatchContext,
  current: (id: string) => RequestRecord | undefined,
  lookupAlias: AliasLookup,
): 'halt' | undefined {
  // Whatever cannot be used is kept, with the reason, on the dead-letter topic.
  const deadLetter = (reason: DeadLetterReason, detail: string, requestId?: string) =>
    deadLetterInto(step, raw, ctx, reason, detail, requestId);

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
    deadLetter(violation.reason, violation.detail);
    return;
  }
  const inbound = { topic: raw.topic, message: decoded.message } as Inbound;
  const tried = triedAliases(raw);
  const correlation = correlate(inbound, raw.key, lookupAlias, tried);
  if (!correlation.ok && correlation.reason === 'elsewhere') {
    // Aliases missed here must be final before they are passed over for good.
    if (correlation.missed.length > 0 && ctx.keylessMiss?.(raw.offset) === 'retry') return 'halt';
    const target = aliasPartition(correlation.alias, ctx.numPartitions);
    step.records.push({
      topic: raw.topic,
      value: raw.value ?? Buffer.alloc(0),
      partition: target,
      headers: {
        ...raw.rawHeaders,
        [HEADERS.aliasHopFrom]:
          raw.headers[HEADERS.aliasHopFrom] ?? `${raw.topic}/${raw.partition}/${raw.offset}`,
        [HEADERS.aliasesTried]: JSON.stringify([...tried, ...correlation.missed]),
      },
    });
    step.effects.push({ kind: 'hopped', alias: correlation.alias, topic: raw.topic, toPartition: target });
    return;
  }
  if (!correlation.ok) {
    const reply = raw.key === undefined && raw.topic !== CRQ && correlation.reason === 'uncorrelated';
    if (reply && ctx.keylessMiss?.(raw.offset) === 'retry') return 'halt';
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
    step.records.push({
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
    step.effects.push({ kind: 'forwarded', requestId, topic: raw.topic, toPartition: home });
    return;
  }

  const standard = readStandardHeaders(raw.headers);
  const routeCtx = {
    now: ctx.now,
    nonce: ctx.nonce(),
    ...(ctx.defaultBudget ? { defaultBudget: ctx.defaultBudget } : {}),
    ...(ctx.retryPolicy ? { retryPolicy: ctx.retryPolicy } : {}),
    ...(ctx.defaultGates ? { defaultGates: ctx.defaultGates } : {}),
    ...(standard.traceparent ? { traceparent: standard.traceparent } : {}),
  };
  const result = route(current(requestId), requestId, inbound, routeCtx);
  if (result.kind === 'rejected') {
    deadLetter(result.reason, result.detail, requestId);
    return;
  }
  if (result.kind === 'ignored') {
    step.effects.push({ kind: 'ignored', requestId, topic: raw.topic, detail: result.detail });
    return;
  }
  apply(step, requestId, raw.topic, result, ctx.now, standard.producedAt);
}

/**
 * A record the orchestrator refuses before decoding it: its x-message-type header names another
 * message than its topic carries (bytes of one type often decode as another, field numbers lining up).
 */
function admissionProblem(raw: RawInbound): { reason: DeadLetterReason; detail: string } | undefined {
  // A key is a request id, which is text: bytes that are not UTF-8 name no request, and read as text
  // (U+FFFD for each bad byte) they would be forwarded and dead-lettered under a key they never had.
  if (raw.rawKey && raw.rawKey.length > 0 && !isUtf8(raw.rawKey)) {
    return { reason: 'invalid', detail: 'the key is not valid UTF-8 (request ids are text)' };
  }
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

/** Records a routing result in a step: the request's new state, its commands, the effect. */
export function apply(
  step: Step,
  requestId: string,
  topic: string,
  result: Extract<RouteResult, { kind: 'applied' }>,
  now: number,
  producedAt?: number,
): void {
  step.updated.set(requestId, result.record);
  for (const command of result.commands) step.records.push(encodeCommand(command, result.record, now));
  const effect: Effect = { kind: 'applied', requestId, topic, commands: result.commands.map((c) => c.topic) };
  if (result.change) effect.change = result.change;
  if (producedAt !== undefined) effect.producedAt = producedAt;
  step.effects.push(effect);
}

function encodeCommand(command: Command, record: RequestRecord, now: number): OutboundRecord {
  const options = {
    key: record.requestId,
    now,
    ...(record.traceparent ? { traceparent: record.traceparent } : {}),
  };
  return encodeRecord(command.topic, command.message, options);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The aliases earlier hops found unknown (HEADERS.aliasesTried); none when absent or not a list. */
function triedAliases(raw: RawInbound): string[] {
  const text = raw.headers[HEADERS.aliasesTried];
  if (text === undefined) return [];
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}

function aliasIn(updated: Map<string, RequestRecord>, alias: string): string[] {
  return [...updated.values()].filter((record) => aliasesOf(record).includes(alias)).map((r) => r.requestId);
}
