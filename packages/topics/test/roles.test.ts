import { describe, expect, it } from 'vitest';
import { AGENT_ROLES, MESSAGE_TOPICS, ORCHESTRATOR_INPUTS, ORCHESTRATOR_OUTPUTS } from '../src/index.js';

describe('who reads and writes which topic', () => {
  it('never lets the orchestrator read its own output', () => {
    const outputs = new Set<string>(ORCHESTRATOR_OUTPUTS);
    expect(ORCHESTRATOR_INPUTS.filter((t) => outputs.has(t))).toEqual([]);
  });

  it('gives every message topic exactly one side of the orchestrator', () => {
    const sides = [...ORCHESTRATOR_INPUTS, ...ORCHESTRATOR_OUTPUTS].sort();
    expect(sides).toEqual([...MESSAGE_TOPICS].sort());
  });

  it('has every agent read a command the orchestrator writes and answer on one it reads', () => {
    for (const { reads, answers } of Object.values(AGENT_ROLES)) {
      expect(ORCHESTRATOR_OUTPUTS).toContain(reads);
      expect(ORCHESTRATOR_INPUTS).toContain(answers);
    }
  });
});
