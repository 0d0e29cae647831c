import { create } from '@bufbuild/protobuf';
import { TestSpecSchema } from '@pipeline/contracts';
import { hasFailureMarker } from '@pipeline/failure-markers';
import { type CommandOf, type DecideOptions, failsAtRandom, type ReplyOf, type Rng } from './types.js';

/**
 * Test planner: reads a TestPlanRequest on `test.plan.request.in`, answers one TestSpec on
 * `test.spec.out` whose parent_commit_sha is the commit it was asked about.
 *
 * A real test planner would read the change and the commit and decide what to test. A TestSpec
 * has no status, so a failing test planner fails by not answering (deadline of test_plan).
 */
export function decide(
  command: CommandOf<'test-planner'>,
  requestId: string,
  options: DecideOptions,
  rng: Rng,
): ReplyOf<'test-planner'>[] {
  if (hasFailureMarker(requestId, 'silent-test-planner') || failsAtRandom(rng, options.failureRate)) {
    return [];
  }
  return [create(TestSpecSchema, { id: `${requestId}/spec`, parentCommitSha: command.commitSha })];
}
