import { readFileSync } from 'node:fs';
import { EnvReader, type EnvValues, env } from '@pipeline/common';

/** How to reach the cluster. Plain data: nothing here is specific to one client library. */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  /** TLS: the CA of the brokers, and the client's own certificate, key (PEM) and key passphrase. */
  ssl?:
    | {
        ca?: string[];
        cert?: string;
        key?: string;
        passphrase?: string;
        rejectUnauthorized: boolean;
      }
    | undefined;
  /**
   * SASL. `allowPlaintext`: PLAIN without TLS was asked for on purpose (KAFKA_SASL_ALLOW_PLAINTEXT);
   * without it such a config is refused, because the password would cross the network in clear.
   */
  sasl?:
    | { mechanism: SaslMechanism; username: string; password: string; allowPlaintext?: boolean }
    | undefined;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

/**
 * The accepted timeouts, in ms. A connection that may not take 1 ms fails every time and is retried for
 * ever; one that takes longer than 2 min is a dead address. A request must outlast the consumers'
 * long poll (up to 500 ms) and a loaded broker's answer, so at least 1 s; 10 min at most.
 */
export const KAFKA_TIMEOUT_RANGES = {
  connectionTimeoutMs: { min: 100, max: 120_000 },
  requestTimeoutMs: { min: 1000, max: 600_000 },
} as const;

const BOOTSTRAP_MISSING =
  'KAFKA_BOOTSTRAP is not set: set it to your brokers, e.g. KAFKA_BOOTSTRAP=localhost:9092 ' +
  '(`pnpm kafka:up` starts a local one and prints its address)';

/** The KAFKA_* variables every service and the CLI read: the README's table is this list. */
export const KAFKA_ENV = {
  KAFKA_BOOTSTRAP: env.custom<string[]>({
    description:
      'Required. Comma-separated broker addresses, host:port (`pnpm kafka:up` prints a local one).',
    fallback: [],
    parse: (raw) => parseBrokers(raw),
  }),
  KAFKA_CLIENT_ID: env.optional({
    description: "Client id shown in broker logs; default: the service's name.",
  }),
  KAFKA_SSL: env.boolean({ description: 'true to connect with TLS.', default: false }),
  KAFKA_SSL_CA_FILE: env.optional({
    description: 'PEM file of the CA that signed the broker certificates (needs KAFKA_SSL=true).',
  }),
  KAFKA_SSL_CERT: env.optional({
    description:
      'PEM file of the client certificate, for brokers that authenticate clients by TLS (needs KAFKA_SSL=true and KAFKA_SSL_KEY).',
  }),
  KAFKA_SSL_KEY: env.optional({
    description: 'PEM file of the private key of KAFKA_SSL_CERT (needs KAFKA_SSL_CERT).',
  }),
  KAFKA_SSL_KEY_PASSWORD: env.optional({
    description: 'Passphrase of KAFKA_SSL_KEY when the key is encrypted.',
  }),
  KAFKA_SSL_REJECT_UNAUTHORIZED: env.boolean({
    description:
      'false accepts broker certificates that do not verify; for tests only (needs KAFKA_SSL=true).',
    default: true,
  }),
  KAFKA_SASL_MECHANISM: env.custom<SaslMechanism | undefined>({
    description: `SASL authentication: ${SASL_MECHANISMS.join(', ')}.`,
    fallback: undefined,
    parse: (raw, name) => {
      const lower = raw.toLowerCase();
      return (SASL_MECHANISMS as readonly string[]).includes(lower)
        ? { ok: true, value: lower as SaslMechanism }
        : { ok: false, problem: `${name}=${raw} is not one of ${SASL_MECHANISMS.join(', ')}` };
    },
  }),
  KAFKA_SASL_USERNAME: env.optional({ description: 'SASL user (needs KAFKA_SASL_MECHANISM).' }),
  KAFKA_SASL_PASSWORD: env.optional({ description: 'SASL password (needs KAFKA_SASL_MECHANISM).' }),
  KAFKA_SASL_ALLOW_PLAINTEXT: env.boolean({
    description:
      'true accepts SASL PLAIN without TLS, which sends the password in clear; refused otherwise (logged loudly when on).',
    default: false,
  }),
  KAFKA_CONNECTION_TIMEOUT_MS: env.int({
    description: 'How long to wait for a TCP connection to a broker, in ms.',
    default: 3000,
    ...KAFKA_TIMEOUT_RANGES.connectionTimeoutMs,
  }),
  KAFKA_REQUEST_TIMEOUT_MS: env.int({
    description: 'How long to wait for a broker to answer a request, in ms.',
    default: 30_000,
    ...KAFKA_TIMEOUT_RANGES.requestTimeoutMs,
  }),
} as const;

