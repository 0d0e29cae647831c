import { type PlannedRequest, planRequests } from '@pipeline/failure-markers';
import { BUILD_REQ, DEEP, TASK, TGEN_REQ, TPLAN_REQ } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import type { DeadLetterSeen, RequestSeen } from '../src/audit.js';
import { expectedCommands, isClean, verify } from '../src/verify.js';

/** What a correct run leaves for `p`: each command of its path once, its ticket, its final stage. */
function correct(p: PlannedRequest): RequestSeen {
  return {
    commands: expectedCommands(p),
    tickets:
      p.expected.stage === 'regress'
        ? [{ failedStage: p.expected.failedStage ?? '', reason: p.expected.reason ?? '' }]
        : [],
    stage: p.expected.stage,
    finalAt: 1,
  };
}

const plan = planRequests(20, 'unit');
const seenOf = (changes: (id: string, seen: RequestSeen) => RequestSeen = (_, s) => s) =>
  new Map(plan.map((p) => [p.id, changes(p.id, correct(p))]));

describe('the audit verdict', () => {
  it('knows each path: done sends every command once and build twice; a failure stops at its stage', () => {
    const byTarget = (fail: string | undefined) => plan.find((p) => p.fail === fail) as PlannedRequest;
    expect(expectedCommands(byTarget(undefined))).toEqual({
      [DEEP]: 1,
      [TASK]: 1,
      [BUILD_REQ]: 2,
      [TPLAN_REQ]: 1,
      [TGEN_REQ]: 1,
    });
    expect(expectedCommands(byTarget('coder'))).toEqual({
      [DEEP]: 1,
      [TASK]: 1,
      [BUILD_REQ]: 0,
      [TPLAN_REQ]: 0,
      [TGEN_REQ]: 0,
    });
    expect(expectedCommands(byTarget('build1'))).toEqual({
      [DEEP]: 1,
      [TASK]: 1,
      [BUILD_REQ]: 1,
      [TPLAN_REQ]: 0,
      [TGEN_REQ]: 0,
    });
    expect(expectedCommands(byTarget('precheck'))).toEqual({
      [DEEP]: 1,
      [TASK]: 1,
      [BUILD_REQ]: 1,
      [TPLAN_REQ]: 1,
      [TGEN_REQ]: 1,
    });
    expect(expectedCommands(byTarget('build2'))).toEqual({
      [DEEP]: 1,
      [TASK]: 1,
      [BUILD_REQ]: 2,
      [TPLAN_REQ]: 1,
      [TGEN_REQ]: 1,
    });
  });

  it('passes a correct run, with ~20 % planned to fail', () => {
    expect(plan.filter((p) => p.fail).length).toBe(4);
    const v = verify(plan, seenOf(), []);
    expect(v).toMatchObject({ requests: 20, finished: 20, lost: 0, duplicated: 0, wrong: 0, missing: 0 });
    expect(isClean(v)).toBe(true);
  });

  it('counts a request never finished as lost, a command twice as duplicated, a second ticket too', () => {
    const [a, b, c] = plan.filter((p) => p.fail === undefined);
    const failing = plan.find((p) => p.fail === 'build1') as PlannedRequest;
    const v = verify(
      plan,
      seenOf((id, s) => {
        if (id === a?.id) return { ...s, stage: 'build2', finalAt: undefined } as unknown as RequestSeen;
        if (id === b?.id) return { ...s, commands: { ...s.commands, [TPLAN_REQ]: 2 } };
        if (id === failing.id) return { ...s, tickets: [...s.tickets, ...s.tickets] };
        return s;
      }),
      [],
    );
    expect(v).toMatchObject({ lost: 1, duplicated: 2 });
    expect(v.problems.join('\n')).toContain(`${a?.id}: not finished`);
    expect(isClean(v)).toBe(false);
    void c;
  });

  it('fails a request that ended otherwise than planned, or with the wrong ticket', () => {
    const ok = plan.find((p) => p.fail === undefined) as PlannedRequest;
    const failing = plan.find((p) => p.fail === 'precheck') as PlannedRequest;
    const v = verify(
      plan,
      seenOf((id, s) => {
        if (id === ok.id)
          return { ...s, stage: 'regress', tickets: [{ failedStage: 'build1', reason: 'build_failed' }] };
        if (id === failing.id)
          return { ...s, tickets: [{ failedStage: 'test_build', reason: 'build_failed' }] };
        return s;
      }),
      [],
    );
    expect(v.wrong).toBe(2);
  });

  it('wants each bad record dead-lettered exactly once, and explains every other dead letter', () => {
    const marks = new Set(['m1', 'm2', 'm3']);
    const letter = (badMark: string | undefined, key?: string, reason = 'undecodable'): DeadLetterSeen => ({
      key,
      reason,
      sourceTopic: 'plan.out',
      badMark,
    });
    const planned = plan[0] as PlannedRequest;
    const v = verify(
      plan,
      seenOf(),
      [
        letter('m1'),
        letter('m2'),
        letter('m2'),
        letter(undefined, planned.id, 'duplicate_request'),
        letter(undefined, 'stranger', 'unknown_request'),
      ],
      marks,
    );
    expect(v).toMatchObject({
      badExpected: 3,
      badDeadLettered: 1,
      duplicated: 1,
      redeliveriesRefused: 1,
      unexpectedDeadLetters: 1,
    });
    expect(v.problems.join('\n')).toMatch(/m3: 0 dead letters/);
    expect(isClean(v)).toBe(false);
  });
});
