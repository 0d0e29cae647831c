// Issue 13, the replay gate: `pipeline replay` checks every request in flight against the current
// stage machine. On the recorded fixture (requests in every stage, written by the orchestrator's own
// code) it must pass: a machine change that strands one of them fails this test, and so the build.
import { fileURLToPath } from 'node:url';
import { create, encode, StateRecordSchema } from '@pipeline/contracts';
import { MACHINE_VERSION } from '@pipeline/state-machine';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli.js';
import { checkStates } from '../src/replay/check.js';
import { captureIo } from './support/io.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('pipeline replay --file', () => {
  it('passes on the recorded fixture: the current machine carries every request in flight', async () => {
    const io = captureIo();
    expect(await runCli(['replay', '--file', fixture('state-in-flight.jsonl')], io)).toBe(0);
    expect(io.output()).toMatch(
      /^8 requests, 6 in flight \(by the machine they started on: [0-9a-f]{12}: 6\)/,
    );
    expect(io.output()).toContain(`current machine ${MACHINE_VERSION}`);
    expect(io.output()).toContain('the current machine carries every request in flight');
  });

  it('fails on a fixture with requests the machine can no longer carry, and names them', async () => {
    const io = captureIo();
    expect(await runCli(['replay', '--file', fixture('state-stranded.jsonl')], io)).toBe(1);
    const text = io.output();
    expect(text).toContain('2 request(s) the current machine cannot carry:');
    expect(text).toMatch(
      /cr-fixture-review \(review_phase\): started on 0123456789ab: .*unknown stage "review_phase"/,
    );
    expect(text).toMatch(
      /cr-fixture-approvals \(build1\): started on 0123456789ab: .*unexpected key\(s\) in context: approvals/,
    );
  });

  it('keeps the latest value per request; a null value forgets it', () => {
    const json = (value: object) => Buffer.from(JSON.stringify(value));
    const report = checkStates([
      { key: 'a', value: json({ v: 1, requestId: 'a', machine: { value: 'review_phase', context: {} } }) },
      { key: 'a', value: null },
      { key: 'b', value: json({ v: 2, requestId: 'b', machine: { value: 'build1', context: {} } }) },
    ]);
    expect(report.read).toBe(1);
    expect(report.stranded).toEqual([
      { requestId: 'b', stage: '?', why: 'JSON state record version 2 (this code reads 1)' },
    ]);
  });

  it('reads StateRecord messages (version 2) too', () => {
    const message = (requestId: string, stage: string) =>
      encode(
        StateRecordSchema,
        create(StateRecordSchema, { version: 2, requestId, stage, machineVersion: 'm1' }),
      );
    const report = checkStates([
      { key: 'a', value: message('a', 'build1') },
      { key: 'b', value: message('b', 'done') },
      { key: 'c', value: message('c', 'review_phase') },
    ]);
    expect(report).toMatchObject({ read: 3, inFlight: 2, versions: new Map([['m1', 2]]) });
    expect(report.stranded).toEqual([
      { requestId: 'c', stage: 'review_phase', why: expect.stringMatching(/^started on m1: .*review_phase/) },
    ]);
  });
});
