import { AGENT_ROLE_NAMES, type AgentRole } from '@pipeline/topics';

/**
 * Deterministic failures of the STUB agents (apps/mock-agents). A change request whose id contains
 * `fail-<target>` fails at that target, so a demo or a test can walk every regress path on purpose.
 * Real agents ignore the markers.
 *
 * | marker               | effect                                                     |
 * | -------------------- | ---------------------------------------------------------- |
 * | `fail-coder`         | the coder reports the LAST task of the bundle as FAILED     |
 * | `fail-build1`        | the builder reports round 1 as FAILED                       |
 * | `fail-precheck`      | the test generator reports the precheck as FAILED           |
 * | `fail-build2`        | the builder reports round 2 as FAILED                       |
 * | `fail-silent-<role>` | that role never answers (the orchestrator's deadline fires) |
 */

/** Where an agent reports a failure (a status that is not SUCCESS / PASSED), in pipeline order. */
export const FAILING_TARGETS = ['coder', 'build1', 'precheck', 'build2'] as const;
export type FailingTarget = (typeof FAILING_TARGETS)[number];

/** A role that never answers. */
export type SilentTarget = `silent-${AgentRole}`;
export type FailureTarget = FailingTarget | SilentTarget;

/** Every target, longest first, so that a longer marker is never read as a shorter one. */
export const FAILURE_TARGETS: readonly FailureTarget[] = [
  ...FAILING_TARGETS,
  ...AGENT_ROLE_NAMES.map((role): SilentTarget => `silent-${role}`),
].sort((a, b) => b.length - a.length);

const MARKER = new RegExp(`(?:^|[^a-z0-9])fail-(${FAILURE_TARGETS.join('|')})(?![a-z0-9])`, 'g');

/** Narrows untrusted text (a `--fail` value) to a failing target. */
export function isFailingTarget(value: string): value is FailingTarget {
  return (FAILING_TARGETS as readonly string[]).includes(value);
}

/** Narrows untrusted text to any target, silent ones included. */
export function isFailureTarget(value: string): value is FailureTarget {
  return (FAILURE_TARGETS as readonly string[]).includes(value);
}

/** The marker to put into a request id: `failureMarker('build1')` → `'fail-build1'`. */
export function failureMarker(target: FailureTarget): string {
  if (!FAILURE_TARGETS.includes(target)) {
    throw new RangeError(`unknown failure target "${target}": use one of ${FAILURE_TARGETS.join(', ')}`);
  }
  return `fail-${target}`;
}

/** The marker that makes `role` never answer: `silentMarker('builder')` → `'fail-silent-builder'`. */
export function silentMarker(role: AgentRole): string {
  return failureMarker(`silent-${role}`);
}

/** Every target marked in a request id, in the order they appear. */
export function failureTargetsOf(requestId: string): FailureTarget[] {
  return [...requestId.matchAll(MARKER)].map((m) => m[1] as FailureTarget);
}

/** The first target marked in a request id, or undefined for a request that should succeed. */
export function failureTargetOf(requestId: string): FailureTarget | undefined {
  return failureTargetsOf(requestId)[0];
}

/** True when the request id carries the marker of `target`. */
export function hasFailureMarker(requestId: string, target: FailureTarget): boolean {
  return failureTargetsOf(requestId).includes(target);
}

/**
 * `requestId` with the marker of `target` appended (`cr-1` → `cr-1-fail-build1`), or unchanged when
 * it already carries that marker (as the stub agents read it: `x-fail-build10` does not).
 */
export function withFailureMarker(requestId: string, target: FailureTarget): string {
  return hasFailureMarker(requestId, target) ? requestId : `${requestId}-${failureMarker(target)}`;
}
