import { Kafka, logLevel } from 'kafkajs';
import { kafkaBrokers } from './bootstrap.js';

/** A kafkajs client on the test broker, quiet unless something is really wrong. */
export function testKafka(clientId = 'pipeline-test'): Kafka {
  return new Kafka({ clientId, brokers: kafkaBrokers(), logLevel: logLevel.ERROR });
}

/** Creates topics for one test and waits until they have leaders. */
export async function createTopics(kafka: Kafka, topics: string[], numPartitions = 1): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((topic) => ({ topic, numPartitions, replicationFactor: 1 })),
    });
  } finally {
    await admin.disconnect();
  }
}
