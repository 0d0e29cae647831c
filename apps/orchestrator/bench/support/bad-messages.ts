import { randomBytes } from 'node:crypto';
import { create, toBinary } from '@bufbuild/protobuf';
import {
  AgentProgressSchema,
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  ControlCommandSchema,
  type DeadLetterReason,
  GeneratedTestsSchema,
  PlanSchema,
  STATUS,
  TestSpecSchema,
} from '@pipeline/contracts';
import { encodeRecord, type OutboundRecord } from '@pipeline/kafka';
import {
  BREPORT,
  CONTROL,
  CRES,
  CRQ,
  GTRES,
  ORCHESTRATOR_INPUTS,
  type OrchestratorInput,
  PLAN,
  PROGRESS,
  TSPEC,
} from '@pipeline/topics';

// The messages of the poison flood's bad records (bad-records.ts), per topic: each breaks a rule the
// orchestrator checks at the door, or can never apply to the request it names.

/** Near the broker's default max.message.bytes (1,048,588): the value fits on the topic, its letter not. */
export const NEAR_LIMIT = 1_040_000;

/** A bad record as made, before it is marked: what its dead letter may say, and an id it names that no request has. */
export interface Made {
  record: OutboundRecord;
  expect: readonly DeadLetterReason[];
  unknownId?: string;
}

const sha = (text: string) => Buffer.from(text).toString('hex').padEnd(40, '0').slice(0, 40);
/** Field 1 with wire type 7 (there is none): no protobuf decoder reads past the first byte. */
export const garbage = (length: number) => Buffer.concat([Buffer.from([0x0f]), randomBytes(length - 1)]);
export const bytes = <T extends Parameters<typeof toBinary>[0]>(
  schema: T,
  init: Parameters<typeof create<T>>[1],
) => Buffer.from(toBinary(schema, create(schema, init)));
/** An id in bytes that are not UTF-8 (finding 15): the dead letter must keep them as they came. */
export const notUtf8 = (id: string) => Buffer.concat([Buffer.from([0xff, 0xfe, 0xfd]), Buffer.from(id)]);
export const REPLIES = ORCHESTRATOR_INPUTS.filter((t) => t !== CRQ);
const STALE: readonly DeadLetterReason[] = ['not_accepted_in_stage', 'final_stage'];

/** A well-formed message of the topic's own type, for request `id` (its ids derived from it). */
export function own(topic: OrchestratorInput, id: string, key?: string): OutboundRecord {
  const opts = key === undefined ? {} : { key };
  switch (topic) {
    case CRQ:
      return encodeRecord(CRQ, create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main' }), opts);
    case PLAN:
      return encodeRecord(
        PLAN,
        create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] }),
        opts,
      );
    case CRES:
      return encodeRecord(
        CRES,
        create(CommitResultSchema, { taskId: `${id}/t1`, commitSha: sha(id), status: STATUS.success }),
        opts,
      );
    case BREPORT:
      return encodeRecord(
        BREPORT,
        create(BuildReportSchema, { commitSha: sha(id), status: STATUS.passed, buildId: `${id}/build1` }),
        opts,
      );
    case TSPEC:
      return encodeRecord(
        TSPEC,
        create(TestSpecSchema, { id: `${id}/spec`, parentCommitSha: sha(id) }),
        opts,
      );
    case GTRES:
      return encodeRecord(
        GTRES,
        create(GeneratedTestsSchema, { specId: `${id}/spec`, commitSha: sha(id), precheck: STATUS.passed }),
        opts,
      );
    case PROGRESS:
      return encodeRecord(
        PROGRESS,
        create(AgentProgressSchema, { requestId: id, note: 'working', percent: 50 }),
        opts,
      );
    case CONTROL:
      return encodeRecord(
        CONTROL,
        create(ControlCommandSchema, {
          requestId: id,
          requestedBy: 'bench',
          action: { case: 'cancel', value: {} },
        }),
        opts,
      );
  }
}

/** Another input topic's message, as its agent would write it (its own x-message-type), put on `topic`. */
export function foreign(topic: OrchestratorInput, id: string, n: number, key?: string): OutboundRecord {
  const others = ORCHESTRATOR_INPUTS.filter((t) => t !== topic);
  return { ...own(others[n % others.length] as OrchestratorInput, id, key), topic };
}

export const raw = (
  topic: OrchestratorInput,
  value: Buffer | null,
  key?: Buffer | string,
): OutboundRecord => ({
  topic,
  value,
  headers: {},
  ...(key === undefined ? {} : { key }),
});

