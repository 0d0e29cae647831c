import { readFileSync } from 'node:fs';
import { ConfigError, describeEnv } from '@pipeline/common';
import { KAFKA_ENV } from '@pipeline/kafka';
import { AGENT_ROLE_NAMES } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import {
  describeMockAgentsEnv,
  loadConfig,
  MOCK_AGENTS_ENV as MOCK_AGENTS_SPEC,
  ROLE_ENV,
  roleEnvKey,
  roleEnvName,
} from '../src/config.js';

const MOCK_AGENTS_ENV = describeMockAgentsEnv();

const BASE = { KAFKA_BOOTSTRAP: 'localhost:9092' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^invalid mock-agents configuration:/);
    return [...(error as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('has defaults for everything but the broker', () => {
    const config = loadConfig(BASE);
    expect(config.kafka.brokers).toEqual(['localhost:9092']);
    expect(config.kafka.clientId).toBe('mock-agents');
    expect(config.roles).toEqual(AGENT_ROLE_NAMES);
    for (const role of AGENT_ROLE_NAMES)
      expect(config.settings[role]).toEqual({ thinkMs: 50, failureRate: 0 });
    expect(config.plannerTasks).toBe(3);
    expect(config.topicPrefix).toBe('');
    expect(config.groupPrefix).toBe('mock-agents');
    expect(config.fromBeginning).toBe(true);
    expect(config.concurrency).toBe(12);
    expect(config.logLevel).toBe('info');
  });

  // Found by the fault suite (two pipelines with different prefixes and default settings on one
  // cluster): both pipelines' agents joined the groups `mock-agents-<role>`, each group got members
  // subscribed to other topics, and one pipeline's agents were assigned nothing they read: its
  // requests never moved past their first command.
  it("derives the groups from the topic prefix, so two pipelines' agents never share one", () => {
    const a = loadConfig({ ...BASE, PIPELINE_TOPIC_PREFIX: 'team-a.' });
    const b = loadConfig({ ...BASE, PIPELINE_TOPIC_PREFIX: 'team-b.' });
    expect(a.groupPrefix).toBe('team-a.mock-agents');
    expect(b.groupPrefix).toBe('team-b.mock-agents');
    expect(
      loadConfig({ ...BASE, PIPELINE_TOPIC_PREFIX: 'team-a.', MOCK_GROUP_PREFIX: 'mine' }).groupPrefix,
    ).toBe('mine');
  });

  it('reads every setting', () => {
    const config = loadConfig({
      ...BASE,
      KAFKA_CLIENT_ID: 'agents-1',
      MOCK_ROLES: ' builder , planner,builder',
      MOCK_THINK_MS: '200',
      MOCK_TEST_PLANNER_THINK_MS: '0',
      MOCK_FAILURE_RATE: '0.1',
      MOCK_BUILDER_FAILURE_RATE: '1',
      MOCK_CODER_FAILURE_RATE: '.5',
      MOCK_PLANNER_TASKS: '5',
      PIPELINE_TOPIC_PREFIX: 'demo.',
      MOCK_GROUP_PREFIX: 'demo-agents',
      MOCK_FROM_BEGINNING: 'FALSE',
      MOCK_CONCURRENCY: '3',
      LOG_LEVEL: 'debug',
    });
    expect(config.kafka.clientId).toBe('agents-1');
    // Canonical order, each role once.
    expect(config.roles).toEqual(['planner', 'builder']);
    expect(config.settings.planner).toEqual({ thinkMs: 200, failureRate: 0.1 });
    expect(config.settings['test-planner']).toEqual({ thinkMs: 0, failureRate: 0.1 });
    expect(config.settings.builder).toEqual({ thinkMs: 200, failureRate: 1 });
    expect(config.settings.coder).toEqual({ thinkMs: 200, failureRate: 0.5 });
    expect(config.plannerTasks).toBe(5);
    expect(config.topicPrefix).toBe('demo.');
    expect(config.groupPrefix).toBe('demo-agents');
    expect(config.fromBeginning).toBe(false);
    expect(config.concurrency).toBe(3);
    expect(config.logLevel).toBe('debug');
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ ...BASE, MOCK_ROLES: '', MOCK_THINK_MS: ' ', MOCK_BUILDER_THINK_MS: '' });
    expect(config.roles).toEqual(AGENT_ROLE_NAMES);
    expect(config.settings.builder.thinkMs).toBe(50);
  });

  it('runs one role per process', () => {
    expect(loadConfig({ ...BASE, MOCK_ROLES: 'test-generator' }).roles).toEqual(['test-generator']);
    expect(loadConfig({ ...BASE, MOCK_ROLES: 'ALL' }).roles).toEqual(AGENT_ROLE_NAMES);
  });

  it('requires a broker (the Kafka problems come through)', () => {
    expect(problemsOf({})).toEqual([expect.stringMatching(/^KAFKA_BOOTSTRAP is not set/)]);
    expect(problemsOf({ KAFKA_BOOTSTRAP: 'nohost' })).toEqual([
      expect.stringMatching(/KAFKA_BOOTSTRAP.*no port/),
    ]);
  });

  it.each([
    [
      'MOCK_ROLES',
      'builder,tester',
      /^MOCK_ROLES: tester is not a role: use all or a comma list of planner, coder/,
    ],
    ['MOCK_ROLES', 'x,y', /^MOCK_ROLES: x, y are not roles/],
    ['MOCK_ROLES', ',', /^MOCK_ROLES=, names no role/],
    ['MOCK_THINK_MS', '-1', /^MOCK_THINK_MS=-1 is not a whole number from 0 to 3600000$/],
    ['MOCK_THINK_MS', '1.5', /^MOCK_THINK_MS=1.5 is not a whole number/],
    ['MOCK_THINK_MS', '3600001', /^MOCK_THINK_MS=3600001 is not a whole number/],
    ['MOCK_BUILDER_THINK_MS', 'fast', /^MOCK_BUILDER_THINK_MS=fast is not a whole number/],
    ['MOCK_TEST_GENERATOR_THINK_MS', '1e3', /^MOCK_TEST_GENERATOR_THINK_MS=1e3 is not a whole number/],
    ['MOCK_FAILURE_RATE', '1.5', /^MOCK_FAILURE_RATE=1.5 is not a probability from 0 to 1/],
    ['MOCK_FAILURE_RATE', '-0.1', /^MOCK_FAILURE_RATE=-0.1 is not a probability/],
    ['MOCK_FAILURE_RATE', '10%', /^MOCK_FAILURE_RATE=10% is not a probability/],
    ['MOCK_CODER_FAILURE_RATE', 'often', /^MOCK_CODER_FAILURE_RATE=often is not a probability/],
    ['MOCK_PLANNER_TASKS', '0', /^MOCK_PLANNER_TASKS=0 is not a whole number from 1 to 1000$/],
    ['MOCK_PLANNER_TASKS', '1001', /^MOCK_PLANNER_TASKS=1001 is not a whole number/],
    ['PIPELINE_TOPIC_PREFIX', 'demo/', /^PIPELINE_TOPIC_PREFIX=demo\/ may only use letters/],
    ['MOCK_GROUP_PREFIX', 'my group', /^MOCK_GROUP_PREFIX=my group may only use letters/],
    ['MOCK_FROM_BEGINNING', 'yes', /^MOCK_FROM_BEGINNING=yes is not true or false$/],
    ['MOCK_CONCURRENCY', '0', /^MOCK_CONCURRENCY=0 is not a whole number from 1 to 1000$/],
    ['LOG_LEVEL', 'verbose', /^LOG_LEVEL=verbose is not one of debug, info, warn, error$/],
    ['MOCK_TESTPLANNER_THINK_MS', '10', /^MOCK_TESTPLANNER_THINK_MS is not a setting of the mock agents/],
  ])('%s=%s is refused, naming the variable', (name, value, message) => {
    expect(problemsOf({ ...BASE, [name]: value })).toEqual([expect.stringMatching(message)]);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf({
      MOCK_ROLES: 'nobody',
      MOCK_THINK_MS: 'x',
      MOCK_PLANNER_FAILURE_RATE: '2',
      MOCK_PLANNER_TASKS: '0',
      LOG_LEVEL: 'loud',
      MOCK_TYPO: '1',
    });
    expect(problems).toHaveLength(7);
    for (const name of [
      'KAFKA_BOOTSTRAP',
      'MOCK_ROLES',
      'MOCK_THINK_MS',
      'MOCK_PLANNER_FAILURE_RATE',
      'MOCK_PLANNER_TASKS',
      'LOG_LEVEL',
      'MOCK_TYPO',
    ]) {
      expect(problems.some((p) => p.startsWith(name))).toBe(true);
    }
  });
});

