import { ConfigError, type Logger, noopLogger } from '@pipeline/common';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { registerCodecs } from './codecs.js';
import { KAFKA_TIMEOUT_RANGES, type KafkaConfig } from './config.js';
import { kafkajsLogForwarder } from './kafkajs-log.js';

// Before any client exists, so no consumer ever fetches without them: kafkajs alone reads gzip only
// and crashes for good on the first snappy, lz4 or zstd batch (issue 10, finding 1).
registerCodecs();

/**
 * How patient a client is. `service`: kafkajs' own retries with growing waits (longer patience
 * lives in `withRetry` around whole operations). `cli`: a command-line tool fails fast when the
 * broker is down (3 attempts, short waits, 10 s per request), and stays silent unless LOG_LEVEL is
 * debug, so a connection failure prints one line of ours instead of kafkajs' ERROR lines.
 */
export type ClientProfile = 'service' | 'cli';

export interface ClientOptions {
  logger?: Logger;
  profile?: ClientProfile;
}

// `retries` is left at kafkajs' default (5) for services on purpose: setting it makes kafkajs warn on
// every idempotent producer ("limiting retries ... may invalidate EoS"), and the idempotent default
// (retry forever) would hang a send while the cluster is down.
const RETRY: Record<ClientProfile, object> = {
  service: { initialRetryTime: 300, maxRetryTime: 30_000, factor: 0.2, multiplier: 2 },
  cli: { retries: 2, initialRetryTime: 300, maxRetryTime: 2000, factor: 0.2, multiplier: 2 },
};
const CLI_REQUEST_TIMEOUT_MS = 10_000;

const clients = new WeakMap<KafkaClient, Kafka>();

/**
 * A connection to one cluster, shared by the producers, consumers and admin operations made from
 * it. Opaque on purpose: no kafkajs type crosses this package's API, so the client library can be
 * replaced behind it.
 */
export class KafkaClient {
  private constructor(
    readonly config: Readonly<KafkaConfig>,
    readonly logger: Logger,
  ) {}

  static create(config: KafkaConfig, options: ClientOptions = {}): KafkaClient {
    validate(config);
    const profile = options.profile ?? 'service';
    const logger = options.logger ?? noopLogger;
    if (config.sasl?.mechanism === 'plain' && !config.ssl) sayPlainInClear(options.logger);
    const client = new KafkaClient(config, logger);
    const kafkaLogger = logger.child({ component: 'kafkajs' });
    clients.set(
      client,
      new Kafka({
        clientId: config.clientId,
        brokers: config.brokers,
        // kafkajs DEBUG logs every request; INFO and above is what is worth forwarding.
        logLevel: profile === 'cli' && !options.logger ? logLevel.NOTHING : logLevel.INFO,
        logCreator: () => kafkajsLogForwarder(kafkaLogger),
        connectionTimeout: config.connectionTimeoutMs,
        requestTimeout:
          profile === 'cli'
            ? Math.min(config.requestTimeoutMs, CLI_REQUEST_TIMEOUT_MS)
            : config.requestTimeoutMs,
        retry: RETRY[profile],
        ...(config.ssl ? { ssl: { ...config.ssl } } : {}),
        // kafkajs' SASLOptions is a union per mechanism; our mechanisms are a subset of its.
        ...(config.sasl ? { sasl: saslOptions(config.sasl) } : {}),
      }),
    );
    return client;
  }
}

function saslOptions(sasl: NonNullable<KafkaConfig['sasl']>): SASLOptions {
  const { mechanism, username, password } = sasl;
  return { mechanism, username, password } as SASLOptions;
}

const PLAIN_IN_CLEAR =
  'SASL PLAIN WITHOUT TLS: the Kafka password and every message cross the network in clear ' +
  '(KAFKA_SASL_ALLOW_PLAINTEXT=true); use it on a trusted network only';

/** Loudly: in the service's log, or (a command-line tool without one) as a process warning on stderr. */
function sayPlainInClear(logger: Logger | undefined): void {
  if (logger) logger.warn({ security: 'sasl-plain-without-tls' }, PLAIN_IN_CLEAR);
  else process.emitWarning(PLAIN_IN_CLEAR, { code: 'PIPELINE_SASL_PLAIN_WITHOUT_TLS' });
}

/** Creates a client; shorthand for `KafkaClient.create`. */
export function createKafkaClient(config: KafkaConfig, options: ClientOptions = {}): KafkaClient {
  return KafkaClient.create(config, options);
}

/** The kafkajs instance behind a client: for this package's own modules only (not exported). */
export function kafkajsOf(client: KafkaClient): Kafka {
  const kafka = clients.get(client);
  if (!kafka) throw new TypeError('not a KafkaClient made by createKafkaClient');
  return kafka;
}

/** A KafkaConfig may be built by hand instead of from the environment; check it where it enters. */
function validate(config: KafkaConfig): void {
  const problems: string[] = [];
  if (!Array.isArray(config.brokers) || config.brokers.length === 0)
    problems.push('brokers must list at least one host:port');
  if (!config.clientId) problems.push('clientId must not be empty');
  for (const name of ['connectionTimeoutMs', 'requestTimeoutMs'] as const) {
    const value = config[name];
    const { min, max } = KAFKA_TIMEOUT_RANGES[name];
    if (!Number.isInteger(value) || value < min || value > max)
      problems.push(`${name} must be a whole number from ${min} to ${max}, got ${value}`);
  }
  if (config.sasl?.mechanism === 'plain' && !config.ssl && config.sasl.allowPlaintext !== true) {
    problems.push(
      'SASL PLAIN without TLS sends the password in clear: set ssl, or sasl.allowPlaintext (KAFKA_SASL_ALLOW_PLAINTEXT=true)',
    );
  }
  if (problems.length > 0) throw new ConfigError(problems, 'Kafka configuration');
}
