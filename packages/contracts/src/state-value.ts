// The value of a record of `orchestrator.state`, as any reader sees it: version 2 is the protobuf
// StateRecord (proto/state_record.proto), version 1 was JSON. The orchestrator maps the whole record
// (apps/orchestrator/src/domain/state-record.ts); tools that only need where a request stands (the
// CLI's replay, the fault suite's audit, the benchmark) read this summary of either form.

import { fromBinary } from '@bufbuild/protobuf';
import { StateRecordSchema } from './gen/state_record_pb.js';

/** The state record versions there are: 1 (JSON), 2 (StateRecord). */
export const STATE_RECORD_VERSIONS = [1, 2] as const;
export type StateRecordVersion = (typeof STATE_RECORD_VERSIONS)[number];

/** The version this code writes. */
export const STATE_RECORD_VERSION: StateRecordVersion = 2;

/** What every version says of a request: where it stands, and the machine it started on. */
export interface StateSummary {
  version: StateRecordVersion;
  requestId: string;
  /** The stage machine's state (a stage name; not checked here). */
  stage: string;
  machineVersion?: string;
  /**
   * The stage machine's snapshot as the record holds it: the stage, and a context with the failure
   * of a regressed request (version 1's context exactly as written, whatever it holds).
   */
  machine: { value: string; context: Record<string, unknown> };
}

export type ReadStateValue = { ok: true; summary: StateSummary } | { ok: false; why: string };

/** True when the bytes are a JSON state record (version 1): JSON objects start with `{`. */
export function isJsonStateValue(value: Uint8Array): boolean {
  return value[0] === 0x7b;
}

/** Reads the summary of a state value of either version, or says why it cannot. */
export function readStateValue(value: Uint8Array): ReadStateValue {
  if (isJsonStateValue(value)) return readJson(value);
  let message: ReturnType<typeof fromBinary<typeof StateRecordSchema>>;
  try {
    message = fromBinary(StateRecordSchema, value);
  } catch (error) {
    return { ok: false, why: `neither JSON nor a StateRecord: ${(error as Error).message}` };
  }
  if (message.version !== STATE_RECORD_VERSION)
    return {
      ok: false,
      why: `StateRecord version ${message.version} (this code reads ${STATE_RECORD_VERSIONS.join(', ')})`,
    };
  const context: Record<string, unknown> = {};
  if (message.failure) {
    const { stage, event, reason } = message.failure;
    context.failure = reason === undefined ? { stage, event } : { stage, event, reason };
  }
  const summary: StateSummary = {
    version: STATE_RECORD_VERSION,
    requestId: message.requestId,
    stage: message.stage,
    machine: { value: message.stage, context },
  };
  if (message.machineVersion !== undefined) summary.machineVersion = message.machineVersion;
  return { ok: true, summary };
}

function readJson(value: Uint8Array): ReadStateValue {
  let parsed: {
    v?: unknown;
    requestId?: unknown;
    machine?: { value?: unknown; context?: unknown };
    machineVersion?: unknown;
  };
  try {
    parsed = JSON.parse(new TextDecoder().decode(value));
  } catch {
    return { ok: false, why: 'not JSON' };
  }
  if (parsed?.v !== 1)
    return { ok: false, why: `JSON state record version ${JSON.stringify(parsed?.v)} (this code reads 1)` };
  if (typeof parsed.requestId !== 'string' || typeof parsed.machine?.value !== 'string')
    return { ok: false, why: 'version 1 without a request id or a stage' };
  const { value: stage, context } = parsed.machine;
  const summary: StateSummary = {
    version: 1,
    requestId: parsed.requestId,
    stage,
    machine: {
      value: stage,
      context: typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {},
    },
  };
  if (typeof parsed.machineVersion === 'string') summary.machineVersion = parsed.machineVersion;
  return { ok: true, summary };
}