describe('the variables of the mock agents', () => {
  it('names the per-role variables after the role, upper case with _', () => {
    expect(roleEnvKey('test-planner')).toBe('TEST_PLANNER');
    expect(roleEnvName('test-planner', 'THINK_MS')).toBe('MOCK_TEST_PLANNER_THINK_MS');
    expect(roleEnvName('builder', 'FAILURE_RATE')).toBe('MOCK_BUILDER_FAILURE_RATE');
  });

  it('lists every variable once, each with a description', () => {
    const names = MOCK_AGENTS_ENV.map((v) => v.name);
    expect(new Set(names).size).toBe(names.length);
    for (const role of AGENT_ROLE_NAMES) {
      expect(names).toContain(roleEnvName(role, 'THINK_MS'));
      expect(names).toContain(roleEnvName(role, 'FAILURE_RATE'));
    }
    for (const v of MOCK_AGENTS_ENV) expect(v.description).not.toBe('');
  });

  it('is documented: the README names every variable, the Kafka ones included', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const { name } of [...MOCK_AGENTS_ENV, ...describeEnv(KAFKA_ENV)])
      expect(readme).toContain(`\`${name}\``);
  });
});

describe('finding 11: config values that stall or spin are refused', () => {
  // Think times past kafkajs' 30 s session once got the agent expelled mid-command, the command
  // thought about again for ever (seen with MOCK_THINK_MS=30000), so they were capped at 15 s. The agent
  // SDK now stays in its group while a handler works (packages/agent/test/long-work.integration.test.ts),
  // and a long think reports progress: up to an hour is allowed, more is refused.
  it.each([
    ['MOCK_THINK_MS', '3600001', 'MOCK_THINK_MS=3600001 is not a whole number from 0 to 3600000'],
    [
      'MOCK_BUILDER_THINK_MS',
      '86400000',
      'MOCK_BUILDER_THINK_MS=86400000 is not a whole number from 0 to 3600000',
    ],
  ])('%s=%s is refused, saying the range', (name, value, problem) => {
    expect(problemsOf({ ...BASE, [name]: value })).toEqual([problem]);
  });

  it('accepts the ends of the ranges', () => {
    const config = loadConfig({
      ...BASE,
      MOCK_THINK_MS: '3600000',
      MOCK_CODER_THINK_MS: '0',
      MOCK_PLANNER_TASKS: '1000',
      MOCK_CONCURRENCY: '1',
    });
    expect(config.settings.builder.thinkMs).toBe(3_600_000);
    expect(config.settings.coder.thinkMs).toBe(0);
    expect(config).toMatchObject({ plannerTasks: 1000, concurrency: 1 });
  });

  it('the README says the range of every setting that has one', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const rowOf = (name: string) => readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    const variables = [
      ...Object.entries(MOCK_AGENTS_SPEC),
      ...Object.entries(ROLE_ENV),
      ...Object.entries(KAFKA_ENV),
    ];
    for (const [name, variable] of variables) {
      if (variable.range !== undefined)
        expect(rowOf(name), `README row of ${name}`).toContain(variable.range);
    }
    expect(MOCK_AGENTS_SPEC.MOCK_THINK_MS.range).toBe('0–3600000');
  });
});
