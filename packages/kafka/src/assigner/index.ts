export { CO_PARTITION_PROTOCOL, CoPartitionAssigner } from './co-partition-assigner.js';
