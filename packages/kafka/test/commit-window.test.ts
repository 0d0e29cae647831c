import { describe, expect, it } from 'vitest';
import { CommitWindow } from '../src/commit-window.js';

describe('CommitWindow', () => {
  it('commits only below the first unfinished record of a partition', () => {
    const w = new CommitWindow();
    for (const offset of [10n, 11n, 12n]) w.open('t', 0, offset);
    w.advance('t', 0, 13n);
    expect(w.committable()).toEqual([{ topic: 't', partition: 0, offset: 10n }]);
    w.committed(w.committable());
    w.finish('t', 0, 11n);
    w.finish('t', 0, 12n);
    // 10 still runs: nothing new to commit.
    expect(w.committable()).toEqual([]);
    w.finish('t', 0, 10n);
    expect(w.committable()).toEqual([{ topic: 't', partition: 0, offset: 13n }]);
  });

  it('moves past transaction markers after the last record, and keeps partitions apart', () => {
    const w = new CommitWindow();
    w.open('t', 0, 4n);
    w.advance('t', 0, 7n);
    w.open('t', 1, 2n);
    w.finish('t', 0, 4n);
    expect(w.committable()).toEqual([
      { topic: 't', partition: 0, offset: 7n },
      { topic: 't', partition: 1, offset: 2n },
    ]);
    expect(w.openCount()).toBe(1);
  });

  it('forgets everything at a new generation; a late finish of a dropped partition changes nothing', () => {
    const w = new CommitWindow();
    w.open('t', 0, 1n);
    w.reset();
    w.finish('t', 0, 1n);
    expect(w.committable()).toEqual([]);
    // The record still running comes back with the new generation and is tracked again.
    w.open('t', 0, 1n);
    w.advance('t', 0, 2n);
    expect(w.committable()).toEqual([{ topic: 't', partition: 0, offset: 1n }]);
    w.finish('t', 0, 1n);
    expect(w.committable()).toEqual([{ topic: 't', partition: 0, offset: 2n }]);
  });
});
