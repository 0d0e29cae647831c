export { logicalTopics, physicalTopic, prefixedTopicNames, type TopicNames } from './topic-names.js';