/** Bytes of another type without a header whose fields, read as this topic's type, break a rule. */
export function headerless(topic: OrchestratorInput, id: string, live: string): Made {
  switch (topic) {
    case CRQ: // a Plan without tasks reads as a ChangeRequest without repo
      return {
        record: raw(CRQ, bytes(PlanSchema, { id, parentRequestId: 'someone' })),
        expect: ['invalid'],
        unknownId: id,
      };
    case PLAN: // finding 3: a ChangeRequest keyed by a live request reads as its Plan (another parent)
      return {
        record: raw(
          PLAN,
          bytes(ChangeRequestSchema, { id: live, requester: 'intruder', repo: 'demo' }),
          live,
        ),
        expect: ['invalid'],
      };
    case CRES: // a ChangeRequest reads as a CommitResult with status "MAYBE"
    case GTRES:
      return {
        record: raw(
          topic,
          bytes(ChangeRequestSchema, { id: `${live}/x`, requester: 'c0ffee', repo: 'MAYBE' }),
          live,
        ),
        expect: ['invalid'],
      };
    case BREPORT: // a Plan reads as a BuildReport with status "MAYBE"
      return {
        record: raw(BREPORT, bytes(PlanSchema, { id: 'c0ffee', parentRequestId: 'MAYBE' }), live),
        expect: ['invalid'],
      };
    case TSPEC: // a Plan reads as a TestSpec for a commit the request never built
      return {
        record: raw(TSPEC, bytes(PlanSchema, { id: `${live}/spec-x`, parentRequestId: sha(id) }), live),
        expect: ['stale_test_spec', ...STALE],
      };
    case PROGRESS: // a ChangeRequest reads as progress for the live request, its requester as the stage
      return {
        record: raw(
          PROGRESS,
          bytes(ChangeRequestSchema, { id: live, requester: 'intruder', repo: 'demo' }),
          live,
        ),
        expect: ['invalid'],
      };
    case CONTROL: // a ChangeRequest without branch reads as a ControlCommand for the live request with no action
      return {
        record: raw(
          CONTROL,
          bytes(ChangeRequestSchema, { id: live, requester: 'intruder', repo: 'demo' }),
          live,
        ),
        expect: ['invalid'],
      };
  }
}

/** The topic's own type, a required field missing (or, for a TestSpec, which has none, nothing to correlate). */
export function missingFields(topic: OrchestratorInput, id: string): Made {
  const k = { key: id };
  const record = (() => {
    switch (topic) {
      case CRQ:
        return encodeRecord(
          CRQ,
          create(ChangeRequestSchema, { id, branch: 'main', description: 'no repo' }),
          k,
        );
      case PLAN:
        return encodeRecord(
          PLAN,
          create(PlanSchema, { id: `${id}/plan`, parentRequestId: `other-${id}` }),
          k,
        );
      case CRES:
        return encodeRecord(
          CRES,
          create(CommitResultSchema, { commitSha: sha(id), status: STATUS.success }),
          k,
        );
      case BREPORT:
        return encodeRecord(
          BREPORT,
          create(BuildReportSchema, { commitSha: sha(id), buildId: `${id}/b` }),
          k,
        );
      case TSPEC:
        return encodeRecord(TSPEC, create(TestSpecSchema, { id: `${id}/spec` }));
      case GTRES:
        return encodeRecord(
          GTRES,
          create(GeneratedTestsSchema, { specId: `${id}/spec`, commitSha: sha(id) }),
          k,
        );
      case PROGRESS:
        return encodeRecord(PROGRESS, create(AgentProgressSchema, { note: 'no request id' }), k);
      case CONTROL:
        return encodeRecord(
          CONTROL,
          create(ControlCommandSchema, { action: { case: 'cancel', value: {} } }),
          k,
        );
    }
  })();
  return { record, expect: topic === TSPEC ? ['uncorrelated'] : ['invalid'], unknownId: id };
}

/**
 * A reply that can never apply to the live request it is keyed by, or a second ChangeRequest for it.
 * None for plan.out (a Plan keyed by a request in plan_phase applies), agent.progress.out
 * (progress for a stage the request has left is ignored, not dead-lettered) nor
 * orchestrator.control.in (a cancel of a live request applies).
 */
export function stale(
  topic: Exclude<OrchestratorInput, typeof PLAN | typeof PROGRESS | typeof CONTROL>,
  live: string,
): Made {
  const k = { key: live };
  switch (topic) {
    case CRQ:
      return { record: own(CRQ, live, live), expect: ['duplicate_request'] };
    case CRES:
      return {
        record: encodeRecord(
          CRES,
          create(CommitResultSchema, {
            taskId: `${live}/bogus`,
            commitSha: sha(live),
            status: STATUS.success,
          }),
          k,
        ),
        expect: ['unknown_task', ...STALE],
      };
    case BREPORT:
      return {
        record: encodeRecord(
          BREPORT,
          create(BuildReportSchema, {
            commitSha: sha(live),
            status: STATUS.passed,
            buildId: `${live}/bogus`,
          }),
          k,
        ),
        expect: ['stale_build_report', ...STALE],
      };
    case TSPEC:
      return {
        record: encodeRecord(
          TSPEC,
          create(TestSpecSchema, { id: `${live}/bogus`, parentCommitSha: sha(`${live}/bogus`) }),
          k,
        ),
        expect: ['stale_test_spec', ...STALE],
      };
    case GTRES:
      return {
        record: encodeRecord(
          GTRES,
          create(GeneratedTestsSchema, { specId: `${live}/bogus`, precheck: STATUS.passed }),
          k,
        ),
        expect: ['unknown_spec', ...STALE],
      };
  }
}

/** A record over every limit: it fits on its topic, but its dead letter only as a truncated copy. */
export function oversized(topic: OrchestratorInput, id: string): Made {
  const k = { key: id };
  const record =
    topic === CRQ
      ? encodeRecord(
          CRQ,
          create(ChangeRequestSchema, { id, repo: 'demo', description: 'x'.repeat(NEAR_LIMIT) }),
          k,
        )
      : topic === PLAN
        ? encodeRecord(
            PLAN,
            create(PlanSchema, {
              parentRequestId: id,
              taskIds: Array.from({ length: NEAR_LIMIT / 26 }, (_, i) => `t-${String(i).padStart(22, '0')}`),
            }),
            k,
          )
        : raw(topic, garbage(NEAR_LIMIT), id);
  return { record, expect: ['too_large'], unknownId: id };
}
