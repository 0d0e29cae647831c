import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { pollUntil } from '@pipeline/common';
import { ChangeRequestSchema } from '@pipeline/contracts';
import {
  type Compression,
  createProducer,
  encodeRecord,
  type OutboundRecord,
  type Producer,
} from '@pipeline/kafka';
import { fetchRequestList } from '@pipeline/orchestrator-api';
import { CRQ, ORCHESTRATOR_OUTPUTS } from '@pipeline/topics';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectExactlyOnce } from '../test/support/audit.js';
import { type ChildOrchestrator, getRequest, TestPipeline } from '../test/support/pipeline.js';
import { ScriptedAgents } from '../test/support/responder.js';
import { type Bad, type BadContext, layout, makeBad, NEAR_LIMIT } from './support/bad-records.js';
import { describeErrors, errorLines, residentMiB } from './support/child.js';
import {
  checkDeadLetters,
  type DeadLetterReport,
  lettered,
  remember,
  type SentBad,
} from './support/dead-letter-check.js';
import { metricSamples, metrics, percentile, probe, summary } from './support/http.js';

// Issue 10, "Done when": 10,000 bad records of every kind on every input topic, with 200 valid
// requests in flight: the orchestrator (the real service, a child process) never exits, /healthz
// always answers, every valid request finishes as planned, and every bad record is in the DLQ exactly
// once with a reason; none starts a request. Figures are printed; correctness is asserted.
const BAD = Number(process.env.BENCH_BAD ?? 10_000);
const VALID = Number(process.env.BENCH_VALID ?? 200);
const PARTITIONS = Number(process.env.BENCH_PARTITIONS ?? 4);
/** ~1 MB each: a few dozen make the point without filling the broker's disk. */
const BIG = Number(process.env.BENCH_OVERSIZED ?? Math.max(6, Math.round(BAD / 250)));
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS ?? 20 * 60_000);
/** The valid requests go out in waves between the bad records, so they are in flight all through. */
const WAVES = Math.max(1, Math.min(10, VALID));
/** Each chunk of bad records goes out through the next producer: every codec a client may use. */
const CODECS: Compression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

const run = Date.now().toString(36);
const pipeline = new TestPipeline(PARTITIONS);
// Agents that think a while, so that valid requests stay in flight while the flood goes through.
const agents = new ScriptedAgents(pipeline, () => ({}), 200);
const logDir = mkdtempSync(join(tmpdir(), 'orch-poison-bench-'));
const producers: Producer[] = [];
const validIds = Array.from({ length: VALID }, (_, i) => `ok-${run}-${i}`);
let orch: ChildOrchestrator;
let exited: number | null | undefined;

beforeAll(async () => {
  await pipeline.startAudit();
  orch = await pipeline.spawn({ LOG_LEVEL: 'info' }, join(logDir, 'orchestrator.log'));
  void orch.exited.then((code) => {
    exited = code;
  });
  await orch.ready();
  await agents.start();
  for (const compression of CODECS) {
    const producer = createProducer(pipeline.client, { names: pipeline.names, compression });
    await producer.connect();
    producers.push(producer);
  }
}, 180_000);

afterAll(async () => {
  await agents.stop();
  await Promise.all(producers.map((p) => p.disconnect()));
  await orch?.kill('SIGTERM');
  await pipeline.close();
  console.log(`[bench] orchestrator log: ${logDir}/orchestrator.log`);
}, 120_000);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

function changeRequest(id: string): OutboundRecord {
  const message = create(ChangeRequestSchema, { id, repo: 'demo', branch: 'main', description: 'valid' });
  return encodeRecord(CRQ, message, { key: id });
}

async function allKnown(ids: readonly string[]): Promise<boolean> {
  return (await Promise.all(ids.map((id) => getRequest(orch.url, id)))).every((r) => r.status === 200);
}

/** Sends the wave's bad records: small ones in chunks, each through the next codec; big ones alone. */
async function sendBad(bad: readonly Bad[], chunk: { next: number }): Promise<void> {
  const isBig = (b: Bad) => (b.record.value?.length ?? 0) >= NEAR_LIMIT / 2;
  const small = bad.filter((b) => !isBig(b)).map((b) => b.record);
  for (let i = 0; i < small.length; i += 250) {
    const producer = producers[chunk.next++ % producers.length] as Producer;
    await producer.sendRecords(small.slice(i, i + 250));
  }
  // One partition's batch may not exceed max.message.bytes: one big record per request.
  for (const b of bad.filter(isBig)) await pipeline.sendRecords([b.record]);
}

