import { create } from '@bufbuild/protobuf';
import { isConfigError, noopLogger } from '@pipeline/common';
import {
  BuildReportSchema,
  BuildRequestSchema,
  ChangeRequestSchema,
  STATUS,
  TaskBundleSchema,
} from '@pipeline/contracts';
import type { KafkaClient } from '@pipeline/kafka';
import { describe, expect, it } from 'vitest';
import { createAgent, optionProblems, repliesOf, requestIdOf } from '../src/index.js';

const client = {} as KafkaClient;
const handle = async () => undefined;

describe('agent options', () => {
  it('are checked where they enter, with the ranges', () => {
    expect(optionProblems({ role: 'builder', handle, client, logger: noopLogger })).toEqual([]);
    const problems = optionProblems({
      role: 'linter' as 'builder',
      handle: 'no' as unknown as typeof handle,
      client,
      logger: noopLogger,
      concurrency: 0,
      attempts: 1.5,
      shutdownGraceMs: -1,
      groupId: ' ',
    });
    expect(problems).toEqual([
      'role must be one of planner, coder, builder, test-planner, test-generator, got "linter"',
      'handle must be a function (command, context) => reply',
      'concurrency must be a whole number from 1 to 1000, got 0',
      'attempts must be a whole number from 1 to 100, got 1.5',
      'shutdownGraceMs must be a whole number from 0 to 3600000, got -1',
      'groupId must not be empty',
    ]);
  });

  it('stop createAgent with a ConfigError naming the role', () => {
    const error = (() => {
      try {
        createAgent({ role: 'coder', handle, client, logger: noopLogger, concurrency: -2 });
      } catch (e) {
        return e;
      }
    })();
    expect(isConfigError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'invalid agent options (coder):\n  - concurrency must be a whole number from 1 to 1000, got -2',
    );
  });
});

describe('replies', () => {
  it('take one reply, several or none', () => {
    const report = create(BuildReportSchema, { commitSha: 'c', status: STATUS.passed, buildId: 'b' });
    expect(repliesOf<'builder'>(report)).toEqual([report]);
    expect(repliesOf<'builder'>([report, report])).toHaveLength(2);
    expect(repliesOf<'builder'>(undefined)).toEqual([]);
  });
});

describe('the request of a command', () => {
  it('is its key, or what the payload says', () => {
    const build = create(BuildRequestSchema, { requestId: 'from-payload' });
    expect(requestIdOf('builder', 'from-key', build)).toBe('from-key');
    expect(requestIdOf('builder', undefined, build)).toBe('from-payload');
    expect(requestIdOf('planner', undefined, create(ChangeRequestSchema, { id: 'cr-1' }))).toBe('cr-1');
    expect(requestIdOf('coder', undefined, create(TaskBundleSchema, { planId: 'cr-2/plan' }))).toBe('cr-2');
    expect(requestIdOf('coder', undefined, create(TaskBundleSchema, { planId: 'odd' }))).toBeUndefined();
    expect(requestIdOf('builder', '', create(BuildRequestSchema, {}))).toBeUndefined();
  });
});
