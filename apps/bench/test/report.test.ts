import { describe, expect, it } from 'vitest';
import { doneRecordValue, endedStage } from '../src/ended.js';
import { figuresTable, medianFigures, type SystemFigures, verdicts } from '../src/report.js';
import { quantile } from '../src/stats.js';
import type { SystemName } from '../src/systems.js';

const figures = (system: SystemName, perSecond: number, p50: number): SystemFigures => ({
  system,
  burst: {
    requests: 1000,
    seconds: 1000 / perSecond,
    perSecond,
    cpuMsPerRequest: 1,
    agentsCpuMsPerRequest: 2,
  },
  smallBurst: {
    requests: 100,
    seconds: 100 / perSecond,
    perSecond,
    cpuMsPerRequest: 1,
    agentsCpuMsPerRequest: 2,
  },
  latency: { p50, p99: p50 * 2 },
  peakRssMb: 100,
});

describe('verdicts', () => {
  it('meets the targets at 90 % of the relay and 2 ms per stage over it', () => {
    const list = verdicts([figures('orchestrator', 90, 70 + 14), figures('transactional relay', 100, 70)]);
    expect(list.map((v) => v.met)).toEqual([true, true, true]);
  });

  it('misses them below 90 % or over 2 ms per stage (7 hops)', () => {
    const list = verdicts([figures('orchestrator', 89, 70 + 15), figures('transactional relay', 100, 70)]);
    expect(list.map((v) => v.met)).toEqual([false, false, false]);
    expect(list[2]?.value).toBe('2.1 ms');
  });

  it('says nothing without both systems', () => {
    expect(verdicts([figures('plain relay', 100, 20)])).toEqual([]);
  });

  it('puts one row per system in the table', () => {
    const table = figuresTable([figures('orchestrator', 90, 84), figures('plain relay', 120, 21)]);
    expect(table.split('\n')).toHaveLength(4);
    expect(table).toMatch(/^\| system \| 1,000 at once \(req\/s\) \| 100 at once \(req\/s\) \|/);
    expect(table).toContain('| plain relay | 120 | 120 | 21 | 42 | 3.0 |');
  });
});

describe('medianFigures', () => {
  it('takes the median of every figure over the rounds, so one slow round does not decide', () => {
    const runs = [
      figures('orchestrator', 100, 80),
      figures('orchestrator', 10, 900),
      figures('orchestrator', 90, 70),
    ];
    const m = medianFigures(runs);
    expect(m.burst.perSecond).toBe(90);
    expect(m.latency.p50).toBe(80);
    expect(m.latency.p99).toBe(160);
    expect(m.system).toBe('orchestrator');
    expect(m.burst.requests).toBe(1000);
  });
});

describe('endedStage', () => {
  it('reads done from a relay record and done or regress from an orchestrator record', () => {
    expect(endedStage(doneRecordValue('r'))).toBe('done');
    expect(
      endedStage(Buffer.from('{"v":1,"requestId":"r","machine":{"value":"regress"},"stage":"regress"}')),
    ).toBe('regress');
  });

  it('takes a request under way, a tombstone or damaged bytes for not ended', () => {
    expect(endedStage(Buffer.from('{"v":1,"history":[{"stage":"done"}],"stage":"build1"}'))).toBeUndefined();
    expect(endedStage(null)).toBeUndefined();
    expect(endedStage(Buffer.from('{"stage":"done"'))).toBeUndefined();
  });
});

describe('quantile', () => {
  it('takes the nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(quantile(values, 0.5)).toBe(50);
    expect(quantile(values, 0.99)).toBe(99);
    expect(quantile([], 0.5)).toBeNaN();
  });
});

describe('verdicts against Kafka Streams', () => {
  it('wants the orchestrator at 100 % of Kafka Streams EOS v2, at 1000 and at 100 at once', () => {
    const list = verdicts([figures('orchestrator', 100, 84), figures('kafka streams', 100, 70)]);
    expect(list.map((v) => [v.what, v.value, v.target, v.met])).toEqual([
      ['throughput, 1000 at once, orchestrator / Kafka Streams EOS v2', '100 %', '≥ 100 %', true],
      ['throughput, 100 at once, orchestrator / Kafka Streams EOS v2', '100 %', '≥ 100 %', true],
    ]);
  });

  it('misses below it, and comes after the relay’s verdicts when all run', () => {
    const list = verdicts([
      figures('orchestrator', 99, 84),
      figures('transactional relay', 100, 84),
      figures('plain relay', 120, 21),
      figures('kafka streams', 100, 70),
    ]);
    expect(list).toHaveLength(5);
    expect(list.slice(3).map((v) => [v.value, v.met])).toEqual([
      ['99 %', false],
      ['99 %', false],
    ]);
  });

  it('says nothing of a system that did not run, nor without the orchestrator', () => {
    expect(verdicts([figures('kafka streams', 100, 70)])).toEqual([]);
    expect(verdicts([figures('orchestrator', 90, 84), figures('plain relay', 120, 21)])).toEqual([]);
  });
});
