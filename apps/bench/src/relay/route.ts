// What a relay sends on for one input message: the same hops the orchestrator makes for a request
// that goes right through, decided from that message alone (no state, no machine). It is the floor
// the orchestrator is measured against: what the Kafka round trips cost without its bookkeeping.

import { create } from '@bufbuild/protobuf';
import {
  BuildRequestSchema,
  ChangeRequestSchema,
  TaskBundleSchema,
  TestGenRequestSchema,
  TestPlanRequestSchema,
} from '@pipeline/contracts';
import {
  BREPORT,
  BUILD_REQ,
  CRES,
  CRQ,
  DEEP,
  GTRES,
  type MessageTopic,
  PLAN,
  TASK,
  TGEN_REQ,
  type TopicMessage,
  TPLAN_REQ,
  TSPEC,
} from '@pipeline/topics';

/** The topics a relay reads: the change requests and the agents' replies. */
export const RELAY_INPUTS = [CRQ, PLAN, CRES, BREPORT, TSPEC, GTRES] as const;
export type RelayInput = (typeof RELAY_INPUTS)[number];

/** A command to send on, keyed by the request id like the orchestrator's. */
export type RelayCommand = {
  [T in MessageTopic]: { topic: T; message: TopicMessage<T> };
}[MessageTopic];

/** The relay's decision: commands to send, or the request is through (its last build passed). */
export type RelayStep = { commands: RelayCommand[]; done: boolean };

export interface RouteOptions {
  /** Tasks per plan: the coder's result for the last task starts the build (the stub planner's count). */
  tasks: number;
}

const NOTHING: RelayStep = { commands: [], done: false };
const send = (command: RelayCommand): RelayStep => ({ commands: [command], done: false });

/** The build id of round 1 or 2; the round of a build report is read back from it. */
export function relayBuildId(requestId: string, round: 1 | 2): string {
  return `${requestId}/build-${round}`;
}

/**
 * The next hop for one message of request `requestId` (the record's key). Only the happy path: a
 * failed status ends nothing and sends nothing, which the benchmark (failure rate 0) never sees.
 */
export function route<T extends RelayInput>(
  topic: T,
  message: TopicMessage<T>,
  requestId: string,
  options: RouteOptions,
): RelayStep {
  const m = message as TopicMessage<RelayInput>;
  switch (topic) {
    case CRQ:
      return send({
        topic: DEEP,
        message: create(ChangeRequestSchema, { ...(m as TopicMessage<typeof CRQ>) }),
      });
    case PLAN: {
      const plan = m as TopicMessage<typeof PLAN>;
      return send({
        topic: TASK,
        message: create(TaskBundleSchema, { planId: plan.id, taskIds: plan.taskIds }),
      });
    }
    case CRES: {
      const result = m as TopicMessage<typeof CRES>;
      if (result.taskId !== `${requestId}/task-${options.tasks}`) return NOTHING;
      return send(buildRequest(requestId, 1, result.commitSha));
    }
    case BREPORT: {
      const report = m as TopicMessage<typeof BREPORT>;
      if (report.buildId === relayBuildId(requestId, 2)) return { commands: [], done: true };
      if (report.buildId !== relayBuildId(requestId, 1)) return NOTHING;
      return send({
        topic: TPLAN_REQ,
        message: create(TestPlanRequestSchema, { requestId, commitSha: report.commitSha }),
      });
    }
    case TSPEC: {
      const spec = m as TopicMessage<typeof TSPEC>;
      return send({
        topic: TGEN_REQ,
        message: create(TestGenRequestSchema, {
          requestId,
          specId: spec.id,
          commitSha: spec.parentCommitSha,
        }),
      });
    }
    case GTRES: {
      const tests = m as TopicMessage<typeof GTRES>;
      return send(buildRequest(requestId, 2, tests.commitSha));
    }
  }
  return NOTHING;
}

function buildRequest(requestId: string, round: 1 | 2, commitSha: string): RelayCommand {
  return {
    topic: BUILD_REQ,
    message: create(BuildRequestSchema, {
      requestId,
      buildId: relayBuildId(requestId, round),
      commitSha,
      round,
    }),
  };
}
