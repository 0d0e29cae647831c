import { fromPersisted, type Stage, type StageSnapshot } from '../src/index.js';

/** A failure recorded as if `build_fail` had happened in `build1`; only `regress` snapshots carry one. */
export const SAMPLE_FAILURE = { stage: 'build1', event: 'build_fail', reason: 'tsc failed' } as const;

/** Places a fresh machine in `stage` through the public persistence API, without replaying events. */
export function snapshotIn(stage: Stage): StageSnapshot {
  return fromPersisted({ value: stage, context: stage === 'regress' ? { failure: SAMPLE_FAILURE } : {} });
}
