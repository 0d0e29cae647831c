import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors/config-error.js';

/** How to reach the cluster. Plain data: it says nothing about kafkajs, so another client could use it. */
export interface KafkaConfig {
  brokers: string[];
  clientId: string;
  ssl?: { ca?: string[]; rejectUnauthorized: boolean } | undefined;
  sasl?: { mechanism: SaslMechanism; username: string; password: string } | undefined;
  connectionTimeoutMs: number;
  requestTimeoutMs: number;
}

export const SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type SaslMechanism = (typeof SASL_MECHANISMS)[number];

const DEFAULT_CONNECTION_TIMEOUT_MS = 3000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30000;

/** The variables `kafkaConfigFromEnv` reads, for docs and `--help` output. */
export const KAFKA_ENV_VARS: ReadonlyArray<{
  name: string;
  default: string | undefined;
  description: string;
}> = [
  {
    name: 'KAFKA_BOOTSTRAP',
    default: undefined,
    description:
      'Required. Comma-separated broker addresses, host:port (`pnpm kafka:up` prints a local one).',
  },
  {
    name: 'KAFKA_CLIENT_ID',
    default: undefined,
    description: "Client id shown in broker logs; default: the service's name.",
  },
  { name: 'KAFKA_SSL', default: 'false', description: 'true to connect with TLS.' },
  {
    name: 'KAFKA_SSL_CA_FILE',
    default: undefined,
    description: 'PEM file of the CA that signed the broker certificates (needs KAFKA_SSL=true).',
  },
  {
    name: 'KAFKA_SSL_REJECT_UNAUTHORIZED',
    default: 'true',
    description:
      'false accepts broker certificates that do not verify; for tests only (needs KAFKA_SSL=true).',
  },
  {
    name: 'KAFKA_SASL_MECHANISM',
    default: undefined,
    description: `SASL authentication: ${SASL_MECHANISMS.join(', ')}.`,
  },
  { name: 'KAFKA_SASL_USERNAME', default: undefined, description: 'SASL user (needs KAFKA_SASL_MECHANISM).' },
  {
    name: 'KAFKA_SASL_PASSWORD',
    default: undefined,
    description: 'SASL password (needs KAFKA_SASL_MECHANISM).',
  },
  {
    name: 'KAFKA_CONNECTION_TIMEOUT_MS',
    default: String(DEFAULT_CONNECTION_TIMEOUT_MS),
    description: 'How long to wait for a TCP connection to a broker, in ms.',
  },
  {
    name: 'KAFKA_REQUEST_TIMEOUT_MS',
    default: String(DEFAULT_REQUEST_TIMEOUT_MS),
    description: 'How long to wait for a broker to answer a request, in ms.',
  },
];

/**
 * Reads the Kafka settings from the environment. Every problem is collected and reported in one
 * ConfigError, each naming the variable and how to fix it, so a misconfigured deployment fails once
 * with the whole list instead of one variable per restart.
 */
export function kafkaConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { clientId: string },
): KafkaConfig {
  const problems: string[] = [];
  const get: Get = Object.assign(
    (name: string): string | undefined => {
      const value = env[name]?.trim();
      return value === '' ? undefined : value;
    },
    { raw: (name: string) => env[name] },
  );

  const brokers = parseBrokers(get('KAFKA_BOOTSTRAP'), problems);
  const clientId = get('KAFKA_CLIENT_ID') ?? defaults.clientId;
  if (!clientId)
    problems.push('KAFKA_CLIENT_ID is empty and no default client id was given: set KAFKA_CLIENT_ID');

  const ssl = parseSsl(get, problems);
  const sasl = parseSasl(get, problems);
  const connectionTimeoutMs = parsePositiveInt(
    'KAFKA_CONNECTION_TIMEOUT_MS',
    get,
    DEFAULT_CONNECTION_TIMEOUT_MS,
    problems,
  );
  const requestTimeoutMs = parsePositiveInt(
    'KAFKA_REQUEST_TIMEOUT_MS',
    get,
    DEFAULT_REQUEST_TIMEOUT_MS,
    problems,
  );

  if (problems.length > 0) throw new ConfigError(problems);
  return { brokers, clientId, ssl, sasl, connectionTimeoutMs, requestTimeoutMs };
}

