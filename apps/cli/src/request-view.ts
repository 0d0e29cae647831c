import { clockTime, columns, formatDuration } from './format.js';
import type { RequestView } from './orchestrator-client.js';

/** Milliseconds from the first to the last stage change: the request's end-to-end time so far. */
export function historySpanMs(view: Pick<RequestView, 'history'>): number | undefined {
  const first = view.history[0];
  const last = view.history.at(-1);
  if (!first || !last) return undefined;
  return Date.parse(last.at) - Date.parse(first.at);
}

/** `failed in build1: build_failed (build 1 of commit 3f2a… reported FAILED)` */
export function describeFailure(failure: NonNullable<RequestView['failure']>): string {
  return `failed in ${failure.stage}: ${failure.reason}${failure.detail ? ` (${failure.detail})` : ''}`;
}

/** The `pipeline status` text of a request. */
export function renderRequest(view: RequestView): string {
  const lines: string[] = [];
  lines.push(`change request ${view.id}`);
  const facts: string[][] = [['stage', `${view.stage}${view.final ? ' (final)' : ''}`]];
  if (view.failure) facts.push(['failure', describeFailure(view.failure)]);
  const change = view.change ?? {};
  if (change.repo || change.branch) facts.push(['change', `${change.repo ?? ''} @ ${change.branch ?? ''}`]);
  if (change.description) facts.push(['description', change.description]);
  if (change.requester) facts.push(['requester', change.requester]);
  const tasks = view.ids?.tasks ?? [];
  if (tasks.length > 0) {
    const ok = tasks.filter((t) => t.status === 'SUCCESS').length;
    const reported = tasks.filter((t) => t.status !== undefined).length;
    facts.push(['tasks', `${tasks.length} (${reported} reported, ${ok} succeeded)`]);
  }
  const span = historySpanMs(view);
  if (span !== undefined) facts.push([view.final ? 'took' : 'running for', formatDuration(span)]);
  facts.push(['created', view.createdAt], ['updated', view.updatedAt]);
  lines.push(columns(facts, '  '));
  lines.push('', 'history');
  const start = view.history[0] ? Date.parse(view.history[0].at) : 0;
  const rows = [['stage', 'at', 'since start']];
  for (const h of view.history) {
    rows.push([h.stage, `${h.at} (${clockTime(h.at)})`, `+${formatDuration(Date.parse(h.at) - start)}`]);
  }
  lines.push(columns(rows, '  '));
  return `${lines.join('\n')}\n`;
}
