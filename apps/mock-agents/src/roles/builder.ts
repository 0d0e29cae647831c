import { create } from '@bufbuild/protobuf';
import { BuildReportSchema, STATUS } from '@pipeline/contracts';
import { hasFailureMarker } from '@pipeline/failure-markers';
import { type CommandOf, type DecideOptions, failsAtRandom, type ReplyOf, type Rng } from './types.js';

/**
 * Builder: reads a BuildRequest on `build.request.in`, answers one BuildReport on
 * `build.report.out` with the same commit_sha and build_id. Handles both rounds: 1 (after coding)
 * and 2 (with the generated tests).
 *
 * A real builder would check out the commit, compile it and run the tests. This one fails the
 * round named by the marker (`fail-build1`, `fail-build2`) on the request's first attempt (a retried
 * request builds, as after a flaky failure), or at the random rate.
 */
export function decide(
  command: CommandOf<'builder'>,
  requestId: string,
  options: DecideOptions,
  rng: Rng,
): ReplyOf<'builder'>[] {
  if (hasFailureMarker(requestId, 'silent-builder')) return [];
  const round = command.round === 2 ? 'build2' : 'build1';
  const marked = hasFailureMarker(requestId, round) && command.attempt <= 1;
  const fails = marked || failsAtRandom(rng, options.failureRate);
  return [
    create(BuildReportSchema, {
      commitSha: command.commitSha,
      status: fails ? STATUS.failed : STATUS.passed,
      buildId: command.buildId,
    }),
  ];
}
