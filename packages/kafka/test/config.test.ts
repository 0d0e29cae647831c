import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, describeEnv } from '@pipeline/common';
import { afterAll, describe, expect, it } from 'vitest';
import { createKafkaClient, KAFKA_ENV, kafkaConfigFromEnv } from '../src/index.js';

const KAFKA_ENV_VARS = describeEnv(KAFKA_ENV);

const defaults = { clientId: 'svc' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    kafkaConfigFromEnv(env, defaults);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const err = e as ConfigError;
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.canRetry).toBe(false);
    for (const p of err.problems) expect(err.message).toContain(p);
    return [...err.problems];
  }
  throw new Error('expected a ConfigError');
}

describe('kafkaConfigFromEnv', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads a minimal environment with defaults', () => {
    expect(kafkaConfigFromEnv({ KAFKA_BOOTSTRAP: 'localhost:9092' }, defaults)).toEqual({
      brokers: ['localhost:9092'],
      clientId: 'svc',
      ssl: undefined,
      sasl: undefined,
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 30000,
    });
  });

  it('splits and trims several brokers, accepts IPv6 literals, and takes KAFKA_CLIENT_ID', () => {
    const config = kafkaConfigFromEnv(
      { KAFKA_BOOTSTRAP: ' a:1, b.example.com:65535 ,[::1]:9092,', KAFKA_CLIENT_ID: 'other' },
      defaults,
    );
    expect(config.brokers).toEqual(['a:1', 'b.example.com:65535', '[::1]:9092']);
    expect(config.clientId).toBe('other');
  });

  it('explains a missing KAFKA_BOOTSTRAP with an example and how to start a broker', () => {
    for (const env of [{}, { KAFKA_BOOTSTRAP: '' }, { KAFKA_BOOTSTRAP: ' , ' }]) {
      const [problem] = problemsOf(env);
      expect(problem).toContain('KAFKA_BOOTSTRAP is not set');
      expect(problem).toContain('KAFKA_BOOTSTRAP=localhost:9092');
      expect(problem).toContain('pnpm kafka:up');
    }
  });

  it.each([
    ['localhost', 'has no port'],
    [':9092', 'has no port'],
    ['localhost:abc', 'not a number'],
    ['localhost:0', 'outside 1–65535'],
    ['localhost:65536', 'outside 1–65535'],
    ['local host:9092', 'space'],
  ])('rejects broker %s', (broker, why) => {
    const [problem] = problemsOf({ KAFKA_BOOTSTRAP: broker });
    expect(problem).toContain(`KAFKA_BOOTSTRAP entry "${broker}"`);
    expect(problem).toContain(why);
  });

  it('reports every problem together', () => {
    const problems = problemsOf({
      KAFKA_BOOTSTRAP: 'ok:1,bad',
      KAFKA_SSL: 'maybe',
      KAFKA_SASL_MECHANISM: 'gssapi',
      KAFKA_CONNECTION_TIMEOUT_MS: '-5',
      KAFKA_REQUEST_TIMEOUT_MS: '1.5',
    });
    expect(problems).toHaveLength(7);
    expect(problems.join('\n')).toMatch(/KAFKA_BOOTSTRAP entry "bad"/);
    expect(problems.join('\n')).toMatch(/KAFKA_SSL=maybe is not true or false/);
    expect(problems.join('\n')).toMatch(
      /KAFKA_SASL_MECHANISM=gssapi is not one of plain, scram-sha-256, scram-sha-512/,
    );
    expect(problems.join('\n')).toMatch(/KAFKA_SASL_USERNAME is not set/);
    expect(problems.join('\n')).toMatch(/KAFKA_SASL_PASSWORD is not set/);
    expect(problems.join('\n')).toMatch(
      /KAFKA_CONNECTION_TIMEOUT_MS=-5 is not a whole number from 100 to 120000/,
    );
    expect(problems.join('\n')).toMatch(
      /KAFKA_REQUEST_TIMEOUT_MS=1.5 is not a whole number from 1000 to 600000/,
    );
  });

  it('reads timeouts', () => {
    const c = kafkaConfigFromEnv(
      { KAFKA_BOOTSTRAP: 'h:1', KAFKA_CONNECTION_TIMEOUT_MS: '100', KAFKA_REQUEST_TIMEOUT_MS: '2000' },
      defaults,
    );
    expect(c.connectionTimeoutMs).toBe(100);
    expect(c.requestTimeoutMs).toBe(2000);
    expect(problemsOf({ KAFKA_BOOTSTRAP: 'h:1', KAFKA_REQUEST_TIMEOUT_MS: '0' })[0]).toContain(
      'KAFKA_REQUEST_TIMEOUT_MS=0 is not a whole number from 1000 to',
    );
  });

  describe('SSL', () => {
    it('is off by default and on with KAFKA_SSL=true (verifying certificates)', () => {
      expect(
        kafkaConfigFromEnv({ KAFKA_BOOTSTRAP: 'h:1', KAFKA_SSL: 'false' }, defaults).ssl,
      ).toBeUndefined();
      expect(kafkaConfigFromEnv({ KAFKA_BOOTSTRAP: 'h:1', KAFKA_SSL: 'TRUE' }, defaults).ssl).toEqual({
        rejectUnauthorized: true,
      });
    });

    it('reads the CA file and KAFKA_SSL_REJECT_UNAUTHORIZED', () => {
      const ca = join(dir, 'ca.pem');
      writeFileSync(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const c = kafkaConfigFromEnv(
        {
          KAFKA_BOOTSTRAP: 'h:1',
          KAFKA_SSL: 'true',
          KAFKA_SSL_CA_FILE: ca,
          KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
        },
        defaults,
      );
      expect(c.ssl).toEqual({
        ca: [expect.stringContaining('BEGIN CERTIFICATE')],
        rejectUnauthorized: false,
      });
    });

    it('names a missing CA file', () => {
      const missing = join(dir, 'nope.pem');
      const [problem] = problemsOf({ KAFKA_BOOTSTRAP: 'h:1', KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: missing });
      expect(problem).toContain(`KAFKA_SSL_CA_FILE points to ${missing}, which does not exist`);
    });

    it('rejects TLS settings without KAFKA_SSL=true', () => {
      const problems = problemsOf({
        KAFKA_BOOTSTRAP: 'h:1',
        KAFKA_SSL_CA_FILE: '/x.pem',
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'false',
      });
      expect(problems).toHaveLength(2);
      expect(problems[0]).toContain('KAFKA_SSL_CA_FILE is set but KAFKA_SSL is not true');
      expect(problems[1]).toContain('KAFKA_SSL_REJECT_UNAUTHORIZED is set but KAFKA_SSL is not true');
    });

    it('rejects a non-boolean KAFKA_SSL_REJECT_UNAUTHORIZED', () => {
      const [problem] = problemsOf({
        KAFKA_BOOTSTRAP: 'h:1',
        KAFKA_SSL: 'true',
        KAFKA_SSL_REJECT_UNAUTHORIZED: 'nah',
      });
      expect(problem).toContain('KAFKA_SSL_REJECT_UNAUTHORIZED=nah is not true or false');
    });
  });

  describe('SASL', () => {
    it.each(['plain', 'scram-sha-256', 'SCRAM-SHA-512'])('reads mechanism %s', (mechanism) => {
      const c = kafkaConfigFromEnv(
        {
          KAFKA_BOOTSTRAP: 'h:1',
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: mechanism,
          KAFKA_SASL_USERNAME: 'u',
          KAFKA_SASL_PASSWORD: ' p w ',
        },
        defaults,
      );
      expect(c.sasl).toEqual({ mechanism: mechanism.toLowerCase(), username: 'u', password: ' p w ' });
    });

    it('names the missing credential', () => {
      expect(
        problemsOf({
          KAFKA_BOOTSTRAP: 'h:1',
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_PASSWORD: 'p',
        }),
      ).toEqual([expect.stringContaining('KAFKA_SASL_USERNAME is not set')]);
      expect(
        problemsOf({
          KAFKA_BOOTSTRAP: 'h:1',
          KAFKA_SSL: 'true',
          KAFKA_SASL_MECHANISM: 'plain',
          KAFKA_SASL_USERNAME: 'u',
        }),
      ).toEqual([expect.stringContaining('KAFKA_SASL_PASSWORD is not set')]);
    });

    it('rejects credentials without a mechanism', () => {
      const problems = problemsOf({
        KAFKA_BOOTSTRAP: 'h:1',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      });
      expect(problems).toHaveLength(2);
      for (const p of problems) expect(p).toContain('KAFKA_SASL_MECHANISM is not');
    });
  });

  it('documents every variable it reads', () => {
    const names = KAFKA_ENV_VARS.map((v) => v.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'KAFKA_BOOTSTRAP',
        'KAFKA_CLIENT_ID',
        'KAFKA_SSL',
        'KAFKA_SSL_CA_FILE',
        'KAFKA_SSL_REJECT_UNAUTHORIZED',
        'KAFKA_SASL_MECHANISM',
        'KAFKA_SASL_USERNAME',
        'KAFKA_SASL_PASSWORD',
        'KAFKA_CONNECTION_TIMEOUT_MS',
        'KAFKA_REQUEST_TIMEOUT_MS',
      ]),
    );
    expect(new Set(names).size).toBe(names.length);
    for (const v of KAFKA_ENV_VARS) expect(v.description.length).toBeGreaterThan(0);
  });
});

