import { describe, expect, it } from 'vitest';
import { RequestIndex } from '../src/domain/request-index.js';
import type { RequestRecord } from '../src/domain/request-record.js';

const record = (requestId: string, tasks: string[]) =>
  ({
    requestId,
    planId: `${requestId}/plan`,
    tasks: tasks.map((id) => ({ id })),
    machine: { value: 'plan_phase' },
  }) as unknown as RequestRecord;

// Issue 10, finding 8 ("keyless correlation can apply a reply to the wrong request"): aliases were
// last-writer-wins, and forgetting one request removed an alias that belonged to another.
describe('RequestIndex aliases', () => {
  it('keeps every request an alias belongs to', () => {
    const index = new RequestIndex();
    index.put(record('a', ['t1', 't2']));
    index.put(record('b', ['t1']));
    expect(index.lookupAlias('task:t1').sort()).toEqual(['a', 'b']);
    expect(index.lookupAlias('task:t2')).toEqual(['a']);
    expect(index.lookupAlias('task:none')).toEqual([]);
  });

  it('a delete removes only its own aliases', () => {
    const index = new RequestIndex();
    index.put(record('a', ['t1']));
    index.put(record('b', ['t1']));
    index.forget('b');
    expect(index.lookupAlias('task:t1')).toEqual(['a']);
    index.forget('a');
    expect(index.lookupAlias('task:t1')).toEqual([]);
  });

  it('a new version of a request drops the aliases it no longer has, and only its own', () => {
    const index = new RequestIndex();
    index.put(record('a', ['t1', 't2']));
    index.put(record('b', ['t2']));
    index.put(record('a', ['t1']));
    expect(index.lookupAlias('task:t2')).toEqual(['b']);
    expect(index.lookupAlias('task:t1')).toEqual(['a']);
  });
});
