import { type OutboundRecord, recordBytes } from '@pipeline/kafka/records';
import { STATE } from '@pipeline/topics';
import type { RequestRecord } from './request-record.js';
import { encodeState } from './state-record.js';
import type { Effect, Step } from './step.js';

/**
 * What one transaction writes: whole steps, their records and the state records of the requests they
 * changed or forgot. `lastOffset` is the last input record the chunk decided (none for a sweep).
 */
export interface Chunk {
  records: OutboundRecord[];
  updated: Map<string, RequestRecord>;
  forgotten: string[];
  effects: Effect[];
  lastOffset?: string;
}

/** The state record of a request (or its tombstone) on state partition `partition`. */
export function stateRecord(
  requestId: string,
  record: RequestRecord | null,
  partition: number,
): OutboundRecord {
  return { topic: STATE, key: requestId, value: record ? encodeState(record) : null, headers: {}, partition };
}

/** The bytes a step writes, its state records included. */
export function stepBytes(step: Step, partition: number): number {
  let bytes = 0;
  for (const record of step.records) bytes += recordBytes(record);
  for (const [id, record] of step.updated) bytes += recordBytes(stateRecord(id, record, partition));
  for (const id of step.forgotten) bytes += recordBytes(stateRecord(id, null, partition));
  return bytes;
}

/**
 * Groups steps, in order, into transactions of at most `maxBytes` each (a step is never split; a
 * step bigger than the limit was refused when it was decided). Keeping every transaction under the
 * broker's max.message.bytes is what keeps a partition from failing the same transaction forever.
 */
export function chunkSteps(steps: readonly Step[], partition: number, maxBytes: number): Chunk[] {
  const chunks: Chunk[] = [];
  let current: { steps: Step[]; bytes: number } = { steps: [], bytes: 0 };
  for (const step of steps) {
    const bytes = stepBytes(step, partition);
    if (current.steps.length > 0 && current.bytes + bytes > maxBytes) {
      chunks.push(toChunk(current.steps, partition));
      current = { steps: [], bytes: 0 };
    }
    current.steps.push(step);
    current.bytes += bytes;
  }
  if (current.steps.length > 0) chunks.push(toChunk(current.steps, partition));
  return chunks;
}

function toChunk(steps: readonly Step[], partition: number): Chunk {
  const updated = new Map<string, RequestRecord>();
  const forgotten: string[] = [];
  const records: OutboundRecord[] = [];
  const effects: Effect[] = [];
  for (const step of steps) {
    records.push(...step.records);
    for (const [id, record] of step.updated) updated.set(id, record);
    forgotten.push(...step.forgotten);
    effects.push(...step.effects);
  }
  for (const [id, record] of updated) records.push(stateRecord(id, record, partition));
  for (const id of forgotten) records.push(stateRecord(id, null, partition));
  const lastOffset = steps.findLast((s) => s.offset !== undefined)?.offset;
  return { records, updated, forgotten, effects, ...(lastOffset === undefined ? {} : { lastOffset }) };
}
