import { BUILD_REQ, DEEP, REG, TASK, TGEN_REQ, TPLAN_REQ } from '@pipeline/topics';
import { expect } from 'vitest';
import type { TestPipeline } from './pipeline.js';

/** The commands a request that ends in `done` causes, each exactly once (build twice: rounds 1, 2). */
const DONE_COMMANDS = { [DEEP]: 1, [TASK]: 1, [BUILD_REQ]: 2, [TPLAN_REQ]: 1, [TGEN_REQ]: 1, [REG]: 0 };

/**
 * Checks what a read_committed reader saw for each request: no command or ticket twice, and for
 * requests that finished `done` exactly the commands of the whole pipeline. Returns the counts.
 */
export function expectExactlyOnce(pipeline: TestPipeline, finals: Map<string, string>): void {
  const outputs = [DEEP, TASK, BUILD_REQ, TPLAN_REQ, TGEN_REQ, REG] as const;
  const problems: string[] = [];
  for (const [id, stage] of finals) {
    const seenValues = new Set<string>();
    for (const topic of outputs) {
      const records = pipeline.seen.filter((s) => s.topic === topic && s.key === id);
      for (const r of records) {
        const identity = `${topic}:${r.value?.toString('hex')}`;
        if (seenValues.has(identity)) problems.push(`${id}: ${topic} seen twice`);
        seenValues.add(identity);
      }
      if (stage === 'done' && records.length !== DONE_COMMANDS[topic]) {
        problems.push(`${id}: ${records.length} × ${topic}, expected ${DONE_COMMANDS[topic]}`);
      }
      if (stage === 'regress' && topic === REG && records.length !== 1)
        problems.push(`${id}: ${records.length} tickets`);
    }
  }
  expect(problems.slice(0, 20)).toEqual([]);
}
