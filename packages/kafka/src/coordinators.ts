// Which partition of Kafka's internal topics holds a transactional id's or a consumer group's
// coordinator state: the broker that leads that partition is the coordinator. Kafka computes it as
// `Utils.abs(id.hashCode()) % partitionCount` (TransactionStateManager.partitionFor,
// GroupCoordinator.partitionFor), with Java's String.hashCode over UTF-16 code units. Fault tests use it
// to stop exactly the coordinator of an id, without asking FindCoordinator (which kafkajs hides).

/** The internal topic of each kind of coordinator. */
export const COORDINATOR_TOPICS = {
  transaction: '__transaction_state',
  group: '__consumer_offsets',
} as const;

export type CoordinatorKind = keyof typeof COORDINATOR_TOPICS;

/** Java's String.hashCode: 31·h + c over the UTF-16 code units, in 32-bit two's complement. */
export function javaStringHash(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (Math.imul(31, h) + text.charCodeAt(i)) | 0;
  return h;
}

/** The internal-topic partition that holds the coordinator state of `id`. */
export function coordinatorPartition(id: string, partitionCount: number): number {
  if (!Number.isInteger(partitionCount) || partitionCount < 1) {
    throw new RangeError(`partitionCount must be a whole number >= 1, got ${partitionCount}`);
  }
  // Kafka's Utils.abs is `n & 0x7fffffff` (Math.abs(MIN_VALUE) would stay negative).
  return (javaStringHash(id) & 0x7fffffff) % partitionCount;
}
