import { create } from '@bufbuild/protobuf';
import {
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  GeneratedTestsSchema,
  PlanSchema,
  TestSpecSchema,
} from '@pipeline/contracts';
import {
  BREPORT,
  BUILD_REQ,
  CRES,
  CRQ,
  DEEP,
  GTRES,
  PLAN,
  TASK,
  TGEN_REQ,
  TPLAN_REQ,
  TSPEC,
} from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { relayBuildId, route } from '../src/relay/route.js';

// The relay's hops for one request that goes right through, as the stub agents answer: each reply
// starts the command the orchestrator would send next, and the last build report ends the request.

const id = 'req-1';
const options = { tasks: 3 };

describe('route', () => {
  it('sends a change request to the planner as it is', () => {
    const change = create(ChangeRequestSchema, { id, repo: 'r', branch: 'b', description: 'd' });
    const step = route(CRQ, change, id, options);
    expect(step.done).toBe(false);
    expect(step.commands).toHaveLength(1);
    expect(step.commands[0]?.topic).toBe(DEEP);
    expect(step.commands[0]?.message).toMatchObject({ id, repo: 'r', branch: 'b', description: 'd' });
  });

  it('sends the tasks of a plan to the coder', () => {
    const plan = create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['a', 'b'] });
    const [command] = route(PLAN, plan, id, options).commands;
    expect(command?.topic).toBe(TASK);
    expect(command?.message).toMatchObject({ planId: `${id}/plan`, taskIds: ['a', 'b'] });
  });

  it('starts build 1 on the result of the last task only', () => {
    const result = (n: number) =>
      create(CommitResultSchema, { taskId: `${id}/task-${n}`, commitSha: `sha${n}`, status: 'success' });
    expect(route(CRES, result(1), id, options).commands).toEqual([]);
    expect(route(CRES, result(2), id, options).commands).toEqual([]);
    const [command] = route(CRES, result(3), id, options).commands;
    expect(command?.topic).toBe(BUILD_REQ);
    expect(command?.message).toMatchObject({
      requestId: id,
      buildId: relayBuildId(id, 1),
      commitSha: 'sha3',
      round: 1,
    });
  });

  it('goes from build 1 to the test plan, the tests and build 2, and ends at build 2', () => {
    const report = (round: 1 | 2) =>
      create(BuildReportSchema, {
        buildId: relayBuildId(id, round),
        commitSha: `c${round}`,
        status: 'passed',
      });
    const afterBuild1 = route(BREPORT, report(1), id, options);
    expect(afterBuild1.commands.map((c) => c.topic)).toEqual([TPLAN_REQ]);
    expect(afterBuild1.commands[0]?.message).toMatchObject({ requestId: id, commitSha: 'c1' });

    const spec = create(TestSpecSchema, { id: 'spec', parentCommitSha: 'c1' });
    const [testGen] = route(TSPEC, spec, id, options).commands;
    expect(testGen?.topic).toBe(TGEN_REQ);
    expect(testGen?.message).toMatchObject({ requestId: id, specId: 'spec', commitSha: 'c1' });

    const tests = create(GeneratedTestsSchema, { specId: 'spec', commitSha: 'c2' });
    const [build2] = route(GTRES, tests, id, options).commands;
    expect(build2?.message).toMatchObject({ buildId: relayBuildId(id, 2), commitSha: 'c2', round: 2 });

    expect(route(BREPORT, report(2), id, options)).toEqual({ commands: [], done: true });
  });

  it('ignores a build report of a build it did not start', () => {
    const report = create(BuildReportSchema, { buildId: 'someone-else', commitSha: 'c', status: 'passed' });
    expect(route(BREPORT, report, id, options)).toEqual({ commands: [], done: false });
  });
});
