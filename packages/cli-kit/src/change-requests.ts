import { create, schemas } from '@pipeline/contracts';
import { createProducer, encodeRecord, type KafkaClient } from '@pipeline/kafka';
import { CRQ, type TopicNames } from '@pipeline/topics';

export interface ChangeRequestFields {
  id: string;
  repo: string;
  branch: string;
  description: string;
  requester: string;
}

/** A connected producer for change requests on change.request.in (under the names' prefix). */
export interface ChangeRequestSender {
  /** Sends the requests in one batch, in order; resolves once the broker has them all (acks=all). */
  send(...requests: ChangeRequestFields[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Connects a producer that writes ChangeRequests keyed by their id, with the standard headers
 * (`encodeRecord`: x-message-type, x-request-id, x-produced-at, a new traceparent).
 */
export async function connectChangeRequestSender(
  client: KafkaClient,
  names: TopicNames,
): Promise<ChangeRequestSender> {
  // The tool's client already retries a few times; no extra patience on top (fail fast).
  const producer = createProducer(client, { names, retry: { retries: 0 } });
  try {
    await producer.connect();
  } catch (error) {
    await producer.disconnect().catch(() => {});
    throw error;
  }
  return {
    async send(...requests) {
      await producer.sendRecords(
        requests.map((request) =>
          encodeRecord(CRQ, create(schemas.ChangeRequest, request), { key: request.id }),
        ),
      );
    },
    close: () => producer.disconnect(),
  };
}
