// Bad records of every kind for every input topic of the orchestrator, each marked with a header
// (x-chaos-bad) that its dead letter keeps, so the audit can find each exactly once.

import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import {
  AgentProgressSchema,
  BuildReportSchema,
  ChangeRequestSchema,
  CommitResultSchema,
  ControlCommandSchema,
  GeneratedTestsSchema,
  MAX_DESCRIPTION_BYTES,
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
import { BAD_MARK } from './audit.js';

/** A well-formed message of the topic's own type naming request `id`, which no request has. */
function ownMessage(topic: OrchestratorInput, id: string): OutboundRecord {
  switch (topic) {
    case CRQ:
      return encodeRecord(CRQ, create(ChangeRequestSchema, { id, repo: 'chaos/shop', branch: 'main' }));
    case PLAN:
      return encodeRecord(
        PLAN,
        create(PlanSchema, { id: `${id}/plan`, parentRequestId: id, taskIds: ['t1'] }),
      );
    case CRES:
      return encodeRecord(
        CRES,
        create(CommitResultSchema, { taskId: `${id}/t1`, commitSha: 'a'.repeat(40), status: STATUS.success }),
      );
    case BREPORT:
      return encodeRecord(
        BREPORT,
        create(BuildReportSchema, {
          commitSha: 'a'.repeat(40),
          status: STATUS.passed,
          buildId: `${id}/build1`,
        }),
      );
    case TSPEC:
      return encodeRecord(
        TSPEC,
        create(TestSpecSchema, { id: `${id}/spec`, parentCommitSha: 'a'.repeat(40) }),
      );
    case GTRES:
      return encodeRecord(
        GTRES,
        create(GeneratedTestsSchema, { specId: `${id}/spec`, precheck: STATUS.passed }),
      );
    case PROGRESS:
      return encodeRecord(
        PROGRESS,
        create(AgentProgressSchema, { requestId: id, note: 'chaos', percent: 5 }),
      );
    case CONTROL:
      return encodeRecord(
        CONTROL,
        create(ControlCommandSchema, {
          requestId: id,
          requestedBy: 'chaos',
          action: { case: 'cancel', value: {} },
        }),
      );
  }
}

/** One kind of bad record: the key, value and headers, given a topic and a fresh id no request has. */
type Kind = (topic: OrchestratorInput, id: string) => Omit<OutboundRecord, 'topic'>;

/** Field 1 with wire type 7 (there is none): no protobuf decoder reads past the first byte. */
const garbage = (length: number) => Buffer.concat([Buffer.from([0x0f]), randomBytes(length - 1)]);

/**
 * The kinds, by name: undecodable (keyed and keyless), of another type than the topic's, empty,
 * with a key that is not UTF-8, naming no request (or, for a ChangeRequest, keyed by another id), and
 * over a size limit.
 */
export const POISON_KINDS: Record<string, Kind> = {
  garbage: (_topic, id) => ({ key: id, value: garbage(64), headers: {} }),
  keylessGarbage: () => ({ value: garbage(48), headers: {} }),
  wrongType: (topic, id) => ({ ...(topic === CRQ ? ownMessage(PLAN, id) : ownMessage(CRQ, id)), key: id }),
  empty: (_topic, id) => ({ key: id, value: Buffer.alloc(0), headers: {} }),
  notUtf8Key: (topic, id) => ({
    ...ownMessage(topic, id),
    key: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(id)]),
  }),
  unknownRequest: (topic, id) => ({ ...ownMessage(topic, id), key: topic === CRQ ? `${id}-other` : id }),
  tooLarge: (topic, id) =>
    topic === CRQ
      ? {
          ...encodeRecord(
            CRQ,
            create(ChangeRequestSchema, {
              id,
              repo: 'chaos/shop',
              branch: 'main',
              description: 'x'.repeat(MAX_DESCRIPTION_BYTES + 1),
            }),
          ),
          key: id,
        }
      : { ...ownMessage(topic, id), key: 'k'.repeat(2048) },
};

/**
 * `count` bad records spread over every kind and every input topic, each marked; the marks are the
 * set the audit expects on the dead-letter topic exactly once.
 */
export function poisonRecords(count: number, tag: string): { records: OutboundRecord[]; marks: Set<string> } {
  const kinds = Object.entries(POISON_KINDS);
  const records: OutboundRecord[] = [];
  const marks = new Set<string>();
  for (let i = 0; i < count; i++) {
    const [kindName, make] = kinds[i % kinds.length] as [string, Kind];
    const topic = ORCHESTRATOR_INPUTS[
      Math.floor(i / kinds.length) % ORCHESTRATOR_INPUTS.length
    ] as OrchestratorInput;
    const mark = `${tag}-${i}-${kindName}-${topic}`;
    const record = make(topic, `bad-${tag}-${i}`);
    records.push({ ...record, topic, headers: { ...record.headers, [BAD_MARK]: mark } });
    marks.add(mark);
  }
  return { records, marks };
}
