import { runningBootstrap } from '@pipeline/kafka-launcher';

/**
 * The broker of this test run. `pnpm test` sets KAFKA_BOOTSTRAP; a developer running one package's
 * tests after `pnpm kafka:up` gets the address of this checkout's running broker from the launcher.
 * No broker is an error, never a reason to skip: an integration test that does not run proves nothing.
 */
export function kafkaBootstrap(): string {
  const fromEnv = process.env.KAFKA_BOOTSTRAP?.trim();
  if (fromEnv) return fromEnv;
  const fromLauncher = runningBootstrap();
  if (fromLauncher) return fromLauncher;
  throw new Error(
    'no Kafka broker for integration tests: run `pnpm test` (it starts one), or `pnpm kafka:up` first, or set KAFKA_BOOTSTRAP',
  );
}

export function kafkaBrokers(): string[] {
  return kafkaBootstrap()
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

/** How a test's Kafka client reaches the broker of the run (plain data for `createKafkaClient`). */
export function testBrokerConfig(clientId: string) {
  return { brokers: kafkaBrokers(), clientId, connectionTimeoutMs: 3000, requestTimeoutMs: 30_000 };
}
