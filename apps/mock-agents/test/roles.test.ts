import { create } from '@bufbuild/protobuf';
import {
  BuildRequestSchema,
  ChangeRequestSchema,
  TaskBundleSchema,
  TestGenRequestSchema,
  TestPlanRequestSchema,
} from '@pipeline/contracts';
import { AGENT_ROLE_NAMES, type AgentRole } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import * as builder from '../src/roles/builder.js';
import * as coder from '../src/roles/coder.js';
import { type CommandOf, fakeSha, type Rng, ROLES } from '../src/roles/index.js';
import * as planner from '../src/roles/planner.js';
import * as testGenerator from '../src/roles/test-generator.js';
import * as testPlanner from '../src/roles/test-planner.js';
import { fixedRng, seededRng, unusedRng } from './support/rng.js';

const HEX40 = /^[0-9a-f]{40}$/;
const never = { failureRate: 0 };
const always = { failureRate: 1 };

const changeRequest = (id: string) =>
  create(ChangeRequestSchema, { id, requester: 'ann', repo: 'acme/app', branch: 'main', description: 'x' });
const bundle = (requestId: string, tasks = 3) =>
  create(TaskBundleSchema, {
    planId: `${requestId}/plan`,
    taskIds: Array.from({ length: tasks }, (_, i) => `${requestId}/task-${i + 1}`),
  });
const buildRequest = (requestId: string, round: number) =>
  create(BuildRequestSchema, {
    requestId,
    buildId: `${requestId}/build${round}`,
    commitSha: 'c'.repeat(40),
    repo: 'acme/app',
    branch: 'main',
    round,
  });
const testPlanRequest = (requestId: string) =>
  create(TestPlanRequestSchema, { requestId, commitSha: 'a'.repeat(40), repo: 'acme/app' });
const testGenRequest = (requestId: string) =>
  create(TestGenRequestSchema, { requestId, specId: `${requestId}/spec`, commitSha: 'b'.repeat(40) });

/** A command of each role for a request id, to run every role through the same checks. */
const COMMANDS: { [R in AgentRole]: (requestId: string) => CommandOf<R> } = {
  planner: changeRequest,
  coder: (id) => bundle(id),
  builder: (id) => buildRequest(id, 1),
  'test-planner': testPlanRequest,
  'test-generator': testGenRequest,
};

function decideAny(role: AgentRole, requestId: string, failureRate: number, rng: Rng) {
  const logic = ROLES[role] as {
    decide(c: unknown, id: string, o: { failureRate: number; tasks: number }, r: Rng): object[];
  };
  return logic.decide(COMMANDS[role](requestId), requestId, { failureRate, tasks: 3 }, rng);
}

/** Whether a role's answer to a command counts as a failure: no answer, or a FAILED in it. */
function failed(replies: object[]): boolean {
  return (
    replies.length === 0 ||
    replies.some((r) => (r as { status?: string }).status === 'FAILED') ||
    replies.some((r) => (r as { precheck?: string }).precheck === 'FAILED')
  );
}

describe('planner', () => {
  it('plans N tasks named after the request', () => {
    const [plan, ...rest] = planner.decide(
      changeRequest('crq-1'),
      'crq-1',
      { ...never, tasks: 3 },
      unusedRng,
    );
    expect(rest).toEqual([]);
    expect(plan?.$typeName).toBe('core.Plan');
    expect(plan?.id).toBe('crq-1/plan');
    expect(plan?.parentRequestId).toBe('crq-1');
    expect(plan?.taskIds).toEqual(['crq-1/task-1', 'crq-1/task-2', 'crq-1/task-3']);
  });

  it('plans as many tasks as configured', () => {
    expect(planner.decide(changeRequest('r'), 'r', { ...never, tasks: 1 }, unusedRng)[0]?.taskIds).toEqual([
      'r/task-1',
    ]);
    expect(
      planner.decide(changeRequest('r'), 'r', { ...never, tasks: 7 }, unusedRng)[0]?.taskIds,
    ).toHaveLength(7);
  });

  it('stays silent on fail-silent-planner', () => {
    expect(
      planner.decide(
        changeRequest('r-fail-silent-planner'),
        'r-fail-silent-planner',
        { ...never, tasks: 3 },
        unusedRng,
      ),
    ).toEqual([]);
  });

  it('ignores the markers of other stages', () => {
    for (const id of ['r-fail-coder', 'r-fail-build1', 'r-fail-precheck', 'r-fail-silent-builder']) {
      expect(planner.decide(changeRequest(id), id, { ...never, tasks: 2 }, unusedRng)).toHaveLength(1);
    }
  });

  it('fails at random by staying silent', () => {
    expect(planner.decide(changeRequest('r'), 'r', { ...always, tasks: 3 }, fixedRng(0.99))).toEqual([]);
    expect(planner.decide(changeRequest('r'), 'r', { failureRate: 0.5, tasks: 3 }, fixedRng(0.49))).toEqual(
      [],
    );
    expect(
      planner.decide(changeRequest('r'), 'r', { failureRate: 0.5, tasks: 3 }, fixedRng(0.5)),
    ).toHaveLength(1);
  });
});

