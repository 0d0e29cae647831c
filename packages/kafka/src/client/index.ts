export { createKafka, type Kafka } from './create-kafka.js';