describe('finding 11: config values that stall or spin are refused', () => {
  it.each([
    // A connection that may not take 1 ms fails every time, and the client retries for ever.
    [
      'KAFKA_CONNECTION_TIMEOUT_MS',
      '1',
      'KAFKA_CONNECTION_TIMEOUT_MS=1 is not a whole number from 100 to 120000',
    ],
    [
      'KAFKA_CONNECTION_TIMEOUT_MS',
      '600000',
      'KAFKA_CONNECTION_TIMEOUT_MS=600000 is not a whole number from 100 to 120000',
    ],
    // A request must outlast the consumers' long poll (up to 500 ms) and a loaded broker's answer.
    ['KAFKA_REQUEST_TIMEOUT_MS', '1', 'KAFKA_REQUEST_TIMEOUT_MS=1 is not a whole number from 1000 to 600000'],
    [
      'KAFKA_REQUEST_TIMEOUT_MS',
      '999',
      'KAFKA_REQUEST_TIMEOUT_MS=999 is not a whole number from 1000 to 600000',
    ],
  ])('%s=%s is refused, saying the range', (name, value, problem) => {
    expect(problemsOf({ KAFKA_BOOTSTRAP: 'h:1', [name]: value })).toEqual([problem]);
  });

  it('accepts the ends of the ranges', () => {
    const low = kafkaConfigFromEnv(
      { KAFKA_BOOTSTRAP: 'h:1', KAFKA_CONNECTION_TIMEOUT_MS: '100', KAFKA_REQUEST_TIMEOUT_MS: '1000' },
      defaults,
    );
    expect(low).toMatchObject({ connectionTimeoutMs: 100, requestTimeoutMs: 1000 });
    const high = kafkaConfigFromEnv(
      { KAFKA_BOOTSTRAP: 'h:1', KAFKA_CONNECTION_TIMEOUT_MS: '120000', KAFKA_REQUEST_TIMEOUT_MS: '600000' },
      defaults,
    );
    expect(high).toMatchObject({ connectionTimeoutMs: 120_000, requestTimeoutMs: 600_000 });
  });

  it('a hand-made config is held to the same ranges', () => {
    const base = { brokers: ['h:1'], clientId: 'c', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 };
    expect(() => createKafkaClient({ ...base, requestTimeoutMs: 1 })).toThrow(
      'requestTimeoutMs must be a whole number from 1000 to 600000, got 1',
    );
    expect(() => createKafkaClient({ ...base, connectionTimeoutMs: 2 ** 31 })).toThrow(
      'connectionTimeoutMs must be a whole number from 100 to 120000, got 2147483648',
    );
  });
});