/** The valid requests in waves, each followed by its share of the bad records; what was sent, kept. */
async function sendFlood(): Promise<{ sent: Map<number, SentBad>; unknownIds: Set<string> }> {
  const live: string[] = [];
  const ctx: BadContext = {
    run,
    partitions: PARTITIONS,
    liveId: () => live[Math.floor(Math.random() * live.length)] as string,
  };
  const cells = layout(BAD, BIG);
  const sent = new Map<number, SentBad>();
  const unknownIds = new Set<string>();
  const chunk = { next: 0 };
  for (let w = 0; w < WAVES; w++) {
    const ids = validIds.slice(Math.floor((w * VALID) / WAVES), Math.floor(((w + 1) * VALID) / WAVES));
    await pipeline.sendRecords(ids.map(changeRequest));
    // Records keyed by a live request only once the orchestrator knows it: a reply read before its
    // request (another topic, read on its own) is rightly an unknown_request.
    await pollUntil(() => allKnown(ids), { timeoutMs: TIMEOUT_MS, intervalMs: 100, what: `wave ${w} known` });
    live.push(...ids);
    const wave: Bad[] = [];
    for (let n = Math.floor((w * BAD) / WAVES); n < Math.floor(((w + 1) * BAD) / WAVES); n++) {
      const bad = makeBad(n, cells[n] as (typeof cells)[number], ctx);
      wave.push(bad);
      sent.set(n, remember(bad));
      if (bad.unknownId) unknownIds.add(bad.unknownId);
    }
    await sendBad(wave, chunk);
  }
  return { sent, unknownIds };
}

/** Until every valid request is final and every bad record has a dead letter, or the time is up. */
async function awaitOutcome(sent: Map<number, SentBad>, started: number) {
  const finals = new Map<string, { stage: string; ms: number }>();
  let letters = 0;
  let lastReport = 0;
  await pollUntil(
    async () => {
      if (exited !== undefined) throw new Error(`the orchestrator exited with ${exited}`);
      for (const id of validIds.filter((v) => !finals.has(v)).slice(0, 50)) {
        const { status, body } = await getRequest(orch.url, id);
        if (status !== 200 || body.final !== true) continue;
        const history = body.history as Array<{ at: string }>;
        const ms = Date.parse(history.at(-1)?.at ?? '') - Date.parse(String(body.createdAt));
        finals.set(id, { stage: String(body.stage), ms });
      }
      letters = lettered(sent, pipeline.deadLetters(), run);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        console.log(
          `[bench] ${seconds(lastReport - started)}: ${finals.size}/${VALID} final, ${letters}/${BAD} dead letters`,
        );
      }
      return finals.size === VALID && letters === sent.size;
    },
    { timeoutMs: TIMEOUT_MS, intervalMs: 500, what: 'the valid requests final and the flood dead-lettered' },
  ).catch((error: unknown) => console.log(`[bench] ${String(error)}`));
  return finals;
}

/** What the orchestrator holds and wrote for ids other than the valid ones. */
async function strangers(unknownIds: Set<string>) {
  const text = await metrics(orch.url);
  // Every request it knows, finished or not (orch_requests_in_flight counts only unfinished ones).
  const held = await countRequests(orch.url);
  const valid = new Set(validIds);
  const outputs = ORCHESTRATOR_OUTPUTS as readonly string[];
  const commands = pipeline.seen.filter((s) => outputs.includes(s.topic) && !valid.has(s.key ?? ''));
  const known: string[] = [];
  const unknown = [...unknownIds];
  for (let i = 0; i < unknown.length; i += 16) {
    const batch = unknown.slice(i, i + 16);
    const answers = await Promise.all(batch.map((id) => getRequest(orch.url, id)));
    for (const [j, id] of batch.entries()) if (answers[j]?.status !== 404) known.push(id);
  }
  const failed = metricSamples(text, 'orch_transaction_failures_total');
  const failures = [...failed].map(([labels, n]) => `${labels} ${n}`).join(', ') || '0';
  return { held, commands, known, asked: unknown.length, failures };
}

/** How many requests GET /requests lists, every page followed. */
async function countRequests(url: string): Promise<number> {
  let count = 0;
  let cursor: string | undefined;
  do {
    const page = await fetchRequestList(url, { limit: 500, ...(cursor ? { cursor } : {}) });
    count += page.items.length;
    cursor = page.next;
  } while (cursor);
  return count;
}

function reasonLines(report: DeadLetterReport): string[] {
  return [...report.reasons]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, reasons]) => `[bench]     ${kind}: ${[...reasons].map(([r, c]) => `${r} ${c}`).join(', ')}`);
}

