import { readFileSync } from 'node:fs';
import { freePort } from '@pipeline/common';
import { schemas } from '@pipeline/contracts';
import {
  createConsumer,
  createKafkaClient,
  createProducer,
  decodeRecord,
  HEADERS,
  type OutboundRecord,
  provisionTopics,
  readHeaders,
} from '@pipeline/kafka';
import { kafkaBootstrap, testBrokerConfig, uniqueName } from '@pipeline/testkit';
import { ALL_TOPICS, CRQ, STATE, TopicNames, type TopicSpec } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBuiltCli } from './support/cli-process.js';

// The built CLI as a user runs it, against the broker of the test run: its topics under a prefix of
// its own, so nothing else on the broker is touched.
describe('pipeline (built) against a real broker', () => {
  const prefix = `${uniqueName('cli')}.`;
  let env: NodeJS.ProcessEnv;

  beforeAll(() => {
    env = { KAFKA_BOOTSTRAP: kafkaBootstrap(), PIPELINE_TOPIC_PREFIX: prefix };
  });

  it('topics: all missing at first (exit 1), --create makes them, then all there (exit 0)', async () => {
    const before = await runBuiltCli(['topics'], env);
    expect(before.code, before.stderr).toBe(1);
    expect(before.stdout).toMatch(new RegExp(`${prefix.replaceAll('.', '\\.')}change\\.request\\.in +NO`));
    const n = ALL_TOPICS.length;
    expect(before.stderr).toContain(`${n} of ${n} topics missing: \`pipeline topics --create\` creates them`);

    const create = await runBuiltCli(['topics', '--create', '--partitions', '3'], env);
    expect(create.code, create.stderr).toBe(0);
    expect(create.stdout).toMatch(new RegExp(`^created ${n} topics: `));
    // Issue 10, finding 9: the test broker is a single one, so the topics get one replica, said loudly.
    expect(create.stderr).toMatch(/not replicated.*the cluster has one broker/);
    expect(create.stdout).toMatch(
      new RegExp(`${prefix.replaceAll('.', '\\.')}orchestrator\\.state +yes +3 +compact +compacted`),
    );
    expect(create.stdout).toMatch(
      new RegExp(`${prefix.replaceAll('.', '\\.')}plan\\.out +yes +3 +delete +7d`),
    );

    const again = await runBuiltCli(['topics', '--create', '--partitions', '4'], env);
    expect(again.code).toBe(1);
    expect(again.stdout).toContain(`created 0 topics; ${n} already existed`);
    expect(again.stderr).toContain(`${n} existing topic(s) have another partition count than 4`);
  });

  describe('submit', () => {
    const consumer = createConsumer(createKafkaClient(testBrokerConfig('cli-test-reader')), {
      groupId: uniqueName('cli-reader'),
      topics: [CRQ],
      names: TopicNames.prefixed(prefix),
      fromBeginning: true,
    });

    afterAll(async () => {
      await consumer.close();
    });

    it('prints the id and writes the ChangeRequest, keyed by it, with the standard headers', async () => {
      const given = uniqueName('cr-cli');
      const plain = await runBuiltCli(
        [
          'submit',
          '--repo',
          'acme/shop',
          '--branch',
          'main',
          '--description',
          'add a badge',
          '--requester',
          'ann',
          '--id',
          given,
        ],
        env,
      );
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toBe(`${given}\n`);

      const failing = await runBuiltCli(
        ['submit', '--repo', 'acme/shop', '--branch', 'dev', '--description', 'break it', '--fail', 'build2'],
        { ...env, USER: 'bob' },
      );
      expect(failing.code, failing.stderr).toBe(0);
      const generated = failing.stdout.trim();
      expect(generated).toMatch(/^cr-[0-9a-f-]{36}-fail-build2$/);

      const seen = new Map<string, { key: string; headers: Record<string, string>; message: unknown }>();
      await consumer.run(async (batch) => {
        for (const record of batch.records) {
          const decoded = decodeRecord(CRQ, record.value);
          if (!decoded.ok) throw decoded.error;
          const key = record.key?.toString() ?? '';
          seen.set(key, { key, headers: readHeaders(record.headers), message: decoded.message });
          batch.resolve(record.offset);
        }
      });
      await expect.poll(() => seen.size, { timeout: 30_000, interval: 100 }).toBe(2);

      const first = seen.get(given);
      expect(first?.message).toMatchObject({
        $typeName: schemas.ChangeRequest.typeName,
        id: given,
        repo: 'acme/shop',
        branch: 'main',
        description: 'add a badge',
        requester: 'ann',
      });
      expect(first?.headers[HEADERS.messageType]).toBe('core.ChangeRequest');
      expect(first?.headers[HEADERS.requestId]).toBe(given);
      expect(Number(first?.headers[HEADERS.producedAt])).toBeGreaterThan(Date.now() - 120_000);
      expect(first?.headers[HEADERS.traceparent]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
      expect(seen.get(generated)?.message).toMatchObject({ id: generated, branch: 'dev', requester: 'bob' });
    });
  });

  it('status: an orchestrator that does not answer gives the friendly message, exit 1, no stack', async () => {
    const url = `http://127.0.0.1:${await freePort('127.0.0.1')}`;
    const run = await runBuiltCli(['status', 'cr-1', '--url', url], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      new RegExp(
        `^pipeline: cannot reach the orchestrator at ${url.replaceAll('.', '\\.')}: is it running\\?`,
      ),
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const viaEnv = await runBuiltCli(['watch', 'cr-1'], { ...env, ORCH_URL: url });
    expect(viaEnv.code).toBe(1);
    expect(viaEnv.stderr).toContain(`cannot reach the orchestrator at ${url}: is it running?`);
  });

  it('an unreachable broker gives the friendly message quickly, exit 1, no stack', async () => {
    const unreachable = { KAFKA_BOOTSTRAP: '127.0.0.1:1', PIPELINE_TOPIC_PREFIX: prefix };
    for (const args of [['submit', '--repo', 'r', '--branch', 'b', '--description', 'd'], ['topics']]) {
      const run = await runBuiltCli(args, unreachable);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toBe(
        'pipeline: cannot reach Kafka at 127.0.0.1:1: is it running? `pnpm kafka:up` starts one\n',
      );
      expect(run.ms).toBeLessThan(10_000);
    }
  });

  it('submit to a prefix whose topics do not exist says so, exit 1', async () => {
    const other = `${uniqueName('cli-none')}.`;
    const run = await runBuiltCli(['submit', '--repo', 'r', '--branch', 'b', '--description', 'd'], {
      ...env,
      PIPELINE_TOPIC_PREFIX: other,
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      `pipeline: topic ${other}change.request.in does not exist on ${env.KAFKA_BOOTSTRAP}`,
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('no KAFKA_BOOTSTRAP: the configuration message, exit 2', async () => {
    const run = await runBuiltCli(['topics'], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('KAFKA_BOOTSTRAP is not set');
  });

  it('issue 10, finding 9: topics refuses what would lose state, saying the fix in its own flags', async () => {
    const other = `${uniqueName('cli-durable')}.`;
    const otherEnv = { ...env, PIPELINE_TOPIC_PREFIX: other };
    // More replicas than the single test broker holds: refused before any topic is created.
    const three = await runBuiltCli(['topics', '--create', '--replication-factor', '3'], otherEnv);
    expect(three.code, three.stderr).toBe(1);
    expect(three.stderr).toMatch(/--replication-factor 3 asks for 3 replicas .*1 broker/);
    expect(three.stderr).not.toContain('ORCH_');
    expect(three.stdout).toBe('');

    // A state topic that deletes by age: `topics` reports it, `topics --create` refuses.
    const client = createKafkaClient(testBrokerConfig('cli-test-durable'));
    const spec: TopicSpec = {
      name: STATE,
      partitions: 1,
      replicationFactor: 1,
      configs: { 'cleanup.policy': 'delete' },
    };
    await provisionTopics(client, [spec], { names: TopicNames.prefixed(other) });
    for (const args of [['topics'], ['topics', '--create', '--partitions', '1']]) {
      const run = await runBuiltCli(args, otherEnv);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain(`${other}orchestrator.state has cleanup.policy=delete`);
      expect(run.stderr).toContain('--add-config cleanup.policy=compact');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('issue 13: replay reads the state topic to its end and names the requests the machine cannot carry', async () => {
    const client = createKafkaClient(testBrokerConfig('cli-test-replay'));
    const names = TopicNames.prefixed(prefix);
    const producer = createProducer(client, { names });
    await producer.connect();
    try {
      const lines = readFileSync(new URL('./fixtures/state-in-flight.jsonl', import.meta.url), 'utf8')
        .split('\n')
        .filter((l) => l.startsWith('{"v":1'));
      const record = (line: string): OutboundRecord => ({
        topic: STATE,
        key: (JSON.parse(line) as { requestId: string }).requestId,
        value: Buffer.from(line),
        headers: {},
      });
      await producer.sendRecords(lines.map(record));
      const fine = await runBuiltCli(['replay'], env);
      expect(fine.code, fine.stderr).toBe(0);
      expect(fine.stdout).toMatch(/^8 requests, 6 in flight/);

      const stranded = lines[0]?.replace('"value":"plan_phase"', '"value":"review_phase"') ?? '';
      await producer.sendRecords([record(stranded)]);
      const refused = await runBuiltCli(['replay'], env);
      expect(refused.code, refused.stderr).toBe(1);
      expect(refused.stdout).toMatch(
        /cr-fixture-plan_phase \(review_phase\): .*unknown stage "review_phase"/,
      );
    } finally {
      await producer.disconnect();
    }
  });
});
