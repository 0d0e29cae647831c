export { createTopics, testKafka } from './admin.js';
export { kafkaBootstrap, kafkaBrokers } from './bootstrap.js';
export { uniqueName } from './names.js';
