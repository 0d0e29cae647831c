export {
  KAFKA_ENV_VARS,
  type KafkaConfig,
  kafkaConfigFromEnv,
  SASL_MECHANISMS,
  type SaslMechanism,
} from './kafka-config.js';
