// Agents of another kind than the stub agents: they answer every command at once and put NO key on
// their replies (as an agent written against the seed's sketch, or in another language, may), so the
// orchestrator must correlate each reply by the ids in its payload. Requests of a collision group get
// the same commit sha from the coder, as two changes that end on the same commit do; a reply that can
// only be told apart by that sha names two requests. Those replies carry the bad-record mark: the
// orchestrator must dead-letter them (ambiguous), once each.

import { createHash } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import {
  BuildReportSchema,
  CommitResultSchema,
  GeneratedTestsSchema,
  PlanSchema,
  STATUS,
  TestSpecSchema,
} from '@pipeline/contracts';
import {
  type Consumer,
  createConsumer,
  createProducer,
  decodeTopicMessage,
  encodeRecord,
  type KafkaClient,
  type OutboundRecord,
  type Producer,
} from '@pipeline/kafka';
import {
  BREPORT,
  BUILD_REQ,
  CRES,
  DEEP,
  GTRES,
  PLAN,
  TASK,
  TGEN_REQ,
  type TopicNames,
  TPLAN_REQ,
  TSPEC,
} from '@pipeline/topics';
import { BAD_MARK, COMMAND_TOPICS } from './audit.js';

const sha = (...parts: string[]) => createHash('sha1').update(parts.join('\n')).digest('hex');

export interface KeylessAgents {
  /** Marks of the replies sent that name more than one request (expected on the DLQ once each). */
  readonly ambiguous: Set<string>;
  stop(): Promise<void>;
}

/**
 * Starts the keyless agents. `collisionGroupOf(id)` names the group of a request whose coder commit
 * is shared with the others of its group, or undefined.
 */
export async function startKeylessAgents(
  client: KafkaClient,
  names: TopicNames,
  collisionGroupOf: (requestId: string) => string | undefined,
  groupSize: number,
): Promise<KeylessAgents> {
  const producer: Producer = createProducer(client, { names, retry: { retries: 20 } });
  await producer.connect();
  const ambiguous = new Set<string>();
  /** Test specs of a collision group, held until every member asked: then each names them all. */
  const heldSpecs = new Map<string, OutboundRecord[]>();
  const commitOf = (requestId: string, taskId: string) => {
    const group = collisionGroupOf(requestId);
    return group === undefined ? sha(requestId, taskId) : sha('collision', group);
  };
  const consumer: Consumer = createConsumer(client, {
    groupId: `${names.physical(DEEP)}.keyless-agents`,
    topics: [...COMMAND_TOPICS],
    names,
    fromBeginning: true,
    maxWaitTimeMs: 50,
  });
  await consumer.run(async (batch) => {
    const replies: OutboundRecord[] = [];
    for (const record of batch.records) {
      const requestId = record.key?.toString('utf8') ?? '';
      if (record.value) replies.push(...answer(record.topic, record.value, requestId));
      batch.resolve(record.offset);
    }
    await producer.sendRecords(replies);
  });

  /** The keyless replies to one command. */
  function answer(topic: string, value: Buffer, requestId: string): OutboundRecord[] {
    switch (topic) {
      case DEEP: {
        const taskIds = [`${requestId}/task-1`];
        return [
          encodeRecord(
            PLAN,
            create(PlanSchema, { id: `${requestId}/plan`, parentRequestId: requestId, taskIds }),
          ),
        ];
      }
      case TASK: {
        const bundle = decodeTopicMessage(TASK, value);
        return bundle.taskIds.map((taskId) =>
          encodeRecord(
            CRES,
            create(CommitResultSchema, {
              taskId,
              commitSha: commitOf(requestId, taskId),
              status: STATUS.success,
            }),
          ),
        );
      }
      case BUILD_REQ: {
        const build = decodeTopicMessage(BUILD_REQ, value);
        return [
          encodeRecord(
            BREPORT,
            create(BuildReportSchema, {
              commitSha: build.commitSha,
              buildId: build.buildId,
              status: STATUS.passed,
            }),
          ),
        ];
      }
      case TPLAN_REQ: {
        // Told apart only by the commit it is about: ambiguous for a collision group.
        const asked = decodeTopicMessage(TPLAN_REQ, value);
        const spec = encodeRecord(
          TSPEC,
          create(TestSpecSchema, { id: `${requestId}/spec`, parentCommitSha: asked.commitSha }),
        );
        const group = collisionGroupOf(requestId);
        if (group === undefined) return [spec];
        const mark = `ambiguous-${requestId}`;
        ambiguous.add(mark);
        const held = [
          ...(heldSpecs.get(group) ?? []),
          { ...spec, headers: { ...spec.headers, [BAD_MARK]: mark } },
        ];
        heldSpecs.set(group, held);
        return held.length === groupSize ? held : [];
      }
      case TGEN_REQ: {
        const asked = decodeTopicMessage(TGEN_REQ, value);
        return [
          encodeRecord(
            GTRES,
            create(GeneratedTestsSchema, {
              specId: asked.specId,
              commitSha: sha(requestId, asked.specId, 'tests'),
              precheck: STATUS.passed,
            }),
          ),
        ];
      }
      default:
        return [];
    }
  }

  return {
    ambiguous,
    async stop() {
      await consumer.close().catch(() => {});
      await producer.disconnect().catch(() => {});
    },
  };
}
