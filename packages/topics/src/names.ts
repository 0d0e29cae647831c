/**
 * Topic names. The first nine, and their constant names, are the reference design's and binding:
 * agents written against it read and write exactly these.
 */

/** Change requests submitted to the pipeline (users, CLI) → orchestrator. */
export const CRQ = 'change.request.in';
/** Orchestrator → planner: plan this change request (carries the ChangeRequest). */
export const DEEP = 'deepplan.in';
/** Planner → orchestrator: the plan. */
export const PLAN = 'plan.out';
/** Orchestrator → coder: the tasks to implement (TaskBundle). */
export const TASK = 'code.task.out';
/** Coder → orchestrator: one CommitResult per task. */
export const CRES = 'commit.result.out';
/** Builder → orchestrator: build results. */
export const BREPORT = 'build.report.out';
/** Test planner → orchestrator: the test spec. */
export const TSPEC = 'test.spec.out';
/** Test generator → orchestrator: the generated tests and their precheck. */
export const GTRES = 'generated.tests.out';
/** Orchestrator → whoever handles failures: one RegressionTicket per failed request. */
export const REG = 'regression.out';

// Added by this project (docs/protocol.md): commands that tell the builder and the test agents that
// it is their turn. The reference design had none, so those agents could only guess.

/** Orchestrator → builder: build this commit (BuildRequest). */
export const BUILD_REQ = 'build.request.in';
/** Orchestrator → test planner: plan tests for this commit (TestPlanRequest). */
export const TPLAN_REQ = 'test.plan.request.in';
/** Orchestrator → test generator: write the tests of this spec (TestGenRequest). */
export const TGEN_REQ = 'test.gen.request.in';

// Added for long-running agents (docs/protocol.md, "Progress and cancellation").

/** Any agent → orchestrator: a sign of life while it works on a command (AgentProgress). */
export const PROGRESS = 'agent.progress.out';
/** Orchestrator → any agent: stop working on this request's command (AgentCancel). */
export const CANCEL = 'agent.cancel.in';

// The orchestrator's own topics.

/** Operators (CLI) → orchestrator: cancel, retry… a request (ControlCommand). */
export const CONTROL = 'orchestrator.control.in';

/** Messages the orchestrator could not use, with the reason in headers; original bytes kept. */
export const DLQ = 'orchestrator.dlq';
/** Compacted: the latest state of every change request, keyed by request id. */
export const STATE = 'orchestrator.state';
/**
 * Compacted: which requests each alias (`task:<id>`, `commit:<sha>`, …) belongs to, on the partition
 * of the ALIAS (not of the request), keyed by alias and request id. The owner of that partition
 * correlates keyless replies naming the alias: no instance needs the aliases of partitions it does
 * not own (the foreign-key pattern of Kafka Streams).
 */
export const ALIAS = 'orchestrator.alias';

/** The reference design's nine topics, by their constant names. */
export const SEED_TOPICS = { CRQ, DEEP, PLAN, TASK, CRES, BREPORT, TSPEC, GTRES, REG } as const;

/** Topics that carry one protobuf message type each. */
export const MESSAGE_TOPICS = [
  CRQ,
  DEEP,
  PLAN,
  TASK,
  CRES,
  BREPORT,
  TSPEC,
  GTRES,
  REG,
  BUILD_REQ,
  TPLAN_REQ,
  TGEN_REQ,
  PROGRESS,
  CANCEL,
  CONTROL,
] as const;
export type MessageTopic = (typeof MESSAGE_TOPICS)[number];

export const ALL_TOPICS = [...MESSAGE_TOPICS, DLQ, STATE, ALIAS] as const;
export type Topic = (typeof ALL_TOPICS)[number];
