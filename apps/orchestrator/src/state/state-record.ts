import type { RecordHeaders } from '@pipeline/kafka';
import { isStage } from '@pipeline/state-machine';
import type { RequestRecord } from '../domain/request-record.js';

/**
 * The state topic holds two kinds of records:
 * - key = request id, value = the request's RequestRecord as JSON (null value = forgotten);
 * - restore barriers: header `x-barrier`, written by an instance that takes a partition over, so it
 *   knows it has read everything committed before it (see state/directory.ts).
 */
export const BARRIER_HEADER = 'x-barrier';

export function barrierKey(partition: number): string {
  return `__barrier__/${partition}`;
}

export function encodeState(record: RequestRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

/** Parses a state value; undefined when it is not a request record this version understands. */
export function decodeState(value: Buffer): RequestRecord | undefined {
  try {
    const parsed = JSON.parse(value.toString('utf8')) as Partial<RequestRecord>;
    if (parsed?.v !== 1 || typeof parsed.requestId !== 'string' || !isStage(parsed.stage)) return undefined;
    return parsed as RequestRecord;
  } catch {
    return undefined;
  }
}

export function isBarrier(headers: RecordHeaders): boolean {
  return headers[BARRIER_HEADER] !== undefined;
}