/**
 * Reads the Kafka settings into `reader`, which collects every problem (with those of the caller's
 * own settings) so that a misconfigured deployment fails once with the whole list.
 */
export function readKafkaConfig(reader: EnvReader, defaults: { clientId: string }): KafkaConfig {
  const v = reader.read(KAFKA_ENV);
  if (reader.raw('KAFKA_BOOTSTRAP') === undefined) reader.problem(BOOTSTRAP_MISSING);
  const ssl = readSsl(reader, v);
  return {
    brokers: v.KAFKA_BOOTSTRAP,
    clientId: v.KAFKA_CLIENT_ID ?? defaults.clientId,
    ssl,
    sasl: readSasl(reader, v, ssl !== undefined),
    connectionTimeoutMs: v.KAFKA_CONNECTION_TIMEOUT_MS,
    requestTimeoutMs: v.KAFKA_REQUEST_TIMEOUT_MS,
  };
}

/** The Kafka settings alone, from an environment; throws one ConfigError listing every problem. */
export function kafkaConfigFromEnv(
  source: NodeJS.ProcessEnv = process.env,
  defaults: { clientId: string },
): KafkaConfig {
  const reader = new EnvReader(source);
  const config = readKafkaConfig(reader, defaults);
  return reader.finish('Kafka configuration', config);
}

type Values = EnvValues<typeof KAFKA_ENV>;

function parseBrokers(raw: string): { ok: true; value: string[] } | { ok: false; problem: string } {
  const entries = raw
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (entries.length === 0) return { ok: false, problem: BOOTSTRAP_MISSING };
  for (const entry of entries) {
    const problem = brokerProblem(entry);
    if (problem) {
      return {
        ok: false,
        problem: `KAFKA_BOOTSTRAP entry "${entry}" ${problem}: use host:port, e.g. localhost:9092`,
      };
    }
  }
  return { ok: true, value: entries };
}

function brokerProblem(entry: string): string | undefined {
  // lastIndexOf keeps IPv6 literals ([::1]:9092) working.
  const colon = entry.lastIndexOf(':');
  if (colon <= 0) return 'has no port';
  const host = entry.slice(0, colon);
  const port = entry.slice(colon + 1);
  if (/\s/.test(host)) return 'has a space in the host';
  if (!/^\d+$/.test(port)) return `has port "${port}", which is not a number`;
  const n = Number(port);
  if (n < 1 || n > 65535) return `has port ${n}, outside 1–65535`;
  return undefined;
}

function readSsl(reader: EnvReader, v: Values): KafkaConfig['ssl'] {
  const rejectUnauthorized = v.KAFKA_SSL_REJECT_UNAUTHORIZED;
  if (!v.KAFKA_SSL) {
    // TLS settings without TLS usually mean someone believes the connection is encrypted. Say so.
    for (const name of [
      'KAFKA_SSL_CA_FILE',
      'KAFKA_SSL_CERT',
      'KAFKA_SSL_KEY',
      'KAFKA_SSL_KEY_PASSWORD',
      'KAFKA_SSL_REJECT_UNAUTHORIZED',
    ]) {
      if (reader.raw(name) !== undefined)
        reader.problem(`${name} is set but KAFKA_SSL is not true: set KAFKA_SSL=true or unset ${name}`);
    }
    return undefined;
  }
  const ssl: NonNullable<KafkaConfig['ssl']> = { rejectUnauthorized };
  const ca = readPem(reader, 'KAFKA_SSL_CA_FILE', v.KAFKA_SSL_CA_FILE, "the PEM file of your brokers' CA");
  if (ca !== undefined) ssl.ca = [ca];
  const client = readClientCertificate(reader, v);
  if (client) Object.assign(ssl, client);
  return ssl;
}

