// How the benchmark sees that a request ended: the orchestrator's state record says stage done (or
// regress); a relay writes a state record of its own that says done. Read from the state topic of
// the run's prefix, read_committed, so a request counts once it is committed.

import { create, toBinary } from '@bufbuild/protobuf';
import { readStateValue, STATE_RECORD_VERSION, StateRecordSchema } from '@pipeline/contracts';

export type Ended = 'done' | 'regress';

/** The state-topic value a relay writes when a request is through: a StateRecord that says done. */
export function doneRecordValue(requestId: string): Buffer {
  const message = create(StateRecordSchema, { version: STATE_RECORD_VERSION, requestId, stage: 'done' });
  return Buffer.from(toBinary(StateRecordSchema, message));
}

/** The final stage a state record (either version) reports, or undefined while the request is under way. */
export function endedStage(value: Buffer | null): Ended | undefined {
  if (value === null) return undefined;
  const read = readStateValue(value);
  const stage = read.ok ? read.summary.stage : undefined;
  return stage === 'done' || stage === 'regress' ? stage : undefined;
}