describe('coder', () => {
  it('answers one SUCCESS per task, in order, with a deterministic fake sha', () => {
    const results = coder.decide(bundle('crq-1'), 'crq-1', never, unusedRng);
    expect(results.map((r) => r.$typeName)).toEqual(Array(3).fill('core.CommitResult'));
    expect(results.map((r) => r.taskId)).toEqual(['crq-1/task-1', 'crq-1/task-2', 'crq-1/task-3']);
    expect(results.map((r) => r.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    for (const r of results) {
      expect(r.commitSha).toMatch(HEX40);
      expect(r.commitSha).toBe(fakeSha('crq-1', r.taskId));
    }
    expect(new Set(results.map((r) => r.commitSha)).size).toBe(3);
    // The same request and task give the same sha; another request another one.
    expect(coder.decide(bundle('crq-1'), 'crq-1', never, unusedRng)).toEqual(results);
    expect(coder.decide(bundle('crq-1'), 'crq-2', never, unusedRng)[0]?.commitSha).not.toBe(
      results[0]?.commitSha,
    );
  });

  it('fails the LAST task on fail-coder', () => {
    const id = 'crq-fail-coder';
    expect(coder.decide(bundle(id), id, never, unusedRng).map((r) => r.status)).toEqual([
      'SUCCESS',
      'SUCCESS',
      'FAILED',
    ]);
    expect(coder.decide(bundle(id, 1), id, never, unusedRng).map((r) => r.status)).toEqual(['FAILED']);
  });

  it('answers nothing for an empty bundle', () => {
    expect(coder.decide(bundle('r', 0), 'r', always, fixedRng(0))).toEqual([]);
  });

  it('stays silent on fail-silent-coder', () => {
    expect(coder.decide(bundle('r-fail-silent-coder'), 'r-fail-silent-coder', never, unusedRng)).toEqual([]);
  });

  it('ignores the markers of other stages', () => {
    for (const id of ['r-fail-build1', 'r-fail-build2', 'r-fail-precheck', 'r-fail-silent-planner']) {
      expect(coder.decide(bundle(id), id, never, unusedRng).every((r) => r.status === 'SUCCESS')).toBe(true);
    }
  });

  it('fails the last task at random, one roll per bundle', () => {
    const rng = fixedRng(0.1);
    expect(coder.decide(bundle('r'), 'r', { failureRate: 0.2 }, rng).map((r) => r.status)).toEqual([
      'SUCCESS',
      'SUCCESS',
      'FAILED',
    ]);
    expect(rng.calls).toBe(1);
    expect(
      coder
        .decide(bundle('r'), 'r', { failureRate: 0.2 }, fixedRng(0.2))
        .every((r) => r.status === 'SUCCESS'),
    ).toBe(true);
  });
});

describe('builder', () => {
  it('passes both rounds, echoing commit sha and build id', () => {
    for (const round of [1, 2]) {
      const [report, ...rest] = builder.decide(buildRequest('crq-1', round), 'crq-1', never, unusedRng);
      expect(rest).toEqual([]);
      expect(report?.$typeName).toBe('core.BuildReport');
      expect(report?.status).toBe('PASSED');
      expect(report?.commitSha).toBe('c'.repeat(40));
      expect(report?.buildId).toBe(`crq-1/build${round}`);
    }
  });

  it('fails only the round of the marker', () => {
    const status = (id: string, round: number) =>
      builder.decide(buildRequest(id, round), id, never, unusedRng)[0]?.status;
    expect(status('r-fail-build1', 1)).toBe('FAILED');
    expect(status('r-fail-build1', 2)).toBe('PASSED');
    expect(status('r-fail-build2', 1)).toBe('PASSED');
    expect(status('r-fail-build2', 2)).toBe('FAILED');
    expect(status('r-fail-coder', 1)).toBe('PASSED');
    expect(status('r-fail-precheck', 2)).toBe('PASSED');
  });

  it('stays silent on fail-silent-builder, in both rounds', () => {
    const id = 'r-fail-silent-builder';
    expect(builder.decide(buildRequest(id, 1), id, never, unusedRng)).toEqual([]);
    expect(builder.decide(buildRequest(id, 2), id, never, unusedRng)).toEqual([]);
  });

  it('fails at random with status FAILED', () => {
    expect(builder.decide(buildRequest('r', 2), 'r', always, fixedRng(0.999))[0]?.status).toBe('FAILED');
    expect(builder.decide(buildRequest('r', 1), 'r', { failureRate: 0.3 }, fixedRng(0.31))[0]?.status).toBe(
      'PASSED',
    );
  });
});

describe('test planner', () => {
  it('answers a spec for the commit it was asked about', () => {
    const [spec, ...rest] = testPlanner.decide(testPlanRequest('crq-1'), 'crq-1', never, unusedRng);
    expect(rest).toEqual([]);
    expect(spec?.$typeName).toBe('core.TestSpec');
    expect(spec?.id).toBe('crq-1/spec');
    expect(spec?.parentCommitSha).toBe('a'.repeat(40));
  });

  it('stays silent on fail-silent-test-planner, and on random failure', () => {
    const id = 'r-fail-silent-test-planner';
    expect(testPlanner.decide(testPlanRequest(id), id, never, unusedRng)).toEqual([]);
    expect(testPlanner.decide(testPlanRequest('r'), 'r', always, fixedRng(0.5))).toEqual([]);
    // Another role's silence is not its own.
    const other = 'r-fail-silent-planner';
    expect(testPlanner.decide(testPlanRequest(other), other, never, unusedRng)).toHaveLength(1);
  });
});

describe('test generator', () => {
  it('answers the tests of the spec with a new commit and a passed precheck', () => {
    const [tests, ...rest] = testGenerator.decide(testGenRequest('crq-1'), 'crq-1', never, unusedRng);
    expect(rest).toEqual([]);
    expect(tests?.$typeName).toBe('core.GeneratedTests');
    expect(tests?.specId).toBe('crq-1/spec');
    expect(tests?.precheck).toBe('PASSED');
    expect(tests?.commitSha).toMatch(HEX40);
    expect(tests?.commitSha).not.toBe('b'.repeat(40));
    expect(testGenerator.decide(testGenRequest('crq-1'), 'crq-1', never, unusedRng)[0]?.commitSha).toBe(
      tests?.commitSha,
    );
  });

  it('fails the precheck on fail-precheck and at random', () => {
    const id = 'r-fail-precheck';
    expect(testGenerator.decide(testGenRequest(id), id, never, unusedRng)[0]?.precheck).toBe('FAILED');
    expect(testGenerator.decide(testGenRequest('r'), 'r', always, fixedRng(0))[0]?.precheck).toBe('FAILED');
    expect(
      testGenerator.decide(testGenRequest('r-fail-build2'), 'r-fail-build2', never, unusedRng)[0]?.precheck,
    ).toBe('PASSED');
  });

  it('stays silent on fail-silent-test-generator', () => {
    const id = 'r-fail-silent-test-generator';
    expect(testGenerator.decide(testGenRequest(id), id, never, unusedRng)).toEqual([]);
  });
});

describe('every role', () => {
  it('has its logic registered', () => {
    expect(Object.keys(ROLES).sort()).toEqual([...AGENT_ROLE_NAMES].sort());
  });

  it.each(AGENT_ROLE_NAMES)('%s never draws from the rng at failure rate 0', (role) => {
    expect(failed(decideAny(role, 'crq-ok', 0, unusedRng))).toBe(false);
  });

  it.each(AGENT_ROLE_NAMES)('%s always fails at failure rate 1', (role) => {
    expect(failed(decideAny(role, 'crq-ok', 1, seededRng(1)))).toBe(true);
  });

  it.each(AGENT_ROLE_NAMES)('%s fails at about the configured rate, reproducibly with a seed', (role) => {
    const run = (seed: number) => {
      const rng = seededRng(seed);
      return Array.from({ length: 2000 }, (_, i) => failed(decideAny(role, `crq-${i}`, 0.25, rng)));
    };
    const outcomes = run(42);
    const rate = outcomes.filter(Boolean).length / outcomes.length;
    expect(rate).toBeGreaterThan(0.2);
    expect(rate).toBeLessThan(0.3);
    expect(run(42)).toEqual(outcomes);
    expect(run(43)).not.toEqual(outcomes);
  });

  it.each(AGENT_ROLE_NAMES)('%s: a marker wins over the rng (never drawn)', (role) => {
    const id = `crq-fail-silent-${role}`;
    expect(decideAny(role, id, 0.5, unusedRng)).toEqual([]);
  });
});
