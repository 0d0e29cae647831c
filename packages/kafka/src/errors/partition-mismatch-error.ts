import { KAFKA_ERROR_CODES, KafkaLayerError } from './kafka-layer-error.js';

export interface PartitionMismatch {
  topic: string;
  expectedPartitions: number;
  actualPartitions: number;
}

/**
 * Existing topics whose partition count differs from the spec. Co-partitioning (same key → same
 * partition number on every topic) silently breaks then, so services refuse to start. Kafka can only
 * add partitions, and adding them moves keys; the fix is an operator decision, never automatic.
 */
export class PartitionMismatchError extends KafkaLayerError {
  readonly mismatches: readonly PartitionMismatch[];

  constructor(mismatches: readonly PartitionMismatch[]) {
    const list = mismatches
      .map((m) => `  - ${m.topic}: expected ${m.expectedPartitions} partitions, found ${m.actualPartitions}`)
      .join('\n');
    super(
      KAFKA_ERROR_CODES.partitionMismatch,
      `topics exist with another partition count than the pipeline needs:\n${list}\n` +
        'Recreate these topics (losing their data) or configure the partition count they have.',
    );
    this.mismatches = mismatches.map((m) => ({ ...m }));
  }
}
