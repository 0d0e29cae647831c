// progress(): an agent's sign of life while it works (AgentProgress on agent.progress.out). The
// orchestrator counts a stage's idle deadline from the last one, so a long task is not regressed while
// its agent still reports. Reports are coalesced: at most one per interval is written, the latest.

import type { Logger } from '@pipeline/common';
import { AgentProgressSchema, create, MAX_FIELD_BYTES, UsageSchema } from '@pipeline/contracts';
import { encodeRecord, type Producer } from '@pipeline/kafka';
import { PROGRESS } from '@pipeline/topics';

/** What a handler reports; every field optional (an empty report is a bare heartbeat). */
export interface ProgressUpdate {
  /** What the agent does now, in a short line (cut to 1 KB). */
  note?: string;
  /** 0 to 100 (rounded, clamped). */
  percent?: number;
  /** Spent on this command so far: cumulative, not since the last report. */
  usage?: { inputTokens?: number; outputTokens?: number; costUsd?: number };
}

export interface ProgressReporter {
  /** Sends (or schedules) a report; never throws: a lost report costs a heartbeat, not the work. */
  report(update: ProgressUpdate): void;
  /** The command is answered or abandoned: pending reports are dropped, later ones ignored. */
  close(): void;
}

export interface ProgressTarget {
  producer: Producer;
  requestId: string;
  stage: string;
  traceparent: string | undefined;
  /** At most one report per this many ms. */
  minIntervalMs: number;
  logger: Logger;
}

export function createProgressReporter(target: ProgressTarget): ProgressReporter {
  let closed = false;
  let lastSentAt = Number.NEGATIVE_INFINITY;
  let pending: ProgressUpdate | undefined;
  let timer: NodeJS.Timeout | undefined;

  const send = (update: ProgressUpdate) => {
    lastSentAt = Date.now();
    const record = encodeRecord(PROGRESS, progressMessage(target, update), {
      key: target.requestId,
      ...(target.traceparent ? { traceparent: target.traceparent } : {}),
    });
    target.producer.sendRecords([record]).catch((error: unknown) => {
      target.logger.warn({ err: error }, 'progress report not sent');
    });
  };

  return {
    report(update) {
      if (closed) return;
      const wait = lastSentAt + target.minIntervalMs - Date.now();
      if (wait <= 0) {
        send(update);
        return;
      }
      pending = update;
      timer ??= setTimeout(() => {
        timer = undefined;
        if (!closed && pending) send(pending);
        pending = undefined;
      }, wait);
    },
    close() {
      closed = true;
      pending = undefined;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}

function progressMessage(target: ProgressTarget, update: ProgressUpdate) {
  const message = create(AgentProgressSchema, {
    requestId: target.requestId,
    stage: target.stage,
    note: cut(update.note ?? '', MAX_FIELD_BYTES),
  });
  if (update.percent !== undefined && Number.isFinite(update.percent)) {
    message.percent = Math.min(100, Math.max(0, Math.round(update.percent)));
  }
  if (update.usage) {
    const tokens = (n: number | undefined) => BigInt(Math.max(0, Math.round(n ?? 0)));
    const cost = update.usage.costUsd ?? 0;
    message.usage = create(UsageSchema, {
      inputTokens: tokens(update.usage.inputTokens),
      outputTokens: tokens(update.usage.outputTokens),
      costUsd: Number.isFinite(cost) && cost > 0 ? cost : 0,
    });
  }
  return message;
}

/** `text` cut to at most `maxBytes` of UTF-8, on a character boundary. */
function cut(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let end = Math.min(text.length, maxBytes);
  while (end > 0 && Buffer.byteLength(text.slice(0, end)) > maxBytes) end--;
  // Do not split a surrogate pair.
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return text.slice(0, end);
}
