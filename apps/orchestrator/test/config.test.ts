import { readFileSync } from 'node:fs';
import { ConfigError, describeEnv } from '@pipeline/common';
import { KAFKA_ENV } from '@pipeline/kafka';
import { TOPIC_PREFIX_ENV } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { loadConfig, ORCHESTRATOR_ENV } from '../src/config.js';

const base = { KAFKA_BOOTSTRAP: 'localhost:9092' };

describe('loadConfig', () => {
  it('has defaults for everything but the broker', () => {
    const config = loadConfig(base);
    expect(config.http).toEqual({ host: '0.0.0.0', port: 9300 });
    expect(config.groupId).toBe('orchestrator');
    expect(config.topicPrefix).toBe('');
    expect(config.provisionTopics).toBe(true);
    expect(config.partitions).toBe(12);
    expect(config.deadlines).toMatchObject({ plan_phase: 3_600_000, build2: 3_600_000 });
    expect(config.deadlines).not.toHaveProperty('idle');
    expect(config.deadlines).not.toHaveProperty('done');
    expect(config.retentionMs).toBe(7 * 86_400_000);
    expect(config.kafka.brokers).toEqual(['localhost:9092']);
  });

  it('reads per-stage deadlines and turns them off', () => {
    const config = loadConfig({
      ...base,
      ORCH_STAGE_DEADLINE: '30m',
      ORCH_STAGE_DEADLINES: 'code_phase=4h, build1=off',
    });
    expect(config.deadlines.plan_phase).toBe(1_800_000);
    expect(config.deadlines.code_phase).toBe(14_400_000);
    expect(config.deadlines).not.toHaveProperty('build1');
    expect(loadConfig({ ...base, ORCH_STAGE_DEADLINE: 'off' }).deadlines).toEqual({});
  });

  it('reports every problem at once, naming the variable and what it accepts', () => {
    let error: unknown;
    try {
      loadConfig({
        ORCH_HTTP_PORT: '99999',
        ORCH_TOPIC_PARTITIONS: 'many',
        ORCH_STAGE_DEADLINES: 'done=5m,nope=1s,build1=soon',
        ORCH_RETENTION: 'forever',
        ORCH_PROVISION_TOPICS: 'yes',
        LOG_LEVEL: 'loud',
        ORCH_GROUP_ID: 'has space',
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const expected of [
      'KAFKA_BOOTSTRAP is not set',
      'ORCH_HTTP_PORT=99999 is not a whole number from 0 to 65535',
      'ORCH_TOPIC_PARTITIONS=many',
      'ORCH_STAGE_DEADLINES: done is not a non-final stage',
      'ORCH_STAGE_DEADLINES: nope is not a non-final stage',
      'ORCH_STAGE_DEADLINES: build1=soon needs a duration',
      'ORCH_RETENTION=forever is not a duration',
      'ORCH_PROVISION_TOPICS=yes is not true or false',
      'LOG_LEVEL=loud',
      'ORCH_GROUP_ID=has space',
    ]) {
      expect(problems).toContain(expected);
    }
  });

  it('documents every variable it reads, in the README too', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const rows = [ORCHESTRATOR_ENV, KAFKA_ENV, TOPIC_PREFIX_ENV].flatMap((spec) => describeEnv(spec));
    for (const { name } of rows) {
      expect(readme, `README.md does not mention ${name}`).toContain(`\`${name}\``);
    }
    for (const { description } of describeEnv(ORCHESTRATOR_ENV))
      expect(description.length).toBeGreaterThan(10);
  });
});
