// The request a command belongs to. The orchestrator keys every command by its request id; a command
// without a key (written by some other tool) is read from its payload, as each role's message allows.

import type { AgentRole } from '@pipeline/topics';
import type { CommandOf } from './types.js';

const PLAN_SUFFIX = '/plan';

const FROM_PAYLOAD: { readonly [R in AgentRole]: (command: CommandOf<R>) => string } = {
  // The ChangeRequest's own id.
  planner: (command) => command.id,
  // The plan id is `<request id>/plan`.
  coder: (command) =>
    command.planId.endsWith(PLAN_SUFFIX) ? command.planId.slice(0, -PLAN_SUFFIX.length) : '',
  builder: (command) => command.requestId,
  'test-planner': (command) => command.requestId,
  'test-generator': (command) => command.requestId,
};

/** The record's key when it has one, otherwise the request id in the payload; undefined when neither says. */
export function requestIdOf<R extends AgentRole>(
  role: R,
  key: string | undefined,
  command: CommandOf<R>,
): string | undefined {
  if (key) return key;
  return (FROM_PAYLOAD[role] as (command: CommandOf<R>) => string)(command) || undefined;
}
