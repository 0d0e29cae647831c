import { create } from '@bufbuild/protobuf';
import {
  BuildRequestSchema,
  ChangeRequestSchema,
  RegressionTicketSchema,
  TaskBundleSchema,
  TestGenRequestSchema,
  TestPlanRequestSchema,
} from '@pipeline/contracts';
import type { StageAction } from '@pipeline/state-machine';
import {
  BUILD_REQ,
  DEEP,
  type OrchestratorOutput,
  REG,
  TASK,
  TGEN_REQ,
  type TopicMessage,
  TPLAN_REQ,
} from '@pipeline/topics';
import { attemptOf, buildIdOf, type RequestRecord } from './request-record.js';

/** A message the orchestrator sends, keyed by the request id when it goes out. */
export type Command = {
  [T in OrchestratorOutput]: { topic: T; message: TopicMessage<T> };
}[OrchestratorOutput];

/**
 * Turns the stage machine's actions into commands, updating the draft record with what the
 * commands start (the build it waits for, the failure it reports). Mutates `draft` only.
 */
export function commandsFor(actions: readonly StageAction[], draft: RequestRecord): Command[] {
  const commands: Command[] = [];
  const { requestId, change } = draft;
  const attempt = attemptOf(draft);
  for (const action of actions) {
    switch (action.type) {
      case 'requestPlan':
        // As in the reference design the planner receives the change request itself.
        commands.push({
          topic: DEEP,
          message: create(ChangeRequestSchema, { id: requestId, ...change, attempt }),
        });
        break;
      case 'dispatchTasks':
        commands.push({
          topic: TASK,
          message: create(TaskBundleSchema, {
            planId: draft.planId ?? '',
            taskIds: draft.tasks.map((t) => t.id),
            attempt,
          }),
        });
        break;
      case 'requestBuild': {
        const commitSha = (action.round === 1 ? draft.headCommit : draft.testsCommit) ?? '';
        draft.build = { id: buildIdOf(draft, action.round), round: action.round, commitSha };
        commands.push({
          topic: BUILD_REQ,
          message: create(BuildRequestSchema, {
            requestId,
            buildId: draft.build.id,
            commitSha,
            repo: change.repo,
            branch: change.branch,
            round: action.round,
            attempt,
          }),
        });
        break;
      }
      case 'requestTestPlan':
        commands.push({
          topic: TPLAN_REQ,
          message: create(TestPlanRequestSchema, {
            requestId,
            commitSha: draft.build?.commitSha ?? '',
            repo: change.repo,
            branch: change.branch,
            description: change.description,
            attempt,
          }),
        });
        break;
      case 'requestTestGeneration':
        commands.push({
          topic: TGEN_REQ,
          message: create(TestGenRequestSchema, {
            requestId,
            specId: draft.specId ?? '',
            commitSha: draft.build?.commitSha ?? '',
            repo: change.repo,
            branch: change.branch,
            attempt,
          }),
        });
        break;
      case 'completeRequest':
        // `done` is recorded in the state topic; there is no downstream agent to command.
        break;
      case 'raiseRegression': {
        const detail = draft.failureDetail ?? action.reason ?? action.event;
        commands.push({
          topic: REG,
          message: create(RegressionTicketSchema, {
            id: `${requestId}/regression`,
            summary: `change request ${requestId} failed in stage ${action.failedStage}: ${detail}`,
            requestId,
            failedStage: action.failedStage,
            reason: action.reason ?? action.event,
          }),
        });
        break;
      }
    }
  }
  return commands;
}
