import type { OrchestratorInput, TopicMessage } from '@pipeline/topics';

/** A decoded message on one of the orchestrator's input topics. */
export type Inbound = { [T in OrchestratorInput]: { topic: T; message: TopicMessage<T> } }[OrchestratorInput];
