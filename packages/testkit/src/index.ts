export { kafkaBootstrap, kafkaBrokers, testBrokerConfig } from './bootstrap.js';
export { uniqueName } from './names.js';
export {
  COMPRESSIONS,
  type Compression,
  consumeWithLibrdkafka,
  type Delivery,
  ensurePythonEnv,
  type LibrdkafkaConsumed,
  type LibrdkafkaConsumeOptions,
  type LibrdkafkaProduceOptions,
  type LibrdkafkaRecord,
  PYTHON_DIR,
  PYTHON_REQUIREMENTS,
  type PythonEnvOptions,
  preparePythonEnv,
  produceWithLibrdkafka,
} from './python.js';
