import { clockTime, columns, formatDuration } from '@pipeline/cli-kit';
import { isSuccess } from '@pipeline/contracts';
import {
  historySpanMs,
  type ProgressView,
  type RequestFailure,
  type RequestView,
  type UsageView,
} from '@pipeline/orchestrator-api';

/** `failed in build1: build_failed (build 1 of commit 3f2a… reported FAILED)` */
export function describeFailure(failure: RequestFailure): string {
  return `failed in ${failure.stage}: ${failure.reason}${failure.detail ? ` (${failure.detail})` : ''}`;
}

/** `1,200 in + 300 out tokens, $0.0200` */
export function describeUsage(usage: UsageView): string {
  const n = (count: number) => count.toLocaleString('en-US');
  return `${n(usage.inputTokens)} in + ${n(usage.outputTokens)} out tokens, $${usage.costUsd.toFixed(4)}`;
}

/** `40% · editing src/a.ts (3 reports)`: what the agent at work last said. */
export function describeProgress(progress: ProgressView): string {
  const parts: string[] = [];
  if (progress.percent !== undefined) parts.push(`${progress.percent}%`);
  if (progress.note) parts.push(progress.note);
  if (parts.length === 0) parts.push('alive');
  const reports = progress.count === 1 ? '1 report' : `${progress.count} reports`;
  return `${parts.join(' · ')} (${reports}, last at ${clockTime(progress.at)})`;
}

/** The `pipeline status` text of a request. */
export function renderRequest(view: RequestView): string {
  const lines: string[] = [];
  lines.push(`change request ${view.id}`);
  const facts: string[][] = [['stage', `${view.stage}${view.final ? ' (final)' : ''}`]];
  if (view.failure) facts.push(['failure', describeFailure(view.failure)]);
  if ((view.attempt ?? 1) > 1) facts.push(['attempt', String(view.attempt)]);
  if (view.awaitingApproval) {
    const { stage, since } = view.awaitingApproval;
    facts.push([
      'waiting',
      `for an approval of ${stage} since ${clockTime(since)} (pipeline approve / reject)`,
    ]);
  }
  if (view.progress) facts.push(['progress', describeProgress(view.progress)]);
  if (view.usage) facts.push(['usage', describeUsage(view.usage)]);
  if (view.budget) {
    const limits = [
      view.budget.maxTokens === undefined ? '' : `${view.budget.maxTokens.toLocaleString('en-US')} tokens`,
      view.budget.maxCostUsd === undefined ? '' : `$${view.budget.maxCostUsd}`,
    ].filter(Boolean);
    facts.push(['budget', limits.join(', ')]);
  }
  for (const d of view.decisions ?? []) {
    facts.push([
      'decision',
      `${d.action} by ${d.by} in ${d.stage} at ${clockTime(d.at)}${d.reason ? `: ${d.reason}` : ''}`,
    ]);
  }
  const change = view.change ?? {};
  if (change.repo || change.branch) facts.push(['change', `${change.repo ?? ''} @ ${change.branch ?? ''}`]);
  if (change.description) facts.push(['description', change.description]);
  if (change.requester) facts.push(['requester', change.requester]);
  const tasks = view.ids?.tasks ?? [];
  if (tasks.length > 0) {
    const ok = tasks.filter((t) => t.status !== undefined && isSuccess(t.status)).length;
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
