import type { MessageTopic, TopicMessage } from '@pipeline/topics';
import type { RecordHeaders } from '../headers/names.js';
import type { StandardHeaderValues } from '../headers/standard-headers.js';

/**
 * A decoded record. A union over the subscribed topics, discriminated by `topic` (the LOGICAL name,
 * even when a TopicNames map renames the physical topic), so `if (m.topic === PLAN)` narrows
 * `m.message` to a Plan.
 */
export type InboundMessage<T extends MessageTopic> = {
  [K in T]: {
    topic: K;
    partition: number;
    offset: string;
    key: string | undefined;
    message: TopicMessage<K>;
    headers: RecordHeaders;
    standard: StandardHeaderValues;
  };
}[T];
