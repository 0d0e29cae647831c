// Judges what the audit saw against the plan, request by request. Pure: the audit's observations in,
// a verdict out (unit-tested with hand-made observations).

import type { PlannedRequest } from '@pipeline/failure-markers';
import { BUILD_REQ, DEEP, TASK, TGEN_REQ, TPLAN_REQ } from '@pipeline/topics';
import { COMMAND_TOPICS, type CommandTopic, type DeadLetterSeen, type RequestSeen } from './audit.js';

/** The command each stage sends when it is entered, in pipeline order. Written here, not asked of the machine. */
const STAGE_COMMANDS: ReadonlyArray<readonly [string, CommandTopic]> = [
  ['plan_phase', DEEP],
  ['code_phase', TASK],
  ['build1', BUILD_REQ],
  ['test_plan', TPLAN_REQ],
  ['test_build', TGEN_REQ],
  ['build2', BUILD_REQ],
];

/** The commands a request planned to end as `planned.expected` causes: each stage it enters, once. */
export function expectedCommands(planned: PlannedRequest): Record<CommandTopic, number> {
  const counts = Object.fromEntries(COMMAND_TOPICS.map((t) => [t, 0])) as Record<CommandTopic, number>;
  const last = planned.expected.stage === 'done' ? undefined : planned.expected.failedStage;
  for (const [stage, topic] of STAGE_COMMANDS) {
    counts[topic] += 1;
    if (stage === last) break;
  }
  return counts;
}

/**
 * Refusals that a repeated delivery of a valid record earns (an agent that answers a command twice
 * after a rebalance, a producer retry): they change nothing and are counted, not failed.
 */
export const REDELIVERY_REASONS = new Set([
  'duplicate_request',
  'duplicate_task_result',
  'stale_build_report',
  'stale_test_spec',
  'not_accepted_in_stage',
  'final_stage',
]);

export interface Verdict {
  requests: number;
  finished: number;
  /** Planned requests the state topic never showed in a final stage. */
  lost: number;
  /** Requests that ended in another final stage than planned, or with the wrong ticket. */
  wrong: number;
  /** Commands or tickets committed more often than the request's path sends them. */
  duplicated: number;
  /** Commands a finished request should have caused and did not. */
  missing: number;
  /** Dead letters of the records the scenario sent as bad: expected, found (each mark once). */
  badExpected: number;
  badDeadLettered: number;
  /** Dead letters that are neither a bad record nor a refused redelivery of a planned request. */
  unexpectedDeadLetters: number;
  redeliveriesRefused: number;
  /** The first problems, in words. */
  problems: string[];
}

const MAX_PROBLEMS = 20;

export function verify(
  planned: readonly PlannedRequest[],
  seen: ReadonlyMap<string, RequestSeen>,
  deadLetters: readonly DeadLetterSeen[],
  badMarks: ReadonlySet<string> = new Set(),
): Verdict {
  const problems: string[] = [];
  const note = (text: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(text);
  };
  const verdict: Verdict = {
    requests: planned.length,
    finished: 0,
    lost: 0,
    wrong: 0,
    duplicated: 0,
    missing: 0,
    badExpected: badMarks.size,
    badDeadLettered: 0,
    unexpectedDeadLetters: 0,
    redeliveriesRefused: 0,
    problems,
  };
  for (const request of planned) {
    const obs = seen.get(request.id);
    const final = obs?.stage === 'done' || obs?.stage === 'regress' ? obs.stage : undefined;
    if (!obs || final === undefined) {
      verdict.lost += 1;
      note(`${request.id}: not finished (last stage ${obs?.stage ?? 'none'})`);
      continue;
    }
    verdict.finished += 1;
    const expected = expectedCommands(request);
    for (const topic of COMMAND_TOPICS) {
      const got = obs.commands[topic];
      if (got > expected[topic]) {
        verdict.duplicated += got - expected[topic];
        note(`${request.id}: ${got} × ${topic}, its path sends ${expected[topic]}`);
      } else if (got < expected[topic] && final === request.expected.stage) {
        verdict.missing += expected[topic] - got;
        note(`${request.id}: ${got} × ${topic}, its path sends ${expected[topic]}`);
      }
    }
    // A ticket where none was planned is a wrong outcome (below); a second ticket is a duplicate.
    if (obs.tickets.length > 1) {
      verdict.duplicated += obs.tickets.length - 1;
      note(`${request.id}: ${obs.tickets.length} tickets`);
    }
    const ticket = obs.tickets[0];
    const ticketRight =
      request.expected.stage === 'done'
        ? obs.tickets.length === 0
        : ticket?.failedStage === request.expected.failedStage && ticket?.reason === request.expected.reason;
    if (final !== request.expected.stage || !ticketRight) {
      verdict.wrong += 1;
      note(
        `${request.id}: ended ${final} with ${obs.tickets.length} ticket(s) ${JSON.stringify(ticket ?? null)}, planned ${JSON.stringify(request.expected)}`,
      );
    }
  }
  const plannedIds = new Set(planned.map((p) => p.id));
  const marksSeen = new Map<string, number>();
  for (const letter of deadLetters) {
    if (letter.badMark !== undefined && badMarks.has(letter.badMark)) {
      marksSeen.set(letter.badMark, (marksSeen.get(letter.badMark) ?? 0) + 1);
    } else if (
      letter.key !== undefined &&
      plannedIds.has(letter.key) &&
      REDELIVERY_REASONS.has(letter.reason)
    ) {
      verdict.redeliveriesRefused += 1;
    } else {
      verdict.unexpectedDeadLetters += 1;
      note(`unexpected dead letter: key ${letter.key}, reason ${letter.reason}, from ${letter.sourceTopic}`);
    }
  }
  for (const mark of badMarks) {
    const times = marksSeen.get(mark) ?? 0;
    if (times === 1) verdict.badDeadLettered += 1;
    else note(`bad record ${mark}: ${times} dead letters, expected exactly 1`);
    if (times > 1) verdict.duplicated += times - 1;
  }
  return verdict;
}

/** A verdict with nothing lost, repeated, wrong, missing or unexplained. */
export function isClean(v: Verdict): boolean {
  return (
    v.lost === 0 &&
    v.wrong === 0 &&
    v.duplicated === 0 &&
    v.missing === 0 &&
    v.unexpectedDeadLetters === 0 &&
    v.badDeadLettered === v.badExpected
  );
}
