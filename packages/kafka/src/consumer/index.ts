export type { InboundMessage } from './inbound-message.js';
export {
  createTypedConsumer,
  DEAD_LETTER_REASONS,
  type TypedConsumer,
  type TypedConsumerOptions,
} from './typed-consumer.js';
