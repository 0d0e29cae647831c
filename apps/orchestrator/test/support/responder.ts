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
  type OutboundRecord,
  type Producer,
  readHeaders,
} from '@pipeline/kafka';
import { uniqueName } from '@pipeline/testkit';
import { BUILD_REQ, DEEP, type MessageTopic, TASK, TGEN_REQ, TPLAN_REQ } from '@pipeline/topics';
import type { TestPipeline } from './pipeline.js';

/** How the scripted agents treat one request. */
export interface Script {
  tasks?: number;
  /** Where the agents report a failure. */
  failAt?: 'coder' | 'build1' | 'build2' | 'precheck';
  /** The build failure of `failAt` happens on the first attempt only (a flaky build, then a retry). */
  flaky?: boolean;
  /** Agents that never answer, to make a stage deadline expire (or to let another agent answer). */
  silent?: 'planner' | 'coder' | 'builder';
  /** Reply without a key, as agents built on the reference stubs do. */
  keyless?: boolean;
}

/**
 * Stand-in agents for the orchestrator's tests, written from the protocol (docs/protocol.md) and
 * not from the mock-agents app, so the two are independent readings of it. Answers every command
 * at once according to a per-request script.
 */
export class ScriptedAgents {
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  commandsSeen = 0;

  constructor(
    private readonly pipeline: TestPipeline,
    private readonly scriptOf: (requestId: string) => Script = () => ({}),
    /** Think time before answering a batch of commands, so that work stays in flight for a while. */
    private readonly thinkMs = 0,
  ) {}

  async start(): Promise<void> {
    const { client, names } = this.pipeline;
    const producer = createProducer(client, { names });
    await producer.connect();
    this.producer = producer;
    const topics: MessageTopic[] = [DEEP, TASK, BUILD_REQ, TPLAN_REQ, TGEN_REQ];
    const consumer = createConsumer(client, {
      groupId: uniqueName('agents'),
      topics,
      names,
      fromBeginning: true,
      maxWaitTimeMs: 100,
      concurrency: 4,
    });
    this.consumer = consumer;
    await consumer.run(async (batch) => {
      const topic = batch.topic as MessageTopic;
      const replies: OutboundRecord[] = [];
      for (const m of batch.records) {
        this.commandsSeen++;
        const requestId = m.key?.toString('utf8') ?? '';
        const headers = readHeaders(m.headers);
        const command = decodeTopicMessage(topic, m.value ?? Buffer.alloc(0));
        replies.push(...this.answer(topic, command, requestId, headers.traceparent));
      }
      if (replies.length > 0) {
        if (this.thinkMs > 0) await new Promise((r) => setTimeout(r, this.thinkMs * (0.5 + Math.random())));
        await this.producer?.sendRecords(replies);
      }
      for (const m of batch.records) batch.resolve(m.offset);
      await batch.commit();
    });
  }

  async stop(): Promise<void> {
    await Promise.all([this.consumer?.close(), this.producer?.disconnect()]);
  }

  private answer(
    topic: MessageTopic,
    command: unknown,
    requestId: string,
    traceparent?: string,
  ): OutboundRecord[] {
    const script = this.scriptOf(requestId);
    const key = script.keyless ? {} : { key: requestId };
    const opts = traceparent ? { ...key, traceparent } : key;
    switch (topic) {
      case DEEP: {
        if (script.silent === 'planner') return [];
        const taskIds = Array.from({ length: script.tasks ?? 2 }, (_, i) => `${requestId}/task-${i + 1}`);
        // A keyless seed planner still names the request in parent_request_id.
        return [
          encodeRecord(
            'plan.out',
            create(PlanSchema, { id: `${requestId}/plan`, parentRequestId: requestId, taskIds }),
            opts,
          ),
        ];
      }
      case TASK: {
        if (script.silent === 'coder') return [];
        const bundle = command as { taskIds: string[] };
        return bundle.taskIds.map((taskId, i) => {
          const failed = script.failAt === 'coder' && i === bundle.taskIds.length - 1;
          const message = create(CommitResultSchema, {
            taskId,
            commitSha: sha(taskId),
            status: failed ? STATUS.failed : STATUS.success,
          });
          return encodeRecord('commit.result.out', message, opts);
        });
      }
      case BUILD_REQ: {
        if (script.silent === 'builder') return [];
        const request = command as { commitSha: string; buildId: string; round: number; attempt: number };
        const failed =
          script.failAt === (request.round === 1 ? 'build1' : 'build2') &&
          !(script.flaky && request.attempt > 1);
        const report = create(BuildReportSchema, {
          commitSha: request.commitSha,
          status: failed ? STATUS.failed : STATUS.passed,
          // A seed builder does not know build ids; keyless replies stand for those.
          buildId: script.keyless ? '' : request.buildId,
        });
        return [encodeRecord('build.report.out', report, opts)];
      }
      case TPLAN_REQ: {
        const request = command as { commitSha: string };
        return [
          encodeRecord(
            'test.spec.out',
            create(TestSpecSchema, { id: `${requestId}/spec`, parentCommitSha: request.commitSha }),
            opts,
          ),
        ];
      }
      case TGEN_REQ: {
        const request = command as { specId: string };
        const precheck = script.failAt === 'precheck' ? STATUS.failed : STATUS.passed;
        const tests = create(GeneratedTestsSchema, {
          specId: request.specId,
          commitSha: sha(`${requestId}/tests`),
          precheck,
        });
        return [encodeRecord('generated.tests.out', tests, opts)];
      }
      default:
        return [];
    }
  }
}

function sha(text: string): string {
  return createHash('sha1').update(text).digest('hex');
}
