import { createRegistry, type DescMessage } from '@bufbuild/protobuf';
import {
  AgentCancelSchema,
  AgentProgressSchema,
  ApproveActionSchema,
  BudgetSchema,
  BuildReportSchema,
  BuildRequestSchema,
  CancelActionSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  ControlCommandSchema,
  DeepPlanSchema,
  file_core_contracts,
  GeneratedTestsSchema,
  PhaseSchema,
  PlanSchema,
  RegressionTicketSchema,
  RejectActionSchema,
  RetryActionSchema,
  TaskBundleSchema,
  TestGenRequestSchema,
  TestPlanRequestSchema,
  TestSpecSchema,
  UsageSchema,
} from './gen/core_contracts_pb.js';

/** Every message of proto/core_contracts.proto, by full protobuf name (`core.ChangeRequest`, …). */
export const registry = createRegistry(file_core_contracts);

/**
 * The schemas by short name. `as const satisfies` keeps each entry's precise type, so code that
 * picks a schema from this map (the topic map in @pipeline/topics) is checked at compile time.
 */
export const schemas = {
  ChangeRequest: ChangeRequestSchema,
  Plan: PlanSchema,
  TaskBundle: TaskBundleSchema,
  CommitResult: CommitResultSchema,
  BuildReport: BuildReportSchema,
  TestSpec: TestSpecSchema,
  GeneratedTests: GeneratedTestsSchema,
  RegressionTicket: RegressionTicketSchema,
  DeepPlan: DeepPlanSchema,
  Phase: PhaseSchema,
  BuildRequest: BuildRequestSchema,
  TestPlanRequest: TestPlanRequestSchema,
  TestGenRequest: TestGenRequestSchema,
  Usage: UsageSchema,
  AgentProgress: AgentProgressSchema,
  AgentCancel: AgentCancelSchema,
  Budget: BudgetSchema,
  ControlCommand: ControlCommandSchema,
  CancelAction: CancelActionSchema,
  RetryAction: RetryActionSchema,
  ApproveAction: ApproveActionSchema,
  RejectAction: RejectActionSchema,
} as const satisfies Record<string, DescMessage>;

export type MessageName = keyof typeof schemas;

/** The messages of the reference design, whose wire form is frozen (see reference/seed). */
export const SEED_MESSAGE_NAMES = [
  'ChangeRequest',
  'Plan',
  'TaskBundle',
  'CommitResult',
  'BuildReport',
  'TestSpec',
  'GeneratedTests',
  'RegressionTicket',
  'DeepPlan',
  'Phase',
] as const satisfies readonly MessageName[];
