import { columns, formatDuration } from '@pipeline/cli-kit';
import { DEFAULT_ORCHESTRATOR_URL, requestPath } from '@pipeline/orchestrator-api';
import type { DemoOutcome, DemoResult } from './outcomes.js';

/** Up to this many regressions are listed one by one; more are counted by stage and reason. */
const LIST_LIMIT = 12;

/** `regress in build1 (build_failed)`, `done`, `plan_phase (not final)`. */
export function describeOutcome(actual: DemoOutcome['actual']): string {
  if (actual.stage === 'regress') return `regress in ${actual.failedStage ?? '?'} (${actual.reason ?? '?'})`;
  if (actual.stage === 'done') return 'done';
  if (actual.stage === 'waiting') return 'never seen by the orchestrator';
  return `still in ${actual.stage}`;
}

function describeExpected(expected: DemoOutcome['expected']): string {
  return expected.stage === 'regress'
    ? `regress in ${expected.failedStage} (${expected.reason})`
    : expected.stage;
}

export interface SummaryContext {
  timeoutMs: number;
  interactive: boolean;
  logFiles: string[];
}

/** The text after the progress: totals, each regression, latency, where to look next. */
export function renderSummary(result: DemoResult, context: SummaryContext): string {
  const lines = [
    ...totalsLines(result, context),
    '',
    ...unexpectedLines(result.outcomes),
    '',
    ...lookAroundLines(result, context),
  ];
  return `${lines.join('\n')}\n`;
}

function totalsLines(result: DemoResult, context: SummaryContext): string[] {
  const { totals, outcomes } = result;
  const lines: string[] = [];
  lines.push(
    `summary: ${totals.submitted} change request${totals.submitted === 1 ? '' : 's'} in ${formatDuration(totals.elapsedMs)}`,
  );
  lines.push(`  done       ${totals.done}`);
  lines.push(`  regressed  ${totals.regressed}`);
  const regressed = outcomes.filter((o) => o.actual.stage === 'regress');
  if (regressed.length > 0 && regressed.length <= LIST_LIMIT) lines.push(regressionList(regressed));
  else if (regressed.length > LIST_LIMIT) lines.push(regressionGroups(regressed));
  if (totals.unfinished > 0) {
    lines.push(`  unfinished ${totals.unfinished} (not final within ${formatDuration(context.timeoutMs)})`);
  }
  const p50 = totals.p50Ms === undefined ? '-' : formatDuration(totals.p50Ms);
  const p99 = totals.p99Ms === undefined ? '-' : formatDuration(totals.p99Ms);
  lines.push(`  latency    p50 ${p50}, p99 ${p99} (end to end: first to last stage change of each request)`);
  return lines;
}

/** A few regressions: one line each. */
function regressionList(regressed: readonly DemoOutcome[]): string {
  return columns(
    regressed.map((o) => [
      o.id,
      `failed in ${o.actual.failedStage ?? '?'}`,
      o.actual.reason ?? '?',
      o.ok ? '(as planned)' : `UNEXPECTED, planned: ${describeExpected(o.expected)}`,
    ]),
    '    ',
  );
}

/** Many: one line per failed stage and reason (the unexpected ones are listed below anyway). */
function regressionGroups(regressed: readonly DemoOutcome[]): string {
  const groups = new Map<string, { stage: string; reason: string; count: number; unexpected: number }>();
  for (const o of regressed) {
    const key = `${o.actual.failedStage}/${o.actual.reason}`;
    const group = groups.get(key) ?? {
      stage: o.actual.failedStage ?? '?',
      reason: o.actual.reason ?? '?',
      count: 0,
      unexpected: 0,
    };
    group.count += 1;
    if (!o.ok) group.unexpected += 1;
    groups.set(key, group);
  }
  return columns(
    [...groups.values()].map((g) => [
      `failed in ${g.stage}`,
      g.reason,
      `${g.count}×`,
      g.unexpected === 0 ? '(as planned)' : `(${g.unexpected} UNEXPECTED)`,
    ]),
    '    ',
  );
}

function unexpectedLines(outcomes: readonly DemoOutcome[]): string[] {
  const wrong = outcomes.filter((o) => !o.ok);
  if (wrong.length === 0) return ['every request ended as planned.'];
  return [
    `${wrong.length} request${wrong.length === 1 ? '' : 's'} did not end as planned:`,
    columns(
      wrong.map((o) => [
        o.id,
        `expected ${describeExpected(o.expected)}`,
        `got ${describeOutcome(o.actual)}`,
      ]),
      '  ',
    ),
  ];
}

/** Where to look next: metrics, one request, the CLI, the logs, the topics. */
function lookAroundLines(result: DemoResult, context: SummaryContext): string[] {
  const { outcomes } = result;
  const url = result.orchestratorUrl;
  const example = outcomes.find((o) => o.actual.stage === 'regress') ?? outcomes[0];
  const urlFlag = url === DEFAULT_ORCHESTRATOR_URL ? '' : ` --url ${url}`;
  const heading = context.interactive
    ? 'look around (everything keeps running until Ctrl-C):'
    : 'look around (this run has stopped; `pnpm demo` in a terminal keeps everything running after the summary):';
  const rows: string[][] = [['metrics', `curl -s ${url}/metrics | grep '^orch_'`]];
  if (example) {
    rows.push(['one request', `curl -s ${url}${requestPath(example.id)}`]);
    rows.push(['as a table', `pnpm pipeline status ${example.id}${urlFlag}`]);
  }
  if (context.interactive) {
    const env = `KAFKA_BOOTSTRAP=${result.bootstrap} PIPELINE_TOPIC_PREFIX=${result.prefix}`;
    rows.push([
      'submit one',
      `${env} pnpm pipeline submit --repo demo/shop --branch main --description "try it" [--fail build1]`,
    ]);
    rows.push(['follow it', `pnpm pipeline watch <id>${urlFlag}`]);
  }
  if (context.logFiles.length > 0) rows.push(['logs', context.logFiles.join(', ')]);
  rows.push(['topics', `prefix ${result.prefix} on ${result.bootstrap}`]);
  return [heading, columns(rows, '  ')];
}
