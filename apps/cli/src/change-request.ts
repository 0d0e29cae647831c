import { create, schemas } from '@pipeline/contracts';
import { createTypedProducer, encodeRecord, prefixedTopicNames } from '@pipeline/kafka';
import { CRQ } from '@pipeline/topics';
import type { Kafka } from 'kafkajs';

export interface ChangeRequestFields {
  id: string;
  repo: string;
  branch: string;
  description: string;
  requester: string;
}

/** A connected producer for change requests on `<prefix>change.request.in`. */
export interface ChangeRequestSender {
  /** Sends the requests in one batch, in order; resolves once the broker has them all (acks=all). */
  send(...requests: ChangeRequestFields[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects a producer that writes ChangeRequests keyed by their id, with the standard headers
 * (`encodeRecord`: x-message-type, x-request-id, x-produced-at, a new traceparent).
 */
export async function connectChangeRequestSender(kafka: Kafka, prefix: string): Promise<ChangeRequestSender> {
  // The CLI's client already retries a few times; no extra patience on top (fail fast).
  const producer = createTypedProducer(kafka, { retry: { retries: 0 } });
  try {
    await producer.connect();
  } catch (error) {
    await producer.disconnect().catch(() => {});
    throw error;
  }
  const topicNames = prefixedTopicNames(prefix);
  return {
    async send(...requests) {
      await producer.sendRecords(
        requests.map((request) =>
          encodeRecord(CRQ, create(schemas.ChangeRequest, request), { key: request.id, topicNames }),
        ),
      );
    },
    close: () => producer.disconnect(),
  };
}
