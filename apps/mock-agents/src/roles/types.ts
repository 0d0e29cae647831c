import { createHash } from 'node:crypto';
import type { AGENT_ROLES, AgentRole, TopicMessage } from '@pipeline/topics';

/** A source of numbers in [0, 1), like Math.random; tests inject a seeded one. */
export type Rng = () => number;

/** The command a role reads (e.g. a BuildRequest for the builder). */
export type CommandOf<R extends AgentRole> = TopicMessage<(typeof AGENT_ROLES)[R]['reads']>;
/** The message a role answers with (e.g. a BuildReport for the builder). */
export type ReplyOf<R extends AgentRole> = TopicMessage<(typeof AGENT_ROLES)[R]['answers']>;

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
