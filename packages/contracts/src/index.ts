export { create, fromJson, type MessageInitShape, type MessageShape, toJson } from '@bufbuild/protobuf';
export { decode, encode, schemaByTypeName } from './codec.js';
export { DecodeError, PipelineError, UnknownMessageTypeError } from './errors.js';
export * from './gen/core_contracts_pb.js';
export { type MessageName, registry, SEED_MESSAGE_NAMES, schemas } from './registry.js';
