import { kafkaBrokers, uniqueName } from '@pipeline/testkit';
import { type TopicSpec, topicSpecs } from '@pipeline/topics';
import { createKafka, type Kafka, type Logger, noopLogger } from '../src/index.js';

/** A client on the test broker through this package's own createKafka. */
export function kafka(clientId = uniqueName('kafka-test'), logger: Logger = noopLogger): Kafka {
  return createKafka(
    { brokers: kafkaBrokers(), clientId, connectionTimeoutMs: 3000, requestTimeoutMs: 30000 },
    logger,
  );
}

/**
 * Specs for test-only topic names. TopicSpec.name is typed as the global Topic union; tests must
 * never provision the real names on a broker other tests share, hence the cast.
 */
export function testSpecs(names: string[], partitions: number): TopicSpec[] {
  const [template] = topicSpecs({ partitions });
  return names.map((name) => ({ ...(template as TopicSpec), name: name as TopicSpec['name'] }));
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
