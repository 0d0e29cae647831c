export * from './durability.js';
export * from './messages.js';
export * from './names.js';
export * from './replication-env.js';
export * from './roles.js';
export * from './specs.js';
export * from './topic-names.js';
