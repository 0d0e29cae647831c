export { physicalTopic, type TopicNames } from './topic-names.js';
