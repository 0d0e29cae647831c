import { isPipelineError } from '@pipeline/common';
import { describe, expect, it } from 'vitest';
import { EXIT_CONFIG, EXIT_START_FAILED, LauncherError } from '../src/errors.js';
import {
  DEFAULT_KAFKA_VERSION,
  DEFAULT_START_TIMEOUT_MS,
  parseBrokers,
  parsePort,
  parseTimeout,
  seconds,
  validateVersion,
} from '../src/options.js';

function errorOf(fn: () => unknown): LauncherError {
  try {
    fn();
  } catch (error) {
    if (error instanceof LauncherError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('validateVersion', () => {
  it('accepts x.y.z from 3.3 on', () => {
    for (const v of [DEFAULT_KAFKA_VERSION, '3.3.0', '3.9.1', '4.1.2', '10.0.0'])
      expect(validateVersion(v)).toBe(v);
  });

  it('refuses what is not x.y.z, with exit code 2', () => {
    for (const v of ['not-a-version', '3.9', '3.9.1-rc1', '', ' 3.9.1']) {
      const error = errorOf(() => validateVersion(v));
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toBe(`invalid Kafka version "${v}" (expected e.g. 3.9.1 or 4.1.2).`);
    }
  });

  it('refuses versions before KRaft (3.3)', () => {
    for (const v of ['3.2.3', '2.8.1']) {
      const error = errorOf(() => validateVersion(v));
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toBe(`Kafka ${v} is too old: this launcher needs KRaft (3.3 or newer).`);
    }
  });
});

describe('parsePort', () => {
  it('is undefined (pick a free port) when nothing is asked for', () => {
    expect(parsePort(undefined)).toBeUndefined();
    expect(parsePort(null)).toBeUndefined();
    expect(parsePort('')).toBeUndefined();
  });

  it('reads 1–65535 from a number or a string', () => {
    expect(parsePort(19092)).toBe(19092);
    expect(parsePort('1')).toBe(1);
    expect(parsePort('65535')).toBe(65535);
  });

  it('refuses anything else, with exit code 2', () => {
    for (const p of ['0', '65536', 'x', '1.5', -1]) {
      const error = errorOf(() => parsePort(p));
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toBe(`invalid port "${p}" (KAFKA_PORT / --port must be 1–65535).`);
    }
  });
});

describe('parseBrokers', () => {
  it('is undefined when nothing is asked for, else 1 or 3 to 5 from a number or a string', () => {
    expect(parseBrokers(undefined)).toBeUndefined();
    expect(parseBrokers('')).toBeUndefined();
    for (const b of [1, 3, 4, 5, '3', '5']) expect(parseBrokers(b)).toBe(Number(b));
  });

  it('refuses 2 (a quorum of two survives no loss), 0, more than 5 and non-integers, with exit code 2 and the range', () => {
    for (const b of [2, 0, 6, '2', 'three', 3.5]) {
      const error = errorOf(() => parseBrokers(b));
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toContain('--brokers must be 1, or 3 to 5 for a cluster');
    }
  });
});

describe('parseTimeout', () => {
  it('defaults to 90 s and reads a positive number of ms', () => {
    expect(DEFAULT_START_TIMEOUT_MS).toBe(90_000);
    expect(parseTimeout(undefined)).toBe(90_000);
    expect(parseTimeout('')).toBe(90_000);
    expect(parseTimeout('120000')).toBe(120_000);
    expect(parseTimeout(1.5)).toBe(1.5);
  });

  it('refuses zero, negatives and text, with exit code 2', () => {
    for (const t of ['0', '-5', 'soon', 'Infinity']) {
      const error = errorOf(() => parseTimeout(t));
      expect(error.exitCode).toBe(EXIT_CONFIG);
      expect(error.message).toContain('KAFKA_START_TIMEOUT_MS must be a positive number of ms');
    }
  });
});

describe('LauncherError', () => {
  it('is a PipelineError with the launcher code, exit code 1 unless told, and optional details', () => {
    const plain = new LauncherError('broke');
    expect(isPipelineError(plain)).toBe(true);
    expect(plain.code).toBe('LAUNCHER_FAILED');
    expect(plain.name).toBe('LauncherError');
    expect(plain.exitCode).toBe(EXIT_START_FAILED);
    expect(plain.details).toBeUndefined();
    const config = new LauncherError('bad', { exitCode: EXIT_CONFIG, details: 'tail' });
    expect(config.exitCode).toBe(2);
    expect(config.details).toBe('tail');
  });

  it('formats durations as seconds with one decimal', () => {
    expect(seconds(2380)).toBe('2.4s');
  });
});