/** KAFKA_SSL_CERT and KAFKA_SSL_KEY (and the key's passphrase): both or neither, each a PEM file. */
function readClientCertificate(
  reader: EnvReader,
  v: Values,
): { cert: string; key: string; passphrase?: string } | undefined {
  const { KAFKA_SSL_CERT: certFile, KAFKA_SSL_KEY: keyFile } = v;
  // Not trimmed: spaces may be part of a passphrase.
  const passphrase = reader.untrimmed('KAFKA_SSL_KEY_PASSWORD');
  if (passphrase !== undefined && keyFile === undefined)
    reader.problem('KAFKA_SSL_KEY_PASSWORD is set but KAFKA_SSL_KEY is not: unset it');
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (keyFile === undefined) {
    reader.problem(
      'KAFKA_SSL_CERT is set but KAFKA_SSL_KEY is not: a client certificate needs its private key',
    );
    return undefined;
  }
  if (certFile === undefined) {
    reader.problem('KAFKA_SSL_KEY is set but KAFKA_SSL_CERT is not: set both, or neither');
    return undefined;
  }
  const cert = readPem(reader, 'KAFKA_SSL_CERT', certFile, 'the PEM file of the client certificate');
  const key = readPem(reader, 'KAFKA_SSL_KEY', keyFile, 'the PEM file of the private key');
  if (cert === undefined || key === undefined) return undefined;
  if (!cert.includes('-----BEGIN CERTIFICATE-----')) {
    reader.problem(
      `KAFKA_SSL_CERT points to ${certFile}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----)`,
    );
    return undefined;
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) {
    reader.problem(
      `KAFKA_SSL_KEY points to ${keyFile}, which holds no PEM private key (-----BEGIN … PRIVATE KEY-----)`,
    );
    return undefined;
  }
  const encrypted = key.includes('ENCRYPTED');
  if (encrypted && passphrase === undefined) {
    reader.problem('KAFKA_SSL_KEY holds an encrypted private key: set KAFKA_SSL_KEY_PASSWORD');
    return undefined;
  }
  return passphrase === undefined ? { cert, key } : { cert, key, passphrase };
}

/** The text of a PEM file named by a variable; undefined (and a problem) when it cannot be read. */
function readPem(
  reader: EnvReader,
  name: string,
  file: string | undefined,
  what: string,
): string | undefined {
  if (file === undefined) return undefined;
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : `cannot be read (${(e as Error).message})`;
    reader.problem(`${name} points to ${file}, which ${reason}: set it to ${what}`);
    return undefined;
  }
}

function readSasl(reader: EnvReader, v: Values, tls: boolean): KafkaConfig['sasl'] {
  const mechanism = v.KAFKA_SASL_MECHANISM;
  // PLAIN sends the password itself (SCRAM only proves it knows it): without TLS, only on purpose.
  const plainInClear = mechanism === 'plain' && !tls;
  if (plainInClear && !v.KAFKA_SASL_ALLOW_PLAINTEXT) {
    reader.problem(
      'KAFKA_SASL_MECHANISM=plain without KAFKA_SSL=true sends the password in clear: set KAFKA_SSL=true, ' +
        'or KAFKA_SASL_ALLOW_PLAINTEXT=true to accept that knowingly',
    );
  }
  if (v.KAFKA_SASL_ALLOW_PLAINTEXT && !plainInClear) {
    reader.problem(
      'KAFKA_SASL_ALLOW_PLAINTEXT is set but there is no SASL PLAIN without TLS to allow: unset it',
    );
  }
  const username = v.KAFKA_SASL_USERNAME;
  // Not trimmed: spaces may be part of a password.
  const password = reader.untrimmed('KAFKA_SASL_PASSWORD');
  const asked = reader.raw('KAFKA_SASL_MECHANISM');
  if (asked === undefined) {
    for (const [name, value] of [
      ['KAFKA_SASL_USERNAME', username],
      ['KAFKA_SASL_PASSWORD', password],
    ] as const) {
      if (value !== undefined) {
        reader.problem(
          `${name} is set but KAFKA_SASL_MECHANISM is not: set KAFKA_SASL_MECHANISM to one of ${SASL_MECHANISMS.join(', ')}`,
        );
      }
    }
    return undefined;
  }
  if (username === undefined)
    reader.problem(`KAFKA_SASL_USERNAME is not set: KAFKA_SASL_MECHANISM=${asked} needs a user name`);
  if (password === undefined)
    reader.problem(`KAFKA_SASL_PASSWORD is not set: KAFKA_SASL_MECHANISM=${asked} needs a password`);
  if (mechanism === undefined || username === undefined || password === undefined) return undefined;
  return plainInClear
    ? { mechanism, username, password, allowPlaintext: true }
    : { mechanism, username, password };
}
