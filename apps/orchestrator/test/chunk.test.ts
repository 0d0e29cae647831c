import { recordBytes } from '@pipeline/kafka/records';
import { CRQ, STATE } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { chunkSteps, stepBytes } from '../src/domain/chunk.js';
import type { RequestRecord } from '../src/domain/request-record.js';
import { newStep, type Step } from '../src/domain/step.js';
import { decideSweep } from '../src/domain/sweep.js';

const step = (offset: string, bytes: number): Step => {
  const s = newStep(offset);
  s.records.push({ topic: CRQ, key: offset, value: Buffer.alloc(bytes), headers: {} });
  return s;
};

// Issue 10, finding 2: one transaction per fetched batch outgrew the broker's limit after an outage.
/** A record with only what every record has. */
const minimalRecord = (requestId: string, stage: 'idle' | 'plan_phase'): RequestRecord => ({
  v: 1,
  requestId,
  change: { requester: '', repo: 'r', branch: '', description: '' },
  machine: { value: stage, context: {} },
  tasks: [],
  history: [],
  createdAt: 0,
  updatedAt: 0,
});

describe('transactions bounded by bytes', () => {
  it('groups whole steps, in order, into chunks under the limit, each ending at its last input', () => {
    const steps = ['1', '2', '3', '4', '5'].map((offset) => step(offset, 300));
    const limit = stepBytes(steps[0] as Step, 0) * 2 + 10;
    const chunks = chunkSteps(steps, 0, limit);
    expect(chunks.map((c) => c.lastOffset)).toEqual(['2', '4', '5']);
    for (const chunk of chunks) {
      expect(chunk.records.reduce((n, r) => n + recordBytes(r), 0)).toBeLessThanOrEqual(limit);
    }
    expect(chunks.flatMap((c) => c.records.map((r) => r.key))).toEqual(['1', '2', '3', '4', '5']);
  });

  it('writes each request once per chunk, its last version, and the tombstones of forgotten ones', () => {
    const a = newStep('1');
    a.updated.set('cr-1', minimalRecord('cr-1', 'idle'));
    const b = newStep('2');
    const later = minimalRecord('cr-1', 'plan_phase');
    b.updated.set('cr-1', later);
    b.forgotten.push('cr-0');
    const [chunk] = chunkSteps([a, b], 3, 1_000_000);
    const states = chunk?.records.filter((r) => r.topic === STATE) ?? [];
    expect(states.map((r) => [r.key, r.partition, r.value === null])).toEqual([
      ['cr-1', 3, false],
      ['cr-0', 3, true],
    ]);
    expect(chunk?.updated.get('cr-1')).toBe(later);
    expect(chunk?.forgotten).toEqual(['cr-0']);
  });

  it('caps the requests one sweep regresses or forgets', () => {
    const finished = Array.from(
      { length: 30 },
      (_, i) =>
        ({
          requestId: `cr-${i}`,
          machine: { value: 'done', context: {} },
          updatedAt: 0,
        }) as unknown as RequestRecord,
    );
    const plan = decideSweep(
      finished,
      { deadlineFor: () => undefined, retentionMs: 1, maxPerSweep: 10 },
      1000,
      1000,
    );
    expect(plan.forgotten).toHaveLength(10);
    expect(plan.steps).toHaveLength(10);
  });
});
