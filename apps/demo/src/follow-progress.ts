import type { ServiceProcess } from '@pipeline/cli-kit';
import type { PlannedRequest } from '@pipeline/failure-markers';
import { fetchRequest, orchestratorToken, type RequestView } from '@pipeline/orchestrator-api';
import type { DemoContext } from './context.js';
import { LiveRegion, type ProgressState, renderProgressFrame, renderProgressLine } from './progress.js';
import { assertRunning } from './start-services.js';

const POLL_MS = 250;
const POLL_CONCURRENCY = 16;
/** The orchestrator not answering for this long (while its process lives) ends the run. */
const UNREACHABLE_LIMIT_MS = 15_000;

export interface FollowOptions {
  orchestratorUrl: string;
  planned: readonly PlannedRequest[];
  submittedAt: number;
  timeoutMs: number;
  /** Redraw in place (a terminal) rather than a line per second. */
  tty: boolean;
  services: readonly ServiceProcess[];
}

/**
 * Polls every planned request until all are final or the timeout passes, showing the requests per
 * stage meanwhile. Resolves to the last view of each request and the time it took.
 */
export async function followProgress(
  ctx: DemoContext,
  options: FollowOptions,
): Promise<{ views: Map<string, RequestView>; elapsedMs: number }> {
  const { planned, submittedAt } = options;
  const views = new Map<string, RequestView>();
  const region = new LiveRegion(ctx.write);
  const state = (): ProgressState => ({
    total: planned.length,
    counts: countByStage(planned, views),
    elapsedMs: Date.now() - submittedAt,
  });
  const deadline = submittedAt + options.timeoutMs;
  let lastLine = 0;
  let unreachableSince: number | undefined;
  for (;;) {
    assertRunning(ctx, options.services);
    try {
      await pollOpen(options.orchestratorUrl, orchestratorToken(undefined, ctx.env), planned, views);
      unreachableSince = undefined;
    } catch (error) {
      ctx.checkAbort();
      assertRunning(ctx, options.services);
      unreachableSince ??= Date.now();
      if (Date.now() - unreachableSince > UNREACHABLE_LIMIT_MS) throw error;
    }
    if (planned.every((p) => views.get(p.id)?.final) || Date.now() >= deadline) break;
    if (options.tty) region.update(renderProgressFrame(state()));
    else if (Date.now() - lastLine >= 1000) {
      ctx.write(renderProgressLine(state()));
      lastLine = Date.now();
    }
    await ctx.sleep(POLL_MS);
  }
  const elapsedMs = Date.now() - submittedAt;
  if (options.tty) region.update(renderProgressFrame({ ...state(), elapsedMs }));
  else ctx.write(renderProgressLine({ ...state(), elapsedMs }));
  region.done();
  return { views, elapsedMs };
}

/** Fetches the requests that are not final yet, a few at a time; rejects with the first error. */
async function pollOpen(
  url: string,
  /** ORCH_HTTP_TOKEN: the orchestrator started by the demo inherits it, and wants it back. */
  token: string | undefined,
  planned: readonly PlannedRequest[],
  views: Map<string, RequestView>,
): Promise<void> {
  const open = planned.filter((p) => !views.get(p.id)?.final);
  let next = 0;
  const worker = async () => {
    while (next < open.length) {
      const p = open[next++] as PlannedRequest;
      const view = await fetchRequest(url, p.id, { token });
      if (view) views.set(p.id, view);
    }
  };
  await Promise.all(Array.from({ length: Math.min(POLL_CONCURRENCY, open.length) }, worker));
}

function countByStage(
  planned: readonly PlannedRequest[],
  views: Map<string, RequestView>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of planned) {
    const stage = views.get(p.id)?.stage ?? 'waiting';
    counts[stage] = (counts[stage] ?? 0) + 1;
  }
  return counts;
}
