import { KAFKA_ERROR_CODES, KafkaLayerError } from './kafka-layer-error.js';

/**
 * Configuration that cannot work. It lists every problem found, not only the first, so that one
 * failed start tells the operator everything to fix; each problem names the variable or option.
 */
export class ConfigError extends KafkaLayerError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], subject = 'Kafka configuration') {
    const list = problems.map((p) => `  - ${p}`).join('\n');
    super(KAFKA_ERROR_CODES.invalidConfig, `invalid ${subject}:\n${list}`, { canRetry: false });
    this.problems = [...problems];
  }
}
