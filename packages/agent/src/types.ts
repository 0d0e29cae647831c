import type { AGENT_ROLES, AgentRole, TopicMessage } from '@pipeline/topics';

/** The command a role reads (e.g. a BuildRequest for the builder). */
export type CommandOf<R extends AgentRole> = TopicMessage<(typeof AGENT_ROLES)[R]['reads']>;
/** The message a role answers with (e.g. a BuildReport for the builder). */
export type ReplyOf<R extends AgentRole> = TopicMessage<(typeof AGENT_ROLES)[R]['answers']>;
/** The command topic of role R (logical name). */
export type CommandTopicOf<R extends AgentRole> = (typeof AGENT_ROLES)[R]['reads'];

/**
 * What a handler returns: one reply, several (a coder answering per task), or none (the command
 * stays unanswered: the orchestrator's deadline decides).
 */
export type HandlerResult<R extends AgentRole> = ReplyOf<R> | readonly ReplyOf<R>[] | undefined;
