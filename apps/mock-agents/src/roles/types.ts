import { createHash } from 'node:crypto';

// The command and reply types of a role are the agent SDK's.
export type { CommandOf, ReplyOf } from '@pipeline/agent';

/** A source of numbers in [0, 1), like Math.random; tests inject a seeded one. */
export type Rng = () => number;

/** What every role's `decide` is told besides the command. */
export interface DecideOptions {
  /** Probability (0..1) that a command fails at random, on top of the failure markers. */
  failureRate: number;
}

/** One roll of the dice: true with probability `rate`. Draws from `rng` only when rate > 0. */
export function failsAtRandom(rng: Rng, rate: number): boolean {
  return rate > 0 && rng() < rate;
}

/** A fake 40-hex commit sha, the same for the same parts (sha1 of the parts). */
export function fakeSha(...parts: string[]): string {
  return createHash('sha1').update(parts.join('\n')).digest('hex');
}
