import type { AgentRole } from '@pipeline/topics';
import type { CommandOf } from './types.js';

/**
 * The orchestrator stage a command belongs to (the stage names of @pipeline/state-machine): what
 * AgentProgress.stage and AgentCancel.stage name. The builder serves two stages, told apart by the
 * BuildRequest's round.
 */
export function stageOfCommand<R extends AgentRole>(role: R, command: CommandOf<R>): string {
  switch (role) {
    case 'planner':
      return 'plan_phase';
    case 'coder':
      return 'code_phase';
    case 'builder':
      return (command as CommandOf<'builder'>).round === 2 ? 'build2' : 'build1';
    case 'test-planner':
      return 'test_plan';
    case 'test-generator':
      return 'test_build';
    default:
      throw new Error(`no stage for role ${String(role)}`);
  }
}
