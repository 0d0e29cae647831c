export { describeTopics, type TopicDescription } from './describe-topics.js';
export {
  assertPartitionsMatch,
  type ProvisionOptions,
  type ProvisionResult,
  provisionTopics,
} from './provision-topics.js';
