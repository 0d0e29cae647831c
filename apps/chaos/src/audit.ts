// The independent audit: a read_committed consumer of every command topic, regression.out, the
// dead-letter topic and the state topic, as a downstream reader sees them. It shares no code with the
// orchestrator's decisions: it counts what was committed, per request, and reads the stage out of the
// state records' JSON. verify.ts judges what it saw against the plan.

import { randomBytes } from 'node:crypto';
import { create } from '@bufbuild/protobuf';
import { RegressionTicketSchema, readStateValue } from '@pipeline/contracts';
import {
  type Consumer,
  createConsumer,
  decodeTopicMessage,
  HEADERS,
  type KafkaClient,
  readHeaders,
} from '@pipeline/kafka';
import {
  BUILD_REQ,
  DEEP,
  DLQ,
  REG,
  STATE,
  TASK,
  TGEN_REQ,
  type Topic,
  type TopicNames,
  TPLAN_REQ,
} from '@pipeline/topics';

/** The orchestrator's command topics: one command per stage entered (build.request.in twice). */
export const COMMAND_TOPICS = [DEEP, TASK, BUILD_REQ, TPLAN_REQ, TGEN_REQ] as const;
export type CommandTopic = (typeof COMMAND_TOPICS)[number];

/** What the audit saw of one request. */
export interface RequestSeen {
  commands: Record<CommandTopic, number>;
  tickets: Array<{ failedStage: string; reason: string }>;
  /** The stage of the latest state record. */
  stage?: string;
  /** When the audit first saw a final stage (done/regress) for it, epoch ms. */
  finalAt?: number;
}

/** A record on the dead-letter topic, as far as the audit needs it. */
export interface DeadLetterSeen {
  key: string | undefined;
  reason: string;
  sourceTopic: string;
  /** The header a scenario puts on the bad records it sends (x-chaos-bad), when present. */
  badMark: string | undefined;
}

/** The header that marks a record a scenario sent as bad on purpose; dead letters keep headers. */
export const BAD_MARK = 'x-chaos-bad';

const emptyCommands = (): Record<CommandTopic, number> => ({
  [DEEP]: 0,
  [TASK]: 0,
  [BUILD_REQ]: 0,
  [TPLAN_REQ]: 0,
  [TGEN_REQ]: 0,
});

const FINAL = new Set(['done', 'regress']);

export class Audit {
  readonly requests = new Map<string, RequestSeen>();
  readonly deadLetters: DeadLetterSeen[] = [];
  /** State values the audit could not read as JSON with a stage (must stay 0). */
  unreadableStates = 0;
  /** Final stages in the order seen, with when: for latency and recovery figures. */
  readonly finals: Array<{ id: string; at: number }> = [];

  /** Records counted twice by the audit's own consumer (a rejoin re-reads from its last commit): skipped. */
  rereads = 0;
  /** The next offset to count, per topic-partition: the audit counts each record once, whatever it re-reads. */
  private readonly next = new Map<string, bigint>();

  private constructor(private readonly consumer: Consumer) {}

  /** Starts reading every audited topic from the beginning, in a group of its own. */
  static async start(client: KafkaClient, names: TopicNames): Promise<Audit> {
    const topics: Topic[] = [...COMMAND_TOPICS, REG, DLQ, STATE];
    const consumer = createConsumer(client, {
      groupId: `${names.physical(STATE)}.audit-${randomBytes(4).toString('hex')}`,
      topics,
      names,
      fromBeginning: true,
      maxWaitTimeMs: 100,
    });
    const audit = new Audit(consumer);
    await consumer
      .run(async (batch) => {
        for (const record of batch.records) {
          const where = `${record.topic}/${record.partition}`;
          const offset = BigInt(record.offset);
          if (offset < (audit.next.get(where) ?? 0n)) audit.rereads += 1;
          else {
            audit.next.set(where, offset + 1n);
            audit.take(record.topic, record.key, record.value, readHeaders(record.headers));
          }
          batch.resolve(record.offset);
        }
      })
      .catch(async (error: unknown) => {
        await consumer.close().catch(() => {});
        throw error;
      });
    return audit;
  }

  private request(id: string): RequestSeen {
    let seen = this.requests.get(id);
    if (!seen) {
      seen = { commands: emptyCommands(), tickets: [] };
      this.requests.set(id, seen);
    }
    return seen;
  }

  private take(
    topic: Topic,
    rawKey: Buffer | null,
    value: Buffer | null,
    headers: Record<string, string>,
  ): void {
    const key = rawKey?.toString('utf8');
    if (topic === DLQ) {
      this.deadLetters.push({
        key,
        reason: headers[HEADERS.dlqReason] ?? '(none)',
        sourceTopic: headers[HEADERS.dlqSourceTopic] ?? '(none)',
        badMark: headers[BAD_MARK],
      });
      return;
    }
    if (key === undefined) return;
    if (topic === STATE) {
      if (value === null || key.startsWith('__barrier__/')) return;
      const stage = stageOf(value);
      if (stage === undefined) {
        this.unreadableStates += 1;
        return;
      }
      const seen = this.request(key);
      seen.stage = stage;
      if (FINAL.has(stage) && seen.finalAt === undefined) {
        seen.finalAt = Date.now();
        this.finals.push({ id: key, at: seen.finalAt });
      }
      return;
    }
    if (topic === REG) {
      const ticket = value ? decodeTopicMessage(REG, value) : create(RegressionTicketSchema);
      this.request(key).tickets.push({ failedStage: ticket.failedStage, reason: ticket.reason });
      return;
    }
    if ((COMMAND_TOPICS as readonly Topic[]).includes(topic))
      this.request(key).commands[topic as CommandTopic] += 1;
  }

  /** How many of `ids` the state topic shows in a final stage. */
  finishedCount(ids: readonly string[]): number {
    return ids.filter((id) => this.requests.get(id)?.finalAt !== undefined).length;
  }

  /** The first final stage seen after `t` (epoch ms), or undefined. */
  firstFinalAfter(t: number): number | undefined {
    return this.finals.find((f) => f.at > t)?.at;
  }

  /** Waits until a final stage is seen after `t`; resolves to when, or undefined after `timeoutMs`. */
  async waitFinalAfter(t: number, timeoutMs: number): Promise<number | undefined> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.firstFinalAfter(t);
      if (at !== undefined || Date.now() > deadline) return at;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async close(): Promise<void> {
    await this.consumer.close();
  }
}

/** The stage a state record (either version) says, or undefined when it is not one. */
function stageOf(value: Buffer): string | undefined {
  const read = readStateValue(value);
  return read.ok ? read.summary.stage : undefined;
}
