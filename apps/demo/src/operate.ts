// The operator's part of the demo, once the requests are final: one redrive (a request that failed
// its first build is retried and finishes, with no new plan or code) and one cancel (a request that
// waits at an approval gate is cancelled). Both go through orchestrator.control.in, like `pipeline
// retry` and `pipeline cancel`.

import { ChangeRequestSchema, ControlCommandSchema, create } from '@pipeline/contracts';
import { createProducer, encodeRecord, type OutboundRecord } from '@pipeline/kafka';
import { fetchRequest, orchestratorToken, type RequestView } from '@pipeline/orchestrator-api';
import { CONTROL, CRQ } from '@pipeline/topics';
import type { DemoContext } from './context.js';
import type { DemoOperations, DemoOutcome } from './outcomes.js';
import type { DemoKafka } from './provision-topics.js';

const WAIT_MS = 60_000;

export async function operate(
  ctx: DemoContext,
  kafka: DemoKafka,
  options: { orchestratorUrl: string; outcomes: readonly DemoOutcome[]; runTag: string },
): Promise<DemoOperations> {
  const token = orchestratorToken(undefined, ctx.env);
  const view = (id: string) => fetchRequest(options.orchestratorUrl, id, { token });
  const until = async (id: string, ok: (v: RequestView) => boolean): Promise<RequestView | undefined> => {
    const started = Date.now();
    for (;;) {
      const v = await view(id);
      if (v && ok(v)) return v;
      if (Date.now() - started > WAIT_MS) return v;
      await ctx.sleep(200);
    }
  };
  const producer = createProducer(kafka.client, { names: kafka.names });
  await producer.connect();
  const send = (record: OutboundRecord) => producer.sendRecords([record]);
  const control = (requestId: string, action: 'retry' | 'cancel', reason: string) =>
    send(
      encodeRecord(
        CONTROL,
        create(ControlCommandSchema, {
          requestId,
          requestedBy: 'pipeline-demo',
          reason,
          action: action === 'retry' ? { case: 'retry', value: {} } : { case: 'cancel', value: {} },
        }),
        { key: requestId },
      ),
    );
  try {
    const result: DemoOperations = { cancel: { id: `${options.runTag}-wait-then-cancel`, ok: false } };
    // Redrive: the stub builder fails a marked request on its first attempt only, as a flaky build would.
    const failedBuild = options.outcomes.find(
      (o) => o.actual.failedStage === 'build1' && o.actual.reason === 'build_failed',
    );
    if (failedBuild) {
      await control(failedBuild.id, 'retry', 'the build failure was flaky');
      const after = await until(failedBuild.id, (v) => v.stage === 'done');
      const ok = after?.stage === 'done';
      result.redrive = { id: failedBuild.id, ok, ...(after ? { attempt: after.attempt } : {}) };
      ctx.step(
        'retry',
        ok
          ? `${failedBuild.id}: regressed at build1, retried: done at attempt ${after?.attempt}, on the plan and code of attempt 1`
          : `${failedBuild.id}: retried, but it is ${after?.stage ?? 'unknown'} after ${WAIT_MS / 1000} s`,
      );
    }
    // Cancel: a request that waits for an approval before coding, cancelled while it waits.
    const { id } = result.cancel;
    const change = {
      id,
      repo: 'demo/shop',
      branch: 'main',
      description: 'demo change, cancelled',
      requester: 'pipeline-demo',
    };
    await send(
      encodeRecord(CRQ, create(ChangeRequestSchema, { ...change, approvalStages: ['code_phase'] }), {
        key: id,
      }),
    );
    const waiting = await until(id, (v) => v.awaitingApproval !== undefined);
    if (waiting?.awaitingApproval) await control(id, 'cancel', 'not needed after all');
    const cancelled = await until(id, (v) => v.final);
    result.cancel.ok = cancelled?.failure?.reason === 'cancelled';
    ctx.step(
      'cancel',
      result.cancel.ok
        ? `${id}: waited for an approval of ${waiting?.awaitingApproval?.stage}, cancelled: regress (cancelled)`
        : `${id}: expected a cancelled request, it is ${cancelled?.stage ?? 'unknown'}`,
    );
    return result;
  } finally {
    await producer.disconnect().catch(() => {});
  }
}
