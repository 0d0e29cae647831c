import { create } from '@bufbuild/protobuf';
import { GeneratedTestsSchema, STATUS } from '@pipeline/contracts';
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
 * Test generator: reads a TestGenRequest on `test.gen.request.in`, answers one GeneratedTests on
 * `generated.tests.out` with the same spec_id, the commit that adds the tests, and the precheck.
 *
 * A real test generator would write the tests of the spec, commit them on top of commit_sha and
 * run them once (the precheck). This one invents the commit and fails the precheck on the marker
 * `fail-precheck` or at the random rate.
 */
export function decide(
  command: CommandOf<'test-generator'>,
  requestId: string,
  options: DecideOptions,
  rng: Rng,
): ReplyOf<'test-generator'>[] {
  if (hasFailureMarker(requestId, 'silent-test-generator')) return [];
  const fails = hasFailureMarker(requestId, 'precheck') || failsAtRandom(rng, options.failureRate);
  return [
    create(GeneratedTestsSchema, {
      specId: command.specId,
      commitSha: fakeSha(requestId, command.specId, command.commitSha, 'tests'),
      precheck: fails ? STATUS.failed : STATUS.passed,
    }),
  ];
}
