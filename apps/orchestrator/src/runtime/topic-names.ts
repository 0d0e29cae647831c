import { ALL_TOPICS, type Topic } from '@pipeline/topics';

/**
 * Logical topic (`plan.out`) ↔ physical name on the cluster. A prefix lets several pipelines (or
 * several test runs) share one cluster; it is empty by default, so agents written against the
 * reference design see exactly its names.
 */
export class TopicNames {
  private readonly toLogical = new Map<string, Topic>();

  constructor(readonly prefix = '') {
    for (const topic of ALL_TOPICS) this.toLogical.set(prefix + topic, topic);
  }

  physical(topic: Topic): string {
    return this.prefix + topic;
  }

  logical(physical: string): Topic | undefined {
    return this.toLogical.get(physical);
  }
}
