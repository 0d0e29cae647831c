import { describe, expect, it } from 'vitest';
import { stickyNumbers } from '../src/sticky-numbers.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function check(result: Map<string, number[]>, numbers: number[]) {
  const all = [...result.values()].flat().sort((a, b) => a - b);
  expect(all).toEqual([...numbers].sort((a, b) => a - b)); // complete and disjoint
  const sizes = [...result.values()].map((own) => own.length);
  expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1); // balanced
}

function moved(before: Map<string, number[]>, after: Map<string, number[]>): number {
  let count = 0;
  for (const [member, own] of after) {
    const had = new Set(before.get(member) ?? []);
    count += own.filter((n) => !had.has(n)).length;
  }
  return count;
}

// Issue 10, finding 12: the assigner dealt numbers round-robin by (random) member id, so any join or
// leave moved most partitions, each costing a restore.
describe('stickyNumbers', () => {
  it('deals a fresh group evenly', () => {
    const result = stickyNumbers(range(12), ['b', 'a', 'c'], new Map());
    check(result, range(12));
    expect(result.get('a')).toHaveLength(4);
  });

  it('a join moves only what the newcomer needs, all of it to the newcomer', () => {
    const two = stickyNumbers(range(12), ['m-1', 'm-2'], new Map());
    const three = stickyNumbers(range(12), ['m-1', 'm-2', 'm-0'], two);
    check(three, range(12));
    expect(moved(two, three)).toBe(4);
    expect(three.get('m-0')).toHaveLength(4);
    for (const member of ['m-1', 'm-2'])
      for (const n of three.get(member) ?? []) expect(two.get(member)).toContain(n);
  });

  it('a leave moves only the leaver’s numbers', () => {
    const three = stickyNumbers(range(12), ['a', 'b', 'c'], new Map());
    const two = stickyNumbers(range(12), ['a', 'c'], three);
    check(two, range(12));
    for (const member of ['a', 'c'])
      for (const n of three.get(member) ?? []) expect(two.get(member)).toContain(n);
    expect(moved(three, two)).toBe(4);
  });

  it('is the same for the same input, whatever the order of the members', () => {
    const previous = new Map([
      ['x', [0, 1, 2, 3, 4]],
      ['y', [5]],
    ]);
    const one = stickyNumbers(range(9), ['x', 'y', 'z'], previous);
    const other = stickyNumbers(range(9), ['z', 'y', 'x'], previous);
    expect([...one].sort()).toEqual([...other].sort());
    check(one, range(9));
    expect(one.get('x')).toEqual([0, 1, 2]);
  });

  it('a number claimed twice goes to one claimant; gone numbers and strangers are ignored', () => {
    const previous = new Map([
      ['a', [0, 1, 7]],
      ['b', [1, 2]],
      ['gone', [3]],
    ]);
    const result = stickyNumbers(range(4), ['a', 'b'], previous);
    check(result, range(4));
    expect(result.get('a')).toEqual([0, 1]);
    expect(result.get('b')).toEqual([2, 3]);
  });

  it('more members than numbers: some get none', () => {
    const result = stickyNumbers(range(2), ['a', 'b', 'c'], new Map());
    check(result, range(2));
    expect([...result.values()].filter((own) => own.length === 0)).toHaveLength(1);
  });

  // Issue 14: each instance reads only its own partitions, so a number it is dealt that it never had
  // is read from the start. A restarted instance (a new member id, owning nothing yet) used to be dealt
  // whatever the others gave up: a cold share, while its old numbers sat warm on its disk.
  it('a member under its quota gets back the numbers it has warm, given up by the members over theirs', () => {
    // Four members dealt 12 in blocks; d restarts as d2 while a, b, c each took one of its three.
    const previous = new Map([
      ['a', [0, 1, 2, 9]],
      ['b', [3, 4, 5, 10]],
      ['c', [6, 7, 8, 11]],
    ]);
    const warm = new Map([['d2', [9, 10, 11]]]);
    const result = stickyNumbers(range(12), ['a', 'b', 'c', 'd2'], previous, warm);
    check(result, range(12));
    expect(result.get('d2')).toEqual([9, 10, 11]);
    expect(result.get('a')).toEqual([0, 1, 2]);
    // Its warm numbers are not the ones the others would give up unasked (the highest of each).
    const shuffled = new Map([
      ['a', [0, 1, 9, 2]],
      ['b', [3, 10, 4, 5]],
      ['c', [11, 6, 7, 8]],
    ]);
    expect(stickyNumbers(range(12), ['a', 'b', 'c', 'd2'], shuffled).get('d2')).toEqual([9, 10, 11]);
    expect(
      stickyNumbers(range(12), ['a', 'b', 'c', 'd2'], shuffled, new Map([['d2', [0, 3, 6]]])).get('d2'),
    ).toEqual([0, 3, 6]);
  });

  it('deals free numbers a member has warm to it first', () => {
    const result = stickyNumbers(range(6), ['x', 'y'], new Map(), new Map([['y', [0, 1, 2]]]));
    check(result, range(6));
    expect(result.get('y')).toEqual([0, 1, 2]);
    expect(result.get('x')).toEqual([3, 4, 5]);
  });
});
