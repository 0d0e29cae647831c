import { carryProblem, isFinalStage, isStage, MACHINE_VERSION, type Stage } from '@pipeline/state-machine';
import { failureOf, type RequestRecord, stageOf } from './request-record.js';

/**
 * The state topic holds two kinds of records:
 * - key = request id, value = the request as JSON (a null value = forgotten);
 * - restore barriers: header `x-barrier`, written by an instance that takes a partition over, so it
 *   knows it has read everything committed before it (see runtime/restore.ts).
 *
 * The JSON spells out `stage` and `failure` (stage, reason, detail) next to the machine snapshot, for
 * tools and older readers; this version reads the stage and failure from the snapshot alone.
 */
export const BARRIER_HEADER = 'x-barrier';

export function barrierKey(partition: number): string {
  return `__barrier__/${partition}`;
}

/** The JSON of a state record, as written to the state topic (version 1). */
interface StateJsonV1 extends Omit<RequestRecord, 'failureDetail'> {
  stage: Stage;
  failure?: { stage: Stage; reason: string; detail: string };
}

/** Records are never changed once made (a change makes a new one), so each is encoded once. */
const encoded = new WeakMap<RequestRecord, Buffer>();

export function encodeState(record: RequestRecord): Buffer {
  const cached = encoded.get(record);
  if (cached) return cached;
  const value = encodeJson(record);
  encoded.set(record, value);
  return value;
}

function encodeJson(record: RequestRecord): Buffer {
  const { failureDetail: _detail, ...rest } = record;
  const json: StateJsonV1 = { ...rest, stage: stageOf(record) };
  const failure = failureOf(record);
  if (failure) json.failure = failure;
  return Buffer.from(JSON.stringify(json));
}

/** A state value read back: the record, or why this version cannot read it. */
export type DecodedState = { ok: true; record: RequestRecord } | { ok: false; why: string };

/** The versions of the state record this version reads. */
export const STATE_VERSIONS = [1] as const;

/**
 * Parses a state value. One this version cannot read (another version wrote it, or it is damaged)
 * is reported with why, never taken for a forgotten request.
 */
export function decodeState(value: Buffer): DecodedState {
  let parsed: Partial<StateJsonV1>;
  try {
    parsed = JSON.parse(value.toString('utf8')) as Partial<StateJsonV1>;
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  if (!(STATE_VERSIONS as readonly unknown[]).includes(parsed?.v)) {
    return {
      ok: false,
      why: `version ${JSON.stringify(parsed?.v)} (this version reads ${STATE_VERSIONS.join(', ')})`,
    };
  }
  if (typeof parsed.requestId !== 'string' || !isStage(parsed.machine?.value)) {
    return { ok: false, why: 'version 1 without a request id or a known stage' };
  }
  const { stage: _stage, failure, ...record } = parsed as StateJsonV1;
  // An unfinished request must be resumable by this machine; a finished one is never stepped again.
  const stranded = isFinalStage(record.machine.value) ? undefined : carryProblem(record.machine);
  if (stranded) {
    const started = record.machineVersion ? `started on machine ${record.machineVersion}, ` : '';
    return { ok: false, why: `${started}machine ${MACHINE_VERSION} cannot carry it: ${stranded}` };
  }
  return {
    ok: true,
    record: failure?.detail === undefined ? record : { ...record, failureDetail: failure.detail },
  };
}

export function isBarrier(headers: Readonly<Record<string, string>>): boolean {
  return headers[BARRIER_HEADER] !== undefined;
}