it(
  `dead-letters ${BAD} bad records exactly once while ${VALID} valid requests finish`,
  async () => {
    const health = probe(`${orch.url}/healthz`, 100);
    const started = performance.now();
    const { sent, unknownIds } = await sendFlood();
    const produced = performance.now();
    const finals = await awaitOutcome(sent, started);
    const processed = performance.now();
    // A little longer, so that a dead letter written twice would be seen: until every input is read.
    const lag = async () => [...metricSamples(await metrics(orch.url), 'orch_consumer_lag').values()];
    await pollUntil(async () => (await lag()).every((v) => v === 0), {
      timeoutMs: 60_000,
      what: 'no lag',
    }).catch(() => console.log('[bench] the consumer lag did not reach 0'));
    await new Promise((r) => setTimeout(r, 3000));
    const probes = await health.stop();
    const report = checkDeadLetters(sent, pipeline.deadLetters(), run);
    const other = await strangers(unknownIds);
    const failedProbes = probes.filter((p) => !p.ok).length;
    const notDone = validIds.filter((id) => finals.get(id)?.stage !== 'done');
    const doneMs = [...finals.values()].map((f) => f.ms).sort((a, b) => a - b);
    const alive = exited === undefined && orch.child.exitCode === null;

    console.log(
      [
        `[bench] poison flood: ${BAD} bad records (${BIG} of ~1 MB) on ${PARTITIONS} partitions, ${VALID} valid requests`,
        `[bench]   sent in ${seconds(produced - started)}; all final and dead-lettered after ${seconds(processed - started)} (${(BAD / ((processed - started) / 1000)).toFixed(0)} bad records/s)`,
        `[bench]   valid: ${VALID - notDone.length}/${VALID} done, submit to done p50 ${seconds(percentile(doneMs, 50))}, max ${seconds(percentile(doneMs, 100))}`,
        `${summary(
          '  /healthz every 100 ms',
          probes.map((p) => p.ms),
        )}, failed or over 1 s: ${failedProbes}`,
        `[bench]   orchestrator alive: ${alive}; requests held ${other.held}; commands for other ids ${other.commands.length}; bad ids known ${other.known.length}/${other.asked}`,
        `[bench]   dead letters: ${pipeline.deadLetters().length} (${report.truncated} truncated); missing ${report.missing.length}, duplicated ${report.duplicated.length}, unmarked ${report.unmarked.length}, no reason ${report.withoutReason.length}, unexpected reason ${report.unexpected.length}, bytes changed ${report.changed.length}${[...report.changedByKind].map(([k, c]) => ` (${k}: ${c.letters}, ${c.forwarded} of them forwarded)`).join('')}`,
        `[bench]   orchestrator RSS peak ${residentMiB(orch.child.pid)?.peak.toFixed(0) ?? '?'} MiB; failed transactions ${other.failures}; ERROR log lines: ${describeErrors(errorLines(join(logDir, 'orchestrator.log')))}`,
        ...reasonLines(report),
      ].join('\n'),
    );
    const sample = (list: readonly unknown[]) => list.slice(0, 10);
    const describe = (n: number) => `#${n} ${sent.get(n)?.kind} on ${sent.get(n)?.topic}`;
    expect.soft(alive, 'the orchestrator is alive').toBe(true);
    expect.soft(failedProbes, '/healthz failed or took over 1 s').toBe(0);
    expect.soft(sample(notDone.map((id) => `${id}: ${finals.get(id)?.stage}`)), 'not done').toEqual([]);
    expect.soft(other.held, 'requests the orchestrator holds').toBe(VALID);
    expect.soft(sample(other.commands.map((s) => `${s.topic} ${s.key}`)), 'commands for others').toEqual([]);
    expect.soft(sample(other.known), 'bad ids the orchestrator knows').toEqual([]);
    expect.soft(sample(report.missing.map(describe)), 'bad records not dead-lettered').toEqual([]);
    expect.soft(sample(report.duplicated.map(describe)), 'bad records dead-lettered twice').toEqual([]);
    const unmarked = report.unmarked.map(
      (s) => `${s.key} ${s.headers['x-dlq-reason']}: ${s.headers['x-dlq-error']}`,
    );
    expect.soft(sample(unmarked), 'dead letters of valid records').toEqual([]);
    expect.soft(sample(report.withoutReason.map(describe)), 'dead letters without a reason').toEqual([]);
    expect.soft(sample(report.unexpected), 'dead letters with an unexpected reason').toEqual([]);
    expect.soft(sample(report.changed), 'dead letters that changed the bytes').toEqual([]);
    expectExactlyOnce(pipeline, new Map(validIds.map((id) => [id, finals.get(id)?.stage ?? ''])));
  },
  TIMEOUT_MS + 300_000,
);
