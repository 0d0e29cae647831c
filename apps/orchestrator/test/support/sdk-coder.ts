import { type Agent, type AgentOptions, runAgent } from '@pipeline/agent';
import { noopLogger } from '@pipeline/common';
import type { TestPipeline } from './pipeline.js';

/**
 * A coder written with the agent SDK, on the test pipeline's topics: stopped at once (no grace), every
 * progress report sent (no coalescing), so the tests see each one.
 */
export function startSdkCoder(
  pipeline: TestPipeline,
  handle: AgentOptions<'coder'>['handle'],
): Promise<Agent<'coder'>> {
  return runAgent({
    role: 'coder',
    client: pipeline.client,
    logger: noopLogger,
    topicPrefix: pipeline.prefix,
    groupId: `${pipeline.groupId}-coder`,
    shutdownGraceMs: 0,
    progressIntervalMs: 0,
    handle,
  });
}
