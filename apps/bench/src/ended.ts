// How the benchmark sees that a request ended: the orchestrator's state record says stage done (or
// regress); a relay writes a state record of its own that says done. Read from the state topic of
// the run's prefix, read_committed, so a request counts once it is committed.

import { create, toBinary } from '@bufbuild/protobuf';
import { readStateValue, STATE_RECORD_VERSION, StateRecordSchema } from '@pipeline/contracts';

export type Ended = 'done' | 'regress';

/** The state-topic value a relay writes when a request is through. */
export function doneRecordValue(requestId: string): Buffer {
  return Buffer.from(JSON.stringify({ requestId, stage: 'done' }));
}

/** The final stage a state record reports, or undefined while the request is under way. */
export function endedStage(value: Buffer | null): Ended | undefined {
  // Most records are of requests under way: parse only those that can be final.
  if (value === null || !(value.includes('"stage":"done"') || value.includes('"stage":"regress"')))
    return undefined;
  try {
    const stage = (JSON.parse(value.toString('utf8')) as { stage?: unknown }).stage;
    return stage === 'done' || stage === 'regress' ? stage : undefined;
  } catch {
    return undefined;
  }
}
