import { describe, expect, it } from 'vitest';
import { ALL_TOPICS, MESSAGE_TOPICS, SEED_TOPICS } from '../src/index.js';

describe('topic names', () => {
  it('keeps the reference design constants and values', () => {
    // Written out by hand from the reference design: a rename here breaks every seed agent.
    expect(SEED_TOPICS).toEqual({
      CRQ: 'change.request.in',
      DEEP: 'deepplan.in',
      PLAN: 'plan.out',
      TASK: 'code.task.out',
      CRES: 'commit.result.out',
      BREPORT: 'build.report.out',
      TSPEC: 'test.spec.out',
      GTRES: 'generated.tests.out',
      REG: 'regression.out',
    });
  });

  it('has no duplicate names and every seed topic carries a message', () => {
    expect(new Set(ALL_TOPICS).size).toBe(ALL_TOPICS.length);
    for (const topic of Object.values(SEED_TOPICS)) expect(MESSAGE_TOPICS).toContain(topic);
  });
});
