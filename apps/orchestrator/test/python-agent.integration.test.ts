// Issue 12: a role served by an agent written in Python from docs/protocol.md alone
// (python/examples/builder_agent.py: confluent-kafka, pipeline_contracts, lz4 on its producer), end to
// end against the real orchestrator. The other roles are the scripted agents; the builder is only
// the Python process.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema } from '@pipeline/contracts';
import { HEADERS } from '@pipeline/kafka';
import { ensurePythonEnv, preparePythonEnv } from '@pipeline/testkit';
import { BREPORT, BUILD_REQ, CRQ, DLQ, ORCHESTRATOR_OUTPUTS, REG } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRequest, type InProcessOrchestrator, TestPipeline, waitFor } from './support/pipeline.js';
import { ScriptedAgents } from './support/responder.js';

const repo = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const pipeline = new TestPipeline(4);
// Every role but the builder: the Python agent answers every build.
const agents = new ScriptedAgents(pipeline, () => ({ silent: 'builder' }));
let orch: InProcessOrchestrator;
let python: ChildProcess;
let output = '';
const tag = Date.now().toString(36);

beforeAll(async () => {
  await preparePythonEnv();
  await pipeline.startAudit([...ORCHESTRATOR_OUTPUTS, DLQ, BREPORT]);
  orch = await pipeline.startInProcess();
  await agents.start();
  python = spawn(await ensurePythonEnv(), [repo('python/examples/builder_agent.py')], {
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP: pipeline.env().KAFKA_BOOTSTRAP,
      PIPELINE_TOPIC_PREFIX: pipeline.prefix,
      PYTHONPATH: repo('python/pipeline_contracts/src'),
      // A build fails when its request says so, like a broken commit would; a slow one takes 2.5 s.
      BUILD_COMMAND: 'case "$BUILD_REQUEST_ID" in *fail-build1*) exit 1;; *slow*) sleep 2.5;; esac',
      AGENT_PROGRESS_SECONDS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  python.stdout?.on('data', (d) => {
    output += d;
  });
  python.stderr?.on('data', (d) => {
    output += d;
  });
  await waitFor(
    () => output.includes('"agent running"') || python.exitCode !== null,
    120_000,
    'the Python agent',
  );
  if (python.exitCode !== null) throw new Error(`the Python agent exited ${python.exitCode}: ${output}`);
}, 300_000);

afterAll(async () => {
  if (python && python.exitCode === null) {
    const exited = new Promise((resolve) => python.once('exit', resolve));
    python.kill('SIGTERM');
    await exited;
  }
  await agents.stop();
  await orch?.stop();
  await pipeline.close();
}, 120_000);

async function finish(id: string): Promise<Record<string, unknown>> {
  await pipeline.send(
    CRQ,
    create(ChangeRequestSchema, {
      id,
      requester: 'py',
      repo: 'demo',
      branch: 'main',
      description: 'python builds it',
    }),
    { key: id },
  );
  let body: Record<string, unknown> = {};
  await waitFor(
    async () => {
      const res = await getRequest(orch.url, id);
      body = res.body;
      return res.status === 200 && body.final === true;
    },
    120_000,
    `${id} to finish (python agent output: ${output.slice(-2000)})`,
  );
  return body;
}

describe('a builder written in Python (python/examples/builder_agent.py)', () => {
  it('builds both rounds of a request that reaches done, replies keyed, with headers, on the right partition', async () => {
    const id = `py-ok-${tag}`;
    const view = await finish(id);
    expect(view.stage).toBe('done');
    const reports = pipeline.on(BREPORT, id);
    expect(reports).toHaveLength(2);
    const commands = pipeline.on(BUILD_REQ, id);
    for (const [i, report] of reports.entries()) {
      expect(report.headers[HEADERS.requestId]).toBe(id);
      expect(report.headers[HEADERS.messageType]).toBe('core.BuildReport');
      // A child span of the build command's trace.
      const trace = String(commands[i]?.headers[HEADERS.traceparent]).split('-')[1];
      expect(String(report.headers[HEADERS.traceparent]).split('-')[1]).toBe(trace);
    }
    // murmur2_random, the Java client's partitioner: no reply needed a forwarding hop.
    const metrics = await (await fetch(`${orch.url}/metrics`)).text();
    expect(metrics).toMatch(/^orch_forwarded_total 0$/m);
    expect(pipeline.deadLetters(id)).toEqual([]);
  });

  it('reports progress while a build runs: shown on the request, for build1 and build2', async () => {
    const id = `py-slow-${tag}`;
    const view = (await finish(id)) as {
      stage: string;
      history: Array<{ stage: string; progress?: { count: number; note?: string } }>;
    };
    expect(view.stage).toBe('done');
    for (const stage of ['build1', 'build2']) {
      const entry = view.history.find((h) => h.stage === stage);
      expect(entry?.progress?.count, stage).toBeGreaterThanOrEqual(1);
      expect(entry?.progress?.note).toMatch(/^building .+: \d+ s$/);
    }
    expect(pipeline.deadLetters(id)).toEqual([]);
  });

  it('a failed build regresses the request at build1 with build_failed', async () => {
    const id = `py-fail-build1-${tag}`;
    const view = await finish(id);
    expect(view.stage).toBe('regress');
    expect(view.failure).toMatchObject({ stage: 'build1', reason: 'build_failed' });
    await waitFor(() => pipeline.on(REG, id).length === 1, 30_000, 'the ticket');
    // The agent logs a command once its reply is delivered and its offset committed: the orchestrator
    // may have regressed the request before that line reaches us.
    await waitFor(() => output.includes(`"requestId": "${id}"`), 30_000, "the Python agent's log line");
  });
});
