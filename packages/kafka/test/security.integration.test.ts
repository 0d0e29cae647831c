import { ConfigError, type Logger } from '@pipeline/common';
import { ChangeRequestSchema, create } from '@pipeline/contracts';
import { CRQ } from '@pipeline/topics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ClientProfile,
  createKafkaClient,
  createProducer,
  encodeRecord,
  KafkaAdmin,
  kafkaConfigFromEnv,
} from '../src/index.js';
import { type SecuredBroker, startSecuredBroker } from './support/secured-broker.js';
import { createTestTopics, readAll, uniqueNames } from './support.js';

// A secured broker of its own (the run's broker speaks PLAINTEXT): TLS with client certificates,
// SASL PLAIN and SCRAM over TLS, SASL PLAIN without TLS. Every client is configured from KAFKA_*
// variables, as a service is.
let broker: SecuredBroker;

beforeAll(async () => {
  broker = await startSecuredBroker();
}, 180_000);

afterAll(async () => {
  await broker?.stop();
});

function client(env: Record<string, string>, options: { profile?: ClientProfile; logger?: Logger } = {}) {
  return createKafkaClient(
    kafkaConfigFromEnv({ KAFKA_CONNECTION_TIMEOUT_MS: '3000', ...env }, { clientId: 'security-test' }),
    options,
  );
}

/** Creates a topic, writes a ChangeRequest and reads it back: the connection works for real. */
async function roundTrip(env: Record<string, string>): Promise<string | undefined> {
  const c = client(env);
  const names = uniqueNames(CRQ);
  await createTestTopics(c, names, [CRQ]);
  const producer = createProducer(c, { names });
  await producer.connect();
  try {
    await producer.sendRecords([
      encodeRecord(CRQ, create(ChangeRequestSchema, { id: 'cr-tls' }), { key: 'cr-tls' }),
    ]);
  } finally {
    await producer.disconnect();
  }
  const [record] = await readAll(c, names, [CRQ], 1);
  return record?.key?.toString('utf8');
}

/** Connects an admin (TLS handshake, SASL, metadata) with the fail-fast profile; the error if it fails. */
async function connectError(env: Record<string, string>): Promise<unknown> {
  try {
    const admin = await KafkaAdmin.open(client(env, { profile: 'cli' }), uniqueNames(CRQ));
    await admin.close();
    return undefined;
  } catch (error) {
    return error;
  }
}

describe('finding 14: Kafka security against a secured broker', () => {
  it('TLS with a client certificate (KAFKA_SSL_CERT, KAFKA_SSL_KEY): in with it, out without', async () => {
    const tls = { KAFKA_BOOTSTRAP: broker.ssl, KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: broker.files.ca };
    const { clientCert, clientKey, strangerCert, strangerKey } = broker.files;
    expect(await roundTrip({ ...tls, KAFKA_SSL_CERT: clientCert, KAFKA_SSL_KEY: clientKey })).toBe('cr-tls');
    expect(await connectError(tls)).toBeDefined();
    expect(
      await connectError({ ...tls, KAFKA_SSL_CERT: strangerCert, KAFKA_SSL_KEY: strangerKey }),
    ).toBeDefined();
  });

  it.each(['scram256', 'scram512'] as const)(
    'SASL %s over TLS: in with the password, out with another',
    async (user) => {
      const { username, password } = broker.users[user];
      const env = {
        KAFKA_BOOTSTRAP: broker.saslSsl,
        KAFKA_SSL: 'true',
        KAFKA_SSL_CA_FILE: broker.files.ca,
        KAFKA_SASL_MECHANISM: user === 'scram256' ? 'scram-sha-256' : 'scram-sha-512',
        KAFKA_SASL_USERNAME: username,
      };
      expect(await roundTrip({ ...env, KAFKA_SASL_PASSWORD: password })).toBe('cr-tls');
      expect(String(await connectError({ ...env, KAFKA_SASL_PASSWORD: 'wrong' }))).toMatch(
        /SASL|[Aa]uthentication/,
      );
    },
  );

  it('SASL PLAIN over TLS', async () => {
    const { username, password } = broker.users.plain;
    const env = {
      KAFKA_BOOTSTRAP: broker.saslSsl,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: broker.files.ca,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: password,
    };
    expect(await connectError(env)).toBeUndefined();
  });

  it('SASL PLAIN without TLS: refused, unless KAFKA_SASL_ALLOW_PLAINTEXT=true, which is said loudly', async () => {
    const { username, password } = broker.users.plain;
    const env = {
      KAFKA_BOOTSTRAP: broker.saslPlaintext,
      KAFKA_SASL_MECHANISM: 'plain',
      KAFKA_SASL_USERNAME: username,
      KAFKA_SASL_PASSWORD: password,
    };
    expect(() => client(env)).toThrow(ConfigError);
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => {},
      info: () => {},
      warn: (_obj, msg) => warnings.push(msg ?? ''),
      error: () => {},
      child: () => logger,
    };
    const allowed = client({ ...env, KAFKA_SASL_ALLOW_PLAINTEXT: 'true' }, { logger });
    expect(warnings).toEqual([
      expect.stringMatching(/^SASL PLAIN WITHOUT TLS: the Kafka password .* in clear/),
    ]);
    const admin = await KafkaAdmin.open(allowed, uniqueNames(CRQ));
    await admin.close();
  });
});
