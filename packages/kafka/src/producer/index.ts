export { createTypedProducer, type TypedProducer, type TypedProducerOptions } from './typed-producer.js';
