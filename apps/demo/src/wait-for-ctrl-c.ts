import type { ServiceProcess } from '@pipeline/cli-kit';
import type { DemoContext } from './context.js';

/**
 * Interactive end of a run: everything keeps running until Ctrl-C (exit 0). A service that stops
 * on its own ends the wait too (exit 1). Ctrl-C reaches the children as well (same terminal), so a
 * child that exits counts as "on its own" only if no signal arrived shortly after.
 */
export async function waitForCtrlC(ctx: DemoContext, services: readonly ServiceProcess[]): Promise<number> {
  ctx.write('\nPress Ctrl-C to stop.\n');
  const { signal } = ctx;
  const ended = await new Promise<'signal' | ServiceProcess>((resolve) => {
    if (signal.aborted) return resolve('signal');
    signal.addEventListener('abort', () => resolve('signal'), { once: true });
    for (const s of services) void s.exited.then(() => setTimeout(() => resolve(s), 500));
  });
  if (ended === 'signal' || signal.aborted) return 0;
  ctx.write(`\nthe ${ended.name} stopped on its own; stopping everything (log ${ctx.rel(ended.logFile)}).\n`);
  return 1;
}
