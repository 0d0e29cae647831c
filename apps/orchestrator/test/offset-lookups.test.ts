import { describe, expect, it } from 'vitest';
import { OffsetLookups, type OffsetSnapshot } from '../src/runtime/offset-lookups.js';

function manual() {
  const started: Array<{ resolve: (s: OffsetSnapshot) => void; reject: (e: Error) => void; seq: number }> =
    [];
  const lookups = new OffsetLookups(
    () =>
      new Promise<OffsetSnapshot>((resolve, reject) => {
        started.push({ resolve, reject, seq: started.length });
      }),
  );
  const snapshot = (n: number): OffsetSnapshot =>
    ({ committed: new Map(), ends: new Map([['plan.out', new Map([[0, BigInt(n)]])]]) }) as OffsetSnapshot;
  return { lookups, started, snapshot };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

// Issue 10, finding 12: every restore looked up every partition's offsets, O(P²) after an assignment.
describe('OffsetLookups', () => {
  it('serves a burst of restores with at most two look-ups, each started after the restore asked', async () => {
    const { lookups, started, snapshot } = manual();
    const first = lookups.get();
    const burst = Array.from({ length: 11 }, () => lookups.get());
    expect(started).toHaveLength(1);
    started[0]?.resolve(snapshot(1));
    expect(await first).toEqual(snapshot(1));
    await tick();
    expect(started).toHaveLength(2); // the burst asked while the first ran: one more, after it
    started[1]?.resolve(snapshot(2));
    for (const result of await Promise.all(burst)) expect(result).toEqual(snapshot(2));
  });

  it('a failed look-up fails only those who waited for it; the next one starts afresh', async () => {
    const { lookups, started, snapshot } = manual();
    const failing = lookups.get();
    started[0]?.reject(new Error('broker gone'));
    await expect(failing).rejects.toThrow('broker gone');
    const next = lookups.get();
    expect(started).toHaveLength(2);
    started[1]?.resolve(snapshot(3));
    expect(await next).toEqual(snapshot(3));
  });
});
