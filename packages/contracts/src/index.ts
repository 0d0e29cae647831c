export { create, fromJson, type MessageInitShape, type MessageShape, toJson } from '@bufbuild/protobuf';
export { decode, encode, schemaByTypeName } from './codec.js';
export { DecodeError, UnknownMessageTypeError } from './errors.js';
export * from './gen/core_contracts_pb.js';
export * from './gen/state_record_pb.js';
export {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  isPassed,
  isSuccess,
  REGRESSION_REASONS,
  REJECT_REASONS,
  type RegressionReason,
  type RejectReason,
  STATUS,
} from './protocol.js';
export { type MessageName, registry, SEED_MESSAGE_NAMES, schemas } from './registry.js';
export {
  type FieldRule,
  MAX_DESCRIPTION_BYTES,
  MAX_FIELD_BYTES,
  MAX_LIST_ITEMS,
  MESSAGE_RULES,
  type RuleViolation,
  ruleViolation,
} from './rules.js';
export {
  isJsonStateValue,
  type ReadStateValue,
  readStateValue,
  STATE_RECORD_VERSION,
  STATE_RECORD_VERSIONS,
  type StateRecordVersion,
  type StateSummary,
} from './state-value.js';
