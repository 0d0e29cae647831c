import { create } from '@bufbuild/protobuf';
import { CommitResultSchema, STATUS } from '@pipeline/contracts';
import { hasFailureMarker } from '@pipeline/failure-markers';
import {
  type CommandOf,
  type DecideOptions,
  failsAtRandom,
  fakeSha,
  type ReplyOf,
  type Rng,
} from './types.js';

/**
 * Coder: reads a TaskBundle on `code.task.out`, answers ONE CommitResult per task on
 * `commit.result.out`.
 *
 * A real coder would implement each task on a branch, push a commit and report its sha. This one
 * reports a fake sha derived from (request id, task id). When the request fails (marker
 * `fail-coder` or the random rate), the LAST task of the bundle is reported FAILED.
 */
export function decide(
  command: CommandOf<'coder'>,
  requestId: string,
  options: DecideOptions,
  rng: Rng,
): ReplyOf<'coder'>[] {
  if (hasFailureMarker(requestId, 'silent-coder')) return [];
  const fails = hasFailureMarker(requestId, 'coder') || failsAtRandom(rng, options.failureRate);
  const last = command.taskIds.length - 1;
  return command.taskIds.map((taskId, i) =>
    create(CommitResultSchema, {
      taskId,
      commitSha: fakeSha(requestId, taskId),
      status: fails && i === last ? STATUS.failed : STATUS.success,
    }),
  );
}
