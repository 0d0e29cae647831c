import type { AgentRole } from '@pipeline/topics';
import * as builder from './builder.js';
import * as coder from './coder.js';
import * as planner from './planner.js';
import * as testGenerator from './test-generator.js';
import * as testPlanner from './test-planner.js';
import type { CommandOf, ReplyOf, Rng } from './types.js';

export type { PlannerOptions } from './planner.js';
export * from './types.js';

/** What the runner hands to every role's `decide` (each role reads the part it needs). */
export interface RoleOptions {
  failureRate: number;
  /** Tasks per plan (planner only). */
  tasks: number;
}

/** One role's logic: pure, no I/O. */
export interface RoleLogic<R extends AgentRole> {
  /** The replies to one command; none when the role stays silent. */
  decide(command: CommandOf<R>, requestId: string, options: RoleOptions, rng: Rng): ReplyOf<R>[];
}

/** Every role's logic, by role name. A new role is one file in this folder and one line here. */
export const ROLES: { readonly [R in AgentRole]: RoleLogic<R> } = {
  planner,
  coder,
  builder,
  'test-planner': testPlanner,
  'test-generator': testGenerator,
};
