import { noopLogger } from '@pipeline/common';
import { AgentCancelSchema, AgentProgressSchema, create, decode } from '@pipeline/contracts';
import { HEADERS, type OutboundRecord, type Producer } from '@pipeline/kafka';
import { isStage } from '@pipeline/state-machine';
import { AGENT_ROLE_NAMES } from '@pipeline/topics';
import { describe, expect, it, vi } from 'vitest';
import { CancelledError, InFlight } from '../src/cancel.js';
import { createProgressReporter } from '../src/progress.js';
import { stageOfCommand } from '../src/stage.js';
import type { CommandOf } from '../src/types.js';

function fakeProducer(): Producer & { sent: OutboundRecord[] } {
  const sent: OutboundRecord[] = [];
  return {
    sent,
    connect: async () => {},
    disconnect: async () => {},
    send: async () => {},
    sendRecords: async (records) => {
      sent.push(...records);
    },
  };
}

const progressOf = (record: OutboundRecord) => decode(AgentProgressSchema, record.value ?? Buffer.alloc(0));

describe('progress reports', () => {
  const target = (producer: Producer, minIntervalMs = 0) => ({
    producer,
    requestId: 'cr-1',
    stage: 'code_phase',
    traceparent: undefined,
    minIntervalMs,
    logger: noopLogger,
  });

  it('are AgentProgress keyed by the request id, naming the stage; percent and usage made valid', () => {
    const producer = fakeProducer();
    const reporter = createProgressReporter(target(producer));
    reporter.report({ note: 'é'.repeat(600), percent: 140.4, usage: { inputTokens: 12.6, costUsd: -3 } });
    const [record] = producer.sent;
    if (!record) throw new Error('nothing sent');
    expect(record.topic).toBe('agent.progress.out');
    expect(record.key).toBe('cr-1');
    expect(record.headers[HEADERS.messageType]).toBe('core.AgentProgress');
    const message = progressOf(record);
    expect(message).toMatchObject({ requestId: 'cr-1', stage: 'code_phase', percent: 100 });
    // 1,024 bytes at most: 512 two-byte characters.
    expect(message.note).toBe('é'.repeat(512));
    expect(message.usage).toMatchObject({ inputTokens: 13n, outputTokens: 0n, costUsd: 0 });
  });

  it('are coalesced: at most one per interval, the latest sent; none after close', () => {
    vi.useFakeTimers();
    try {
      const producer = fakeProducer();
      const reporter = createProgressReporter(target(producer, 200));
      reporter.report({ note: 'one' });
      reporter.report({ note: 'two' });
      reporter.report({ note: 'three' });
      expect(producer.sent.map((r) => progressOf(r).note)).toEqual(['one']);
      vi.advanceTimersByTime(200);
      expect(producer.sent.map((r) => progressOf(r).note)).toEqual(['one', 'three']);
      reporter.report({ note: 'four' });
      reporter.close();
      reporter.report({ note: 'five' });
      vi.advanceTimersByTime(10_000);
      expect(producer.sent).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('cancel', () => {
  const cancel = (requestId: string, stage = '', reason = 'cancelled') =>
    create(AgentCancelSchema, { requestId, stage, reason, requestedBy: 'ann' });

  it('fires the signal of the work on that request (and stage), not of others', () => {
    const inFlight = new InFlight();
    const coding = inFlight.begin('cr-1', 'code_phase');
    const other = inFlight.begin('cr-2', 'code_phase');
    expect(inFlight.cancel(cancel('cr-1', 'build1'))).toBe(0);
    expect(coding.signal.aborted).toBe(false);
    expect(inFlight.cancel(cancel('cr-1'))).toBe(1);
    expect(coding.signal.aborted).toBe(true);
    expect(coding.signal.reason).toBeInstanceOf(CancelledError);
    expect(String(coding.signal.reason)).toContain('request cr-1 cancelled (cancelled) by ann');
    expect(other.signal.aborted).toBe(false);
  });

  it('starts cancelled a command delivered again after its cancel; released work is forgotten', () => {
    const inFlight = new InFlight();
    const first = inFlight.begin('cr-1', 'code_phase');
    first.release();
    expect(inFlight.cancel(cancel('cr-1', 'code_phase'))).toBe(0);
    expect(inFlight.begin('cr-1', 'code_phase').signal.aborted).toBe(true);
    expect(inFlight.begin('cr-1', 'build1').signal.aborted).toBe(false);
  });
});

describe('stageOfCommand', () => {
  it('names a stage of the machine for every role; the builder by its round', () => {
    const command = { round: 2 } as CommandOf<'builder'>;
    for (const role of AGENT_ROLE_NAMES) expect(isStage(stageOfCommand(role, command as never))).toBe(true);
    expect(stageOfCommand('builder', command)).toBe('build2');
    expect(stageOfCommand('builder', { round: 1 } as CommandOf<'builder'>)).toBe('build1');
    expect(stageOfCommand('coder', {} as CommandOf<'coder'>)).toBe('code_phase');
  });
});
