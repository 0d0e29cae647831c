import type { Rng } from '../../src/roles/index.js';

/** A seeded rng (mulberry32): the same seed gives the same sequence. */
export function seededRng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An rng that returns these values in turn (and fails the test when it runs out). */
export function fixedRng(...values: number[]): Rng & { calls: number } {
  const rng = Object.assign(
    () => {
      const value = values[rng.calls++];
      if (value === undefined) throw new Error(`rng called ${rng.calls} times, only ${values.length} values`);
      return value;
    },
    { calls: 0 },
  );
  return rng;
}

/** An rng that must not be called. */
export const unusedRng: Rng = () => {
  throw new Error('rng must not be called');
};