describe('finding 14: Kafka security settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kafka-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'client.pem');
  const key = join(dir, 'client.key');
  const encryptedKey = join(dir, 'encrypted.key');
  writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
  writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n');
  writeFileSync(
    encryptedKey,
    '-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIE\n-----END ENCRYPTED PRIVATE KEY-----\n',
  );
  const PLAIN = {
    KAFKA_BOOTSTRAP: 'h:1',
    KAFKA_SASL_MECHANISM: 'plain',
    KAFKA_SASL_USERNAME: 'u',
    KAFKA_SASL_PASSWORD: 'p',
  };

  it('refuses SASL PLAIN without TLS: the password would cross the network in clear', () => {
    expect(problemsOf(PLAIN)).toEqual([
      'KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends the password in clear: set KAFKA_SSL=true, ' +
        'or KAFKA_SASL_ALLOW_PLAINTEXT=true to accept that knowingly',
    ]);
    expect(kafkaConfigFromEnv({ ...PLAIN, KAFKA_SSL: 'true' }, defaults).sasl).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'p',
    });
  });

  it('accepts it with KAFKA_SASL_ALLOW_PLAINTEXT=true, and only where it means something', () => {
    expect(kafkaConfigFromEnv({ ...PLAIN, KAFKA_SASL_ALLOW_PLAINTEXT: 'true' }, defaults).sasl).toEqual({
      mechanism: 'plain',
      username: 'u',
      password: 'p',
      allowPlaintext: true,
    });
    // SCRAM never sends the password itself: no flag needed (the data still travels in clear).
    expect(
      kafkaConfigFromEnv({ ...PLAIN, KAFKA_SASL_MECHANISM: 'scram-sha-512' }, defaults).sasl?.mechanism,
    ).toBe('scram-sha-512');
    for (const env of [
      { ...PLAIN, KAFKA_SSL: 'true', KAFKA_SASL_ALLOW_PLAINTEXT: 'true' },
      { ...PLAIN, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_ALLOW_PLAINTEXT: 'true' },
      { KAFKA_BOOTSTRAP: 'h:1', KAFKA_SASL_ALLOW_PLAINTEXT: 'true' },
    ]) {
      expect(problemsOf(env)).toEqual([
        'KAFKA_SASL_ALLOW_PLAINTEXT is set but there is no SASL PLAIN without TLS to allow: unset it',
      ]);
    }
    expect(problemsOf({ ...PLAIN, KAFKA_SASL_ALLOW_PLAINTEXT: 'maybe' })).toEqual([
      'KAFKA_SASL_ALLOW_PLAINTEXT=maybe is not true or false',
      expect.stringContaining('KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true'),
    ]);
  });

  it('reads a client certificate and its key (PEM files) for TLS client authentication', () => {
    const tls = { KAFKA_BOOTSTRAP: 'h:1', KAFKA_SSL: 'true' };
    expect(kafkaConfigFromEnv({ ...tls, KAFKA_SSL_CERT: cert, KAFKA_SSL_KEY: key }, defaults).ssl).toEqual({
      rejectUnauthorized: true,
      cert: expect.stringContaining('BEGIN CERTIFICATE'),
      key: expect.stringContaining('BEGIN PRIVATE KEY'),
    });
    expect(
      kafkaConfigFromEnv(
        { ...tls, KAFKA_SSL_CERT: cert, KAFKA_SSL_KEY: encryptedKey, KAFKA_SSL_KEY_PASSWORD: ' pw ' },
        defaults,
      ).ssl,
    ).toMatchObject({ key: expect.stringContaining('ENCRYPTED'), passphrase: ' pw ' });
  });

  const missing = join(dir, 'missing.pem');
  it.each([
    [
      { KAFKA_SSL_CERT: cert },
      'KAFKA_SSL_CERT is set but KAFKA_SSL is not true: set KAFKA_SSL=true or unset KAFKA_SSL_CERT',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT: cert },
      'KAFKA_SSL_CERT is set but KAFKA_SSL_KEY is not: a client certificate needs its private key',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_KEY: key },
      'KAFKA_SSL_KEY is set but KAFKA_SSL_CERT is not: set both, or neither',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT: key, KAFKA_SSL_KEY: key },
      `KAFKA_SSL_CERT points to ${key}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT: cert, KAFKA_SSL_KEY: cert },
      `KAFKA_SSL_KEY points to ${cert}, which holds no PEM private key (-----BEGIN … PRIVATE KEY-----)`,
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT: cert, KAFKA_SSL_KEY: encryptedKey },
      'KAFKA_SSL_KEY holds an encrypted private key: set KAFKA_SSL_KEY_PASSWORD',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_KEY_PASSWORD: 'pw' },
      'KAFKA_SSL_KEY_PASSWORD is set but KAFKA_SSL_KEY is not: unset it',
    ],
    [
      { KAFKA_SSL: 'true', KAFKA_SSL_CERT: missing, KAFKA_SSL_KEY: key },
      `KAFKA_SSL_CERT points to ${missing}, which does not exist: set it to the PEM file of the client certificate`,
    ],
  ])('%o is refused, naming what to fix', (settings, problem) => {
    expect(problemsOf({ KAFKA_BOOTSTRAP: 'h:1', ...settings })).toEqual([problem]);
  });

  it('a hand-made config is held to the same rule, and PLAIN without TLS allowed is said loudly', () => {
    const base = { brokers: ['h:1'], clientId: 'c', connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 };
    const sasl = { mechanism: 'plain' as const, username: 'u', password: 'p' };
    expect(() => createKafkaClient({ ...base, sasl })).toThrow(/SASL PLAIN without TLS/);
    const warnings: string[] = [];
    const logger = {
      debug: () => {},
      info: () => {},
      warn: (_: object, msg?: string) => warnings.push(msg ?? ''),
      error: () => {},
      child() {
        return this;
      },
    };
    createKafkaClient({ ...base, sasl: { ...sasl, allowPlaintext: true } }, { logger });
    expect(warnings).toEqual([
      'SASL PLAIN WITHOUT TLS: the Kafka password and every message cross the network in clear ' +
        '(KAFKA_SASL_ALLOW_PLAINTEXT=true); use it on a trusted network only',
    ]);
  });

  it('documents the new variables', () => {
    const names = KAFKA_ENV_VARS.map((v) => v.name);
    for (const name of [
      'KAFKA_SSL_CERT',
      'KAFKA_SSL_KEY',
      'KAFKA_SSL_KEY_PASSWORD',
      'KAFKA_SASL_ALLOW_PLAINTEXT',
    ])
      expect(names).toContain(name);
  });
});
