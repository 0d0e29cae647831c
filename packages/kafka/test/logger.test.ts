import { describe, expect, it } from 'vitest';
import { jsonLogger, noopLogger } from '../src/index.js';

describe('jsonLogger', () => {
  it('writes one JSON line per entry with level, time, msg and the fields', () => {
    const lines: string[] = [];
    const logger = jsonLogger({ write: (l) => lines.push(l), bindings: { service: 's' } });
    logger.info({ topic: 't', n: 1n }, 'hello');
    logger.child({ groupId: 'g' }).warn({ err: Object.assign(new Error('boom'), { code: 'E1' }) });
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0] as string);
    expect(first).toMatchObject({ service: 's', topic: 't', n: '1', level: 'info', msg: 'hello' });
    expect(new Date(first.time).toISOString()).toBe(first.time);
    const second = JSON.parse(lines[1] as string);
    expect(second).toMatchObject({
      service: 's',
      groupId: 'g',
      level: 'warn',
      msg: '',
      err: { name: 'Error', message: 'boom', code: 'E1' },
    });
  });

  it('drops entries below its level and survives cycles', () => {
    const lines: string[] = [];
    const logger = jsonLogger({ level: 'warn', write: (l) => lines.push(l) });
    logger.debug({}, 'no');
    logger.info({}, 'no');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.error({ cyclic }, 'yes');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      level: 'error',
      msg: 'yes',
      cyclic: { self: '[Circular]' },
    });
    expect(() => jsonLogger({ level: 'loud' as 'info' })).toThrow(RangeError);
  });

  it('noopLogger swallows everything', () => {
    noopLogger.error({ a: 1 }, 'x');
    expect(noopLogger.child({ b: 2 })).toBe(noopLogger);
  });
});
