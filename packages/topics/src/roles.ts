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
 * Who reads and who writes each topic. The orchestrator never reads what it writes: the reference
 * design subscribed to its own `code.task.out` and so re-read its own commands.
 */
export const ORCHESTRATOR_INPUTS = [
  CRQ,
  PLAN,
  CRES,
  BREPORT,
  TSPEC,
  GTRES,
  PROGRESS,
  CONTROL,
] as const satisfies readonly MessageTopic[];
export const ORCHESTRATOR_OUTPUTS = [
  DEEP,
  TASK,
  BUILD_REQ,
  TPLAN_REQ,
  TGEN_REQ,
  REG,
  CANCEL,
] as const satisfies readonly MessageTopic[];

export type OrchestratorInput = (typeof ORCHESTRATOR_INPUTS)[number];
export type OrchestratorOutput = (typeof ORCHESTRATOR_OUTPUTS)[number];

/** Each agent role: the command topic it reads and the topic it answers on. */
export const AGENT_ROLES = {
  planner: { reads: DEEP, answers: PLAN },
  coder: { reads: TASK, answers: CRES },
  builder: { reads: BUILD_REQ, answers: BREPORT },
  'test-planner': { reads: TPLAN_REQ, answers: TSPEC },
  'test-generator': { reads: TGEN_REQ, answers: GTRES },
} as const satisfies Record<string, { reads: OrchestratorOutput; answers: OrchestratorInput }>;

export type AgentRole = keyof typeof AGENT_ROLES;
export const AGENT_ROLE_NAMES = Object.keys(AGENT_ROLES) as AgentRole[];