type Get = ((name: string) => string | undefined) & { raw: (name: string) => string | undefined };

function parseBrokers(raw: string | undefined, problems: string[]): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (entries.length === 0) {
    problems.push(
      'KAFKA_BOOTSTRAP is not set: set it to your brokers, e.g. KAFKA_BOOTSTRAP=localhost:9092 ' +
        '(`pnpm kafka:up` starts a local one and prints its address)',
    );
    return [];
  }
  for (const entry of entries) {
    const problem = brokerProblem(entry);
    if (problem)
      problems.push(`KAFKA_BOOTSTRAP entry "${entry}" ${problem}: use host:port, e.g. localhost:9092`);
  }
  return entries;
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

function parseBoolean(name: string, get: Get, fallback: boolean, problems: string[]): boolean {
  const raw = get(name);
  if (raw === undefined) return fallback;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  problems.push(`${name} is "${raw}": set it to true or false`);
  return fallback;
}

function parseSsl(get: Get, problems: string[]): KafkaConfig['ssl'] {
  const enabled = parseBoolean('KAFKA_SSL', get, false, problems);
  const caFile = get('KAFKA_SSL_CA_FILE');
  const rejectUnauthorized = parseBoolean('KAFKA_SSL_REJECT_UNAUTHORIZED', get, true, problems);
  if (!enabled) {
    // TLS settings without TLS usually mean someone believes the connection is encrypted. Say so.
    for (const name of ['KAFKA_SSL_CA_FILE', 'KAFKA_SSL_REJECT_UNAUTHORIZED']) {
      if (get(name) !== undefined)
        problems.push(`${name} is set but KAFKA_SSL is not true: set KAFKA_SSL=true or unset ${name}`);
    }
    return undefined;
  }
  if (caFile === undefined) return { rejectUnauthorized };
  try {
    return { ca: [readFileSync(caFile, 'utf8')], rejectUnauthorized };
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : `cannot be read (${(e as Error).message})`;
    problems.push(
      `KAFKA_SSL_CA_FILE points to ${caFile}, which ${reason}: set it to the PEM file of your brokers' CA`,
    );
    return { rejectUnauthorized };
  }
}

function parseSasl(get: Get, problems: string[]): KafkaConfig['sasl'] {
  const mechanism = get('KAFKA_SASL_MECHANISM');
  const username = get('KAFKA_SASL_USERNAME');
  // Not trimmed: spaces may be part of a password.
  const password = get('KAFKA_SASL_PASSWORD') === undefined ? undefined : get.raw('KAFKA_SASL_PASSWORD');
  if (mechanism === undefined) {
    for (const [name, value] of [
      ['KAFKA_SASL_USERNAME', username],
      ['KAFKA_SASL_PASSWORD', password],
    ] as const) {
      if (value !== undefined) {
        problems.push(
          `${name} is set but KAFKA_SASL_MECHANISM is not: set KAFKA_SASL_MECHANISM to one of ${SASL_MECHANISMS.join(', ')}`,
        );
      }
    }
    return undefined;
  }
  const lower = mechanism.toLowerCase();
  const known = (SASL_MECHANISMS as readonly string[]).includes(lower);
  if (!known)
    problems.push(`KAFKA_SASL_MECHANISM is "${mechanism}": set it to one of ${SASL_MECHANISMS.join(', ')}`);
  if (username === undefined)
    problems.push(`KAFKA_SASL_USERNAME is not set: KAFKA_SASL_MECHANISM=${mechanism} needs a user name`);
  if (password === undefined)
    problems.push(`KAFKA_SASL_PASSWORD is not set: KAFKA_SASL_MECHANISM=${mechanism} needs a password`);
  if (!known || username === undefined || password === undefined) return undefined;
  return { mechanism: lower as SaslMechanism, username, password };
}

function parsePositiveInt(name: string, get: Get, fallback: number, problems: string[]): number {
  const raw = get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    problems.push(`${name} is "${raw}": set it to a whole number of milliseconds >= 1 (default ${fallback})`);
    return fallback;
  }
  return Number(raw);
}
