// The benchmark's client: submits change requests and notes when each one ends, read from the state
// topic (read_committed) of the system under test. The same for the orchestrator and the relays.

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { create } from '@bufbuild/protobuf';
import { type Logger, pollUntil } from '@pipeline/common';
import { ChangeRequestSchema } from '@pipeline/contracts';
import {
  type Consumer,
  createConsumer,
  createProducer,
  encodeRecord,
  type KafkaClient,
  type Producer,
} from '@pipeline/kafka';
import { CRQ, STATE, type TopicNames } from '@pipeline/topics';
import { type Ended, endedStage } from './ended.js';

export interface Outcome {
  ended: Ended;
  /** From just before the submit to when the benchmark read the final record, ms. */
  latencyMs: number;
}

export class Driver {
  private readonly submitted = new Map<string, number>();
  private readonly outcomes = new Map<string, Outcome>();
  private readonly consumer: Consumer;
  private readonly producer: Producer;

  constructor(
    client: KafkaClient,
    names: TopicNames,
    private readonly logger: Logger,
  ) {
    this.producer = createProducer(client, { names, logger });
    this.consumer = createConsumer(client, {
      groupId: `bench-driver-${randomUUID()}`,
      topics: [STATE],
      names,
      fromBeginning: true,
      maxWaitTimeMs: 100,
      logger,
    });
  }

  async start(): Promise<void> {
    await this.producer.connect();
    await this.consumer.run(async (batch) => {
      const now = performance.now();
      for (const record of batch.records) {
        const id = record.key?.toString('utf8');
        const ended = endedStage(record.value);
        const at = id === undefined ? undefined : this.submitted.get(id);
        if (ended && at !== undefined && id !== undefined && !this.outcomes.has(id))
          this.outcomes.set(id, { ended, latencyMs: now - at });
        batch.resolve(record.offset);
      }
    });
  }

  /** Submits these requests in one send (a burst); their clocks start now. */
  async submit(ids: readonly string[]): Promise<void> {
    const now = performance.now();
    for (const id of ids) this.submitted.set(id, now);
    const records = ids.map((id) =>
      encodeRecord(
        CRQ,
        create(ChangeRequestSchema, {
          id,
          requester: 'bench',
          repo: 'bench/repo',
          branch: 'main',
          description: 'a benchmark request',
        }),
        { key: id },
      ),
    );
    await this.producer.sendRecords(records);
  }

  /** Waits until every one of `ids` ended; their outcomes. */
  async ended(ids: readonly string[], timeoutMs: number, what: string): Promise<Outcome[]> {
    let seen = -1;
    await pollUntil(
      () => {
        const count = ids.filter((id) => this.outcomes.has(id)).length;
        if (count !== seen && count > 0 && count < ids.length && count % 250 === 0)
          this.logger.debug({ count, of: ids.length }, `${what}: ended so far`);
        seen = count;
        return count === ids.length;
      },
      { timeoutMs, intervalMs: 2, what: `${what}: every request ended` },
    );
    return ids.map((id) => this.outcomes.get(id) as Outcome);
  }

  async stop(): Promise<void> {
    await this.consumer.close();
    await this.producer.disconnect();
  }
}
