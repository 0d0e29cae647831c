import { describe, expect, it } from 'vitest';
import { createLogger, noopLogger } from '../src/index.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error') {
  const lines: Array<Record<string, unknown>> = [];
  const destination = { write: (line: string) => lines.push(JSON.parse(line)) };
  const logger = createLogger({ ...(level ? { level } : {}), bindings: { service: 's' }, destination });
  return { lines, logger };
}

describe('createLogger', () => {
  it('writes one JSON line per entry with the level name, an ISO time, msg and the fields', () => {
    const { lines, logger } = capture();
    logger.info({ requestId: 'cr-1' }, 'hello');
    logger.child({ component: 'c' }).warn({ err: Object.assign(new Error('boom'), { code: 'E1' }) }, 'bad');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ service: 's', requestId: 'cr-1', level: 'info', msg: 'hello' });
    const time = lines[0]?.time as string;
    expect(new Date(time).toISOString()).toBe(time);
    expect(lines[1]).toMatchObject({ service: 's', component: 'c', level: 'warn', msg: 'bad' });
    expect(lines[1]?.err).toMatchObject({ type: 'Error', message: 'boom', code: 'E1' });
  });

  it('drops entries below its level', () => {
    const { lines, logger } = capture('warn');
    logger.debug({}, 'no');
    logger.info({}, 'no');
    logger.error({}, 'yes');
    expect(lines.map((l) => l.msg)).toEqual(['yes']);
    expect(() => createLogger({ level: 'loud' as 'info' })).toThrow(RangeError);
  });

  it('binds a key once even when a child binds it again', () => {
    const raw: string[] = [];
    const logger = createLogger({ destination: { write: (line: string) => raw.push(line) } });
    logger.child({ component: 'outer' }).child({ component: 'inner', partition: 3 }).info({}, 'x');
    expect(raw[0]?.match(/"component"/g)).toHaveLength(1);
    expect(JSON.parse(raw[0] as string)).toMatchObject({ component: 'inner', partition: 3 });
  });

  it('noopLogger swallows everything', () => {
    noopLogger.error({ a: 1 }, 'x');
    expect(noopLogger.child({ b: 2 })).toBe(noopLogger);
  });
});
