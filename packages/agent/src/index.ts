// @pipeline/agent: write an agent as one function from a command to its reply (docs/agents.md).

export { type Cancel, CancelledError } from './cancel.js';
export { type CommandOutcome, createAgentMetrics } from './metrics.js';
export { type AgentOptions, type HandlerContext, optionProblems } from './options.js';
export type { ProgressUpdate } from './progress.js';
export { outcomeOf, type ReplyOutcome, repliesOf, replyRecords } from './replies.js';
export { requestIdOf } from './request-id.js';
export { type Agent, type AgentState, createAgent, runAgent } from './run-agent.js';
export { type ServeAgentOptions, serveAgent } from './serve-agent.js';
export { stageOfCommand } from './stage.js';
export type { CommandOf, CommandTopicOf, HandlerResult, ReplyOf } from './types.js';
