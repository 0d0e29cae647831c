import { describe, expect, it } from 'vitest';
import { ConfigError, describeEnv, EnvReader, env, loadEnv } from '../src/index.js';

const spec = {
  PORT: env.int({ description: 'port', default: 9300, min: 0, max: 65535 }),
  RATE: env.number({ description: 'rate', default: 0, min: 0, max: 1, what: 'a probability' }),
  WAIT: env.duration({ description: 'wait', default: '1h' }),
  LIMIT: env.duration({ description: 'limit', default: 'off', off: true, min: 1000, max: 60_000 }),
  ON: env.boolean({ description: 'switch', default: true }),
  LEVEL: env.oneOf(['debug', 'info'], { description: 'level', default: 'info' }),
  NAME: env.string({
    description: 'name',
    default: 'x',
    pattern: /^[a-z]+$/,
    patternHint: 'may only use a-z',
  }),
  HOST: env.string({ description: 'host', required: 'set it to the broker' }),
  FILE: env.optional({ description: 'a file' }),
};

describe('the environment reader', () => {
  it('gives defaults for what is unset or blank, and typed values for what is set', () => {
    expect(loadEnv(spec, { HOST: 'h', NAME: '  ' }, 'settings')).toEqual({
      PORT: 9300,
      RATE: 0,
      WAIT: 3_600_000,
      LIMIT: undefined,
      ON: true,
      LEVEL: 'info',
      NAME: 'x',
      HOST: 'h',
      FILE: undefined,
    });
    const values = loadEnv(
      spec,
      {
        HOST: ' h ',
        PORT: '80',
        RATE: '0.25',
        WAIT: '1.5m',
        LIMIT: '30s',
        ON: 'FALSE',
        LEVEL: 'debug',
        NAME: 'abc',
        FILE: '/tmp/f',
      },
      'settings',
    );
    expect(values).toMatchObject({ PORT: 80, RATE: 0.25, WAIT: 90_000, LIMIT: 30_000, ON: false, HOST: 'h' });
    expect(values).toMatchObject({ LEVEL: 'debug', NAME: 'abc', FILE: '/tmp/f' });
  });

  it('reports every problem at once, each naming the variable, the value and what it accepts', () => {
    const bad = {
      PORT: '99999',
      RATE: '2',
      WAIT: 'soon',
      LIMIT: '5m',
      ON: 'yes',
      LEVEL: 'loud',
      NAME: 'A B',
    };
    let caught: unknown;
    try {
      loadEnv(spec, bad, 'test settings');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).problems).toEqual([
      'PORT=99999 is not a whole number from 0 to 65535',
      'RATE=2 is not a probability from 0 to 1',
      'WAIT=soon is not a duration (e.g. 500ms, 30s, 15m, 2h, 7d)',
      'LIMIT=5m is not a duration from 1s to 1m',
      'ON=yes is not true or false',
      'LEVEL=loud is not one of debug, info',
      'NAME=A B may only use a-z',
      'HOST is not set: set it to the broker',
    ]);
    expect((caught as ConfigError).message).toMatch(/^invalid test settings:\n {2}- PORT=99999/);
  });

  it('collects several specs and extra problems into one error, and spots unknown variables', () => {
    const reader = new EnvReader({ HOST: 'h', MOCK_THINKMS: '5', MOCK_ROLES: 'all', PASSWORD: ' secret ' });
    reader.read({ HOST: spec.HOST });
    reader.read({ MOCK_ROLES: env.string({ description: 'roles', default: 'all' }) });
    reader.rejectUnknown('MOCK_', ['MOCK_ROLES'], 'the mock agents');
    reader.problem('something else is off');
    expect(reader.untrimmed('PASSWORD')).toBe(' secret ');
    expect(() => reader.finish('the agents', 1)).toThrow(
      'invalid the agents:\n  - MOCK_THINKMS is not a setting of the mock agents\n  - something else is off',
    );
    expect(new EnvReader({}).finish('x', 42)).toBe(42);
  });

  it('documents each variable with its default', () => {
    const rows = describeEnv(spec);
    expect(rows.find((r) => r.name === 'WAIT')).toEqual({ name: 'WAIT', default: '1h', description: 'wait' });
    expect(rows.find((r) => r.name === 'LIMIT')?.default).toBe('off');
    expect(rows.find((r) => r.name === 'HOST')?.default).toBeUndefined();
    expect(rows.find((r) => r.name === 'ON')?.default).toBe('true');
  });

  it('refuses a default that is not a valid value of its own variable', () => {
    expect(() => env.duration({ description: 'd', default: 'soon' })).toThrow(RangeError);
  });
});

describe('finding 11: config values that stall or spin are refused', () => {
  // Node's timers take at most 2^31−1 ms: a longer one fires after 1 ms (a 30-day grace exits at once).
  const limit = 2 ** 31 - 1;

  it('bounds every duration by 2^31−1 ms by default, and says so in the problem', () => {
    const spec = { GRACE: env.duration({ description: 'grace', default: '10s', min: 1000 }) };
    expect(loadEnv(spec, { GRACE: `${limit}` }, 'settings').GRACE).toBe(limit);
    for (const value of ['30d', `${limit + 1}`]) {
      let problems: readonly string[] = [];
      try {
        loadEnv(spec, { GRACE: value }, 'settings');
      } catch (error) {
        problems = (error as ConfigError).problems;
      }
      expect(problems).toEqual([
        `GRACE=${value} is not a duration from 1s to 2147483647ms (~24.8d, the longest a Node timer can wait)`,
      ]);
    }
  });

  it('refuses a default outside its own range, and a maximum above what a timer can wait', () => {
    expect(() => env.duration({ description: 'd', default: '30d' })).toThrow(RangeError);
    expect(() => env.duration({ description: 'd', default: '0ms', min: 1 })).toThrow(RangeError);
    expect(() => env.duration({ description: 'd', default: '1s', max: limit + 1 })).toThrow(RangeError);
  });

  it('says the range of every variable, for the docs', () => {
    const spec = {
      PORT: env.int({ description: 'port', default: 9300, min: 0, max: 65535 }),
      RATE: env.number({ description: 'rate', default: 0, min: 0, max: 1 }),
      WAIT: env.duration({ description: 'wait', default: '1s', min: 100, max: 300_000 }),
      LIMIT: env.duration({ description: 'limit', default: 'off', off: true, min: 1000 }),
      ON: env.boolean({ description: 'switch', default: true }),
    };
    const ranges = Object.fromEntries(Object.entries(spec).map(([name, v]) => [name, v.range]));
    expect(ranges).toEqual({
      PORT: '0–65535',
      RATE: '0–1',
      WAIT: '100ms–5m',
      LIMIT: '1s–2147483647ms (~24.8d), or off',
      ON: undefined,
    });
  });
});
