export { murmur2, partitionFor } from './murmur2.js';
