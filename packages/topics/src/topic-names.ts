import { env } from '@pipeline/common/env';
import { ConfigError } from '@pipeline/common/errors';
import { ALL_TOPICS, type Topic } from './names.js';

declare const physical: unique symbol;

/**
 * A topic's name on the cluster (`staging.plan.out`), as opposed to its logical name (`plan.out`,
 * the `Topic` union), which fixes the message type. Code speaks logical names; only the Kafka layer
 * sees physical ones. The brand makes handing one where the other is expected a compile error.
 */
export type PhysicalTopic = string & { readonly [physical]: true };

/** What Kafka allows in topic and group names, for every variable that becomes part of one. */
export const KAFKA_NAME = {
  pattern: /^[A-Za-z0-9._-]+$/,
  patternHint: "may only use letters, digits, '.', '_' and '-'",
} as const;
const PREFIX = /^[A-Za-z0-9._-]*$/;
const PREFIX_HINT = KAFKA_NAME.patternHint;

/** `PIPELINE_TOPIC_PREFIX`, read the same way by every service and the CLI. */
export const TOPIC_PREFIX_ENV = {
  PIPELINE_TOPIC_PREFIX: env.string({
    description: 'Prefix of every topic name, the same for every service (several pipelines on one cluster).',
    default: '',
    defaultText: '(empty)',
    ...KAFKA_NAME,
  }),
} as const;

/**
 * Logical topic ↔ physical name. A deployment prefixes its topics (`PIPELINE_TOPIC_PREFIX`); tests
 * give each topic a unique name on a shared broker.
 */
export class TopicNames {
  private readonly byLogical: ReadonlyMap<Topic, PhysicalTopic>;
  private readonly byPhysical: ReadonlyMap<string, Topic>;

  private constructor(names: (topic: Topic) => string) {
    this.byLogical = new Map(ALL_TOPICS.map((topic) => [topic, names(topic) as PhysicalTopic]));
    this.byPhysical = new Map([...this.byLogical].map(([topic, name]) => [name as string, topic]));
    if (this.byPhysical.size !== ALL_TOPICS.length) {
      throw new ConfigError(['two logical topics map to the same physical name'], 'topic names');
    }
  }

  /** Every topic under `prefix` (`staging.` → `staging.plan.out`); '' gives the reference names. */
  static prefixed(prefix: string): TopicNames {
    if (!PREFIX.test(prefix)) throw new ConfigError([`topic prefix ${prefix} ${PREFIX_HINT}`], 'topic names');
    return new TopicNames((topic) => prefix + topic);
  }

  /** Explicit names for some topics; the others keep their logical name. */
  static of(names: Partial<Record<Topic, string>>): TopicNames {
    return new TopicNames((topic) => names[topic] || topic);
  }

  physical(topic: Topic): PhysicalTopic {
    return this.byLogical.get(topic) as PhysicalTopic;
  }

  /** The logical topic of a name read from the cluster; undefined for a topic of someone else. */
  logical(name: string): Topic | undefined {
    return this.byPhysical.get(name);
  }
}

/** The reference names, unprefixed. */
export const REFERENCE_TOPIC_NAMES = TopicNames.prefixed('');
