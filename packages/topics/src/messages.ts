import type { DescMessage, MessageInitShape, MessageShape } from '@bufbuild/protobuf';
import { schemas } from '@pipeline/contracts';
import {
  BREPORT,
  BUILD_REQ,
  CANCEL,
  CONTROL,
  CRES,
  CRQ,
  DEEP,
  GTRES,
  type MessageTopic,
  PLAN,
  PROGRESS,
  REG,
  TASK,
  TGEN_REQ,
  TPLAN_REQ,
  TSPEC,
} from './names.js';

/**
 * Which message each topic carries. `satisfies Record<MessageTopic, …>` makes a missing topic a
 * compile error; `as const` keeps each schema's own type so that `TopicMessage<typeof PLAN>` is
 * exactly `Plan`, and handing a `ChangeRequest` to a `plan.out` producer does not compile.
 */
export const topicSchemas = {
  [CRQ]: schemas.ChangeRequest,
  // The reference forwards the ChangeRequest itself to the planner.
  [DEEP]: schemas.ChangeRequest,
  [PLAN]: schemas.Plan,
  [TASK]: schemas.TaskBundle,
  [CRES]: schemas.CommitResult,
  [BREPORT]: schemas.BuildReport,
  [TSPEC]: schemas.TestSpec,
  [GTRES]: schemas.GeneratedTests,
  [REG]: schemas.RegressionTicket,
  [BUILD_REQ]: schemas.BuildRequest,
  [TPLAN_REQ]: schemas.TestPlanRequest,
  [TGEN_REQ]: schemas.TestGenRequest,
  [PROGRESS]: schemas.AgentProgress,
  [CANCEL]: schemas.AgentCancel,
  [CONTROL]: schemas.ControlCommand,
} as const satisfies Record<MessageTopic, DescMessage>;

export type TopicSchema<T extends MessageTopic> = (typeof topicSchemas)[T];
/** The decoded message carried by topic T. */
export type TopicMessage<T extends MessageTopic> = MessageShape<TopicSchema<T>>;
/** What `create()` accepts to build the message of topic T. */
export type TopicMessageInit<T extends MessageTopic> = MessageInitShape<TopicSchema<T>>;

export function schemaOf<T extends MessageTopic>(topic: T): TopicSchema<T> {
  return topicSchemas[topic];
}

export function isMessageTopic(topic: string): topic is MessageTopic {
  return Object.hasOwn(topicSchemas, topic);
}
