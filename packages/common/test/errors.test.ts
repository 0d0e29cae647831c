import { describe, expect, it } from 'vitest';
import { ConfigError, canRetry, isConfigError, isPipelineError, PipelineError } from '../src/index.js';

describe('PipelineError', () => {
  it('carries a code and canRetry, and is recognised by its brand, not by instanceof', () => {
    const error = new PipelineError('KAFKA_TIMEOUT', 'slow', { canRetry: true, cause: new Error('inner') });
    expect(error.code).toBe('KAFKA_TIMEOUT');
    expect(error.name).toBe('PipelineError');
    expect((error.cause as Error).message).toBe('inner');
    expect(isPipelineError(error)).toBe(true);
    expect(canRetry(error)).toBe(true);
    // An error made by another copy of this package carries the same registered symbol.
    const foreign = Object.assign(new Error('other copy'), { code: 'KAFKA_TIMEOUT', canRetry: true });
    Object.defineProperty(foreign, Symbol.for('@pipeline/common.PipelineError'), { value: true });
    expect(isPipelineError(foreign)).toBe(true);
    expect(isPipelineError(Object.assign(new Error('look-alike'), { code: 'X', canRetry: true }))).toBe(
      false,
    );
  });

  it('is not retried unless it says so; unknown errors never are', () => {
    expect(canRetry(new PipelineError('DECODE_FAILED', 'bad bytes'))).toBe(false);
    expect(canRetry(new Error('plain'))).toBe(false);
    expect(canRetry('text')).toBe(false);
  });

  it('ConfigError lists every problem under its subject', () => {
    const error = new ConfigError(['A is wrong', 'B is missing'], 'test settings');
    expect(error.message).toBe('invalid test settings:\n  - A is wrong\n  - B is missing');
    expect(error.problems).toEqual(['A is wrong', 'B is missing']);
    expect(isConfigError(error)).toBe(true);
    expect(isConfigError(new PipelineError('INVALID_CONFIG', 'no list'))).toBe(false);
    expect(error.canRetry).toBe(false);
  });
});
