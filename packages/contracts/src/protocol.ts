/**
 * The words of the protocol that are not field numbers: the status values agents report, why a
 * request regresses (RegressionTicket.reason), and why a record went to the dead-letter topic
 * (header x-dlq-reason). Agents in any language compare against these strings; docs/protocol.md
 * lists the same ones.
 */

/** CommitResult.status, BuildReport.status and GeneratedTests.precheck values. */
export const STATUS = { success: 'SUCCESS', passed: 'PASSED', failed: 'FAILED' } as const;

/** A coder's task succeeded: anything but SUCCESS is a failure. */
export function isSuccess(status: string): boolean {
  return status === STATUS.success;
}

/** A build or a precheck passed: anything but PASSED is a failure. */
export function isPassed(status: string): boolean {
  return status === STATUS.passed;
}

/** Why a request regressed: the `reason` of its RegressionTicket. */
export const REGRESSION_REASONS = [
  'task_failed',
  'build_failed',
  'precheck_failed',
  'deadline_exceeded',
  'cancelled',
  'budget_exceeded',
  'rejected',
] as const;
export type RegressionReason = (typeof REGRESSION_REASONS)[number];

/**
 * Why the orchestrator refused a message (it changed nothing); each goes to the dead-letter topic
 * with this reason.
 */
export const REJECT_REASONS = [
  'uncorrelated',
  'unknown_request',
  'duplicate_request',
  'not_accepted_in_stage',
  'final_stage',
  'unknown_task',
  'duplicate_task_result',
  'stale_build_report',
  'stale_test_spec',
  'unknown_spec',
  'stale_attempt',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/**
 * Every x-dlq-reason: the orchestrator's refusals, bytes no one can decode, a record whose
 * x-message-type names another type than its topic carries, a message that breaks a rule of
 * MESSAGE_RULES, a record over a size limit or that can never fit in a transaction, a keyless reply whose id belongs to several requests, a forwarded record on the wrong partition, and failed handlers.
 */
export const DEAD_LETTER_REASONS = [
  ...REJECT_REASONS,
  'undecodable',
  'wrong_type',
  'invalid',
  'too_large',
  'ambiguous',
  'misrouted',
  'handler_failed',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];
