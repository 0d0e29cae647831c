import { isJsonStateValue, STATE_RECORD_VERSION, STATE_RECORD_VERSIONS } from '@pipeline/contracts';
import type { OutboundRecord } from '@pipeline/kafka/records';
import { carryProblem, isFinalStage, isStage, MACHINE_VERSION, type Stage } from '@pipeline/state-machine';
import { STATE } from '@pipeline/topics';
import { failureOf, type RequestRecord, stageOf } from './request-record.js';
import { decodeStateRecord, encodeStateRecord } from './state-wire.js';

/**
 * The state topic holds two kinds of records:
 * - key = request id, value = the request (a null value = forgotten): a StateRecord message
 *   (version 2, proto/state_record.proto), or JSON (version 1, still read: see decodeState);
 * - restore barriers: header `x-barrier`, written by an instance that takes a partition over, so it
 *   knows it has read everything committed before it (see runtime/restore.ts); a barrier that also
 *   carries `x-aliases-indexed` says that the partition's unfinished requests have their entries in
 *   the alias index (written once, by the first owner that knows the index: partition-worker.ts).
 *
 * Version 1's JSON spells out `stage` and `failure` (stage, reason, detail) next to the machine
 * snapshot, for tools and older readers; this version reads the stage and failure from the snapshot.
 */
export const BARRIER_HEADER = 'x-barrier';

export function barrierKey(partition: number): string {
  return `__barrier__/${partition}`;
}

/** On a barrier: the partition's requests are in the alias index (its own key: compaction keeps it). */
export const ALIASES_INDEXED_HEADER = 'x-aliases-indexed';

/** The barrier that says partition p's requests are in the alias index. */
export function aliasesIndexedBarrier(partition: number): OutboundRecord {
  return {
    topic: STATE,
    key: `__barrier__/${partition}/aliases-indexed`,
    value: Buffer.from(JSON.stringify({ aliasesIndexed: true })),
    headers: { [BARRIER_HEADER]: `aliases-indexed/${partition}`, [ALIASES_INDEXED_HEADER]: '1' },
    partition,
  };
}

/** The JSON of a state record, as written to the state topic (version 1). */
interface StateJsonV1 extends Omit<RequestRecord, 'failureDetail'> {
  stage: Stage;
  failure?: { stage: Stage; reason: string; detail: string };
}

/** Records are never changed once made (a change makes a new one), so each is encoded once. */
const encoded = new WeakMap<RequestRecord, Buffer>();

/** The state value of a record: a StateRecord message (version 2). */
export function encodeState(record: RequestRecord): Buffer {
  const cached = encoded.get(record);
  if (cached) return cached;
  const bytes = encodeStateRecord(record);
  const value = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  encoded.set(record, value);
  return value;
}

/** The JSON form of a record (version 1): what docs/schemas/state-record.v1.schema.json describes. */
export function stateJson(record: RequestRecord): Buffer {
  const { failureDetail: _detail, ...rest } = record;
  const json: StateJsonV1 = { ...rest, stage: stageOf(record) };
  const failure = failureOf(record);
  if (failure) json.failure = failure;
  return Buffer.from(JSON.stringify(json));
}

/** A state value read back: the record, or why this version cannot read it. */
export type DecodedState = { ok: true; record: RequestRecord } | { ok: false; why: string };

/**
 * Reads a state value of either version. One this version cannot read (another version wrote it,
 * or it is damaged) is reported with why, never taken for a forgotten request.
 */
export function decodeState(value: Buffer): DecodedState {
  const decoded = isJsonStateValue(value) ? decodeJson(value) : decodeMessage(value);
  return decoded.ok ? resumable(decoded.record) : decoded;
}

function decodeMessage(value: Buffer): DecodedState {
  let decoded: ReturnType<typeof decodeStateRecord>;
  try {
    decoded = decodeStateRecord(value);
  } catch {
    return { ok: false, why: 'neither JSON nor a StateRecord message' };
  }
  if (decoded.version !== STATE_RECORD_VERSION) {
    return {
      ok: false,
      why: `version ${decoded.version} (this version reads ${STATE_RECORD_VERSIONS.join(', ')})`,
    };
  }
  if (decoded.record.requestId === '' || !isStage(decoded.record.machine.value)) {
    return { ok: false, why: 'version 2 without a request id or a known stage' };
  }
  return { ok: true, record: decoded.record };
}

function decodeJson(value: Buffer): DecodedState {
  let parsed: Partial<StateJsonV1>;
  try {
    parsed = JSON.parse(value.toString('utf8')) as Partial<StateJsonV1>;
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  if (parsed?.v !== 1) {
    return {
      ok: false,
      why: `JSON version ${JSON.stringify(parsed?.v)} (this version reads ${STATE_RECORD_VERSIONS.join(', ')})`,
    };
  }
  if (typeof parsed.requestId !== 'string' || !isStage(parsed.machine?.value)) {
    return { ok: false, why: 'version 1 without a request id or a known stage' };
  }
  const { stage: _stage, failure, ...record } = parsed as StateJsonV1;
  return {
    ok: true,
    record: failure?.detail === undefined ? record : { ...record, failureDetail: failure.detail },
  };
}

/** An unfinished request must be resumable by this machine; a finished one is never stepped again. */
function resumable(record: RequestRecord): DecodedState {
  const stranded = isFinalStage(record.machine.value) ? undefined : carryProblem(record.machine);
  if (stranded) {
    const started = record.machineVersion ? `started on machine ${record.machineVersion}, ` : '';
    return { ok: false, why: `${started}machine ${MACHINE_VERSION} cannot carry it: ${stranded}` };
  }
  return { ok: true, record };
}

export function isBarrier(headers: Readonly<Record<string, string>>): boolean {
  return headers[BARRIER_HEADER] !== undefined;
}
