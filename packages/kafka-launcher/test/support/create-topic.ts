// Creates a topic without a Kafka client library, for the cluster test: a CreateTopics request (api key
// 19, version 2: the oldest Kafka 4.x still serves, and the last before the flexible encoding) over a
// raw socket, like the launcher's own probes. Any broker forwards it to the active controller.

import { randomInt } from 'node:crypto';
import { exchange } from '../../src/probe.js';

export function createTopicRequest(
  correlationId: number,
  { name, partitions, replicationFactor }: { name: string; partitions: number; replicationFactor: number },
): Buffer {
  const clientId = Buffer.from('pipeline-kafka-launcher-test');
  const topic = Buffer.from(name);
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length + 4 + 2 + topic.length + 4 + 2 + 4 + 4 + 4 + 1);
  let o = body.writeInt16BE(19, 0); // CreateTopics
  o = body.writeInt16BE(2, o);
  o = body.writeInt32BE(correlationId, o);
  o = body.writeInt16BE(clientId.length, o);
  o += clientId.copy(body, o);
  o = body.writeInt32BE(1, o); // one topic
  o = body.writeInt16BE(topic.length, o);
  o += topic.copy(body, o);
  o = body.writeInt32BE(partitions, o);
  o = body.writeInt16BE(replicationFactor, o);
  o = body.writeInt32BE(0, o); // assignments: none (the controller places the replicas)
  o = body.writeInt32BE(0, o); // configs: none
  o = body.writeInt32BE(30_000, o); // timeout_ms
  body.writeInt8(0, o); // validate_only
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

/** Resolves to the topic's error code (0 = created, 36 = already exists), or the reason it failed. */
type Created = { errorCode: number; errorMessage: string | null } | { reason: string };

export function createTopic(options: {
  port: number;
  name: string;
  partitions: number;
  replicationFactor: number;
}): Promise<Created> {
  const correlationId = randomInt(1, 2 ** 31 - 1);
  return exchange<Created>({
    port: options.port,
    timeoutMs: 35_000,
    request: createTopicRequest(correlationId, options),
    parse: (buf) => {
      if (buf.length < 4 || buf.length < 4 + buf.readInt32BE(0)) return undefined;
      // correlation id, throttle_time_ms, topics: [name, error_code, error_message]
      let o = 4 + 4 + 4 + 4;
      o += 2 + buf.readInt16BE(o);
      const errorCode = buf.readInt16BE(o);
      const messageLength = buf.readInt16BE(o + 2);
      const errorMessage = messageLength < 0 ? null : buf.toString('utf8', o + 4, o + 4 + messageLength);
      return { errorCode, errorMessage };
    },
    failure: (reason) => ({ reason }),
  });
}
