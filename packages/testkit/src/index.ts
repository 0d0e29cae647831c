export { kafkaBootstrap, kafkaBrokers, testBrokerConfig } from './bootstrap.js';
export { uniqueName } from './names.js';
