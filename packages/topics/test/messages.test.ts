import { create } from '@bufbuild/protobuf';
import { ChangeRequestSchema, type Plan, PlanSchema, type TaskBundle } from '@pipeline/contracts';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  BUILD_REQ,
  CRQ,
  DEEP,
  isMessageTopic,
  MESSAGE_TOPICS,
  PLAN,
  schemaOf,
  TASK,
  type TopicMessage,
  topicSchemas,
} from '../src/index.js';

// A stand-in for a typed producer: the message must be the one its topic carries.
function send<T extends (typeof MESSAGE_TOPICS)[number]>(_topic: T, _message: TopicMessage<T>): void {}

describe('topic → message map', () => {
  it('maps every message topic to a schema', () => {
    for (const topic of MESSAGE_TOPICS) expect(topicSchemas[topic]?.kind).toBe('message');
    expect(Object.keys(topicSchemas).sort()).toEqual([...MESSAGE_TOPICS].sort());
  });

  it('carries the reference design messages', () => {
    expect(schemaOf(CRQ).typeName).toBe('core.ChangeRequest');
    expect(schemaOf(DEEP).typeName).toBe('core.ChangeRequest');
    expect(schemaOf(PLAN).typeName).toBe('core.Plan');
    expect(schemaOf(TASK).typeName).toBe('core.TaskBundle');
    expect(schemaOf(BUILD_REQ).typeName).toBe('core.BuildRequest');
  });

  it('types each topic with its own message, so a wrong one does not compile', () => {
    expectTypeOf<TopicMessage<typeof PLAN>>().toEqualTypeOf<Plan>();
    expectTypeOf<TopicMessage<typeof TASK>>().toEqualTypeOf<TaskBundle>();
    send(PLAN, create(PlanSchema, { id: 'p' }));
    // @ts-expect-error a ChangeRequest is not what plan.out carries
    send(PLAN, create(ChangeRequestSchema, { id: 'c' }));
    // @ts-expect-error not a pipeline topic
    send('plan.in', create(PlanSchema, { id: 'p' }));
  });

  it('recognises message topics', () => {
    expect(isMessageTopic('plan.out')).toBe(true);
    expect(isMessageTopic('orchestrator.dlq')).toBe(false);
    expect(isMessageTopic('toString')).toBe(false);
  });
});
