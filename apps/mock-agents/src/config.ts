import {
  describeEnv,
  EnvReader,
  type EnvResult,
  type EnvVar,
  env,
  LOG_LEVEL_ENV,
  type LogLevel,
} from '@pipeline/common';
import { type KafkaConfig, readKafkaConfig } from '@pipeline/kafka';
import { AGENT_ROLE_NAMES, type AgentRole, KAFKA_NAME, TOPIC_PREFIX_ENV } from '@pipeline/topics';

/** How one role behaves. */
export interface RoleSettings {
  /** Mean think time before replying, ms (the actual wait is jittered, see agent.ts). */
  thinkMs: number;
  /** Probability (0..1) that a command fails at random. */
  failureRate: number;
}

export interface MockAgentsConfig {
  kafka: KafkaConfig;
  /** The roles this process runs. */
  roles: AgentRole[];
  /** Settings of every role (also those not run here). */
  settings: Record<AgentRole, RoleSettings>;
  /** Tasks per plan. */
  plannerTasks: number;
  /** Physical topic = prefix + logical name (the orchestrator reads the same variable). */
  topicPrefix: string;
  /** Consumer group of a role = `${groupPrefix}-${role}`. */
  groupPrefix: string;
  /** Where a group without committed offsets starts: true = commands already waiting. */
  fromBeginning: boolean;
  /** Partitions of a command topic handled at once per role. */
  concurrency: number;
  logLevel: LogLevel;
}

/**
 * The longest mean think time: an hour, like a slow real agent. The agent SDK heartbeats for the group
 * while a handler runs, and the stub reports progress every second of a long think (see agent.ts),
 * so neither the group nor the orchestrator's idle deadline takes it for dead.
 */
const MAX_THINK_MS = 3_600_000;

/** `test-planner` → `TEST_PLANNER`. */
export function roleEnvKey(role: AgentRole): string {
  return role.toUpperCase().replaceAll('-', '_');
}

/** The per-role variables: `MOCK_<ROLE>_THINK_MS`, `MOCK_<ROLE>_FAILURE_RATE`. */
export function roleEnvName(role: AgentRole, setting: 'THINK_MS' | 'FAILURE_RATE'): string {
  return `MOCK_${roleEnvKey(role)}_${setting}`;
}

const thinkMs = (description: string, fallback?: { default: number } | { defaultText: string }) =>
  env.int({ description, min: 0, max: MAX_THINK_MS, ...fallback });
const rate = (description: string, fallback?: { default: number } | { defaultText: string }) =>
  env.number({ description, min: 0, max: 1, what: 'a probability', ...fallback });

/** The roles of MOCK_ROLES, in the canonical order, each once. */
function parseRoles(text: string, name: string): EnvResult<AgentRole[]> {
  if (text.toLowerCase() === 'all') return { ok: true, value: [...AGENT_ROLE_NAMES] };
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const list = AGENT_ROLE_NAMES.join(', ');
  const unknown = names.filter((n) => !(AGENT_ROLE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    const what = unknown.length === 1 ? 'is not a role' : 'are not roles';
    return {
      ok: false,
      problem: `${name}: ${unknown.join(', ')} ${what}: use all or a comma list of ${list}`,
    };
  }
  if (names.length === 0)
    return { ok: false, problem: `${name}=${text} names no role: use all or a comma list of ${list}` };
  return { ok: true, value: AGENT_ROLE_NAMES.filter((role) => names.includes(role)) };
}

/** The variables this app reads besides KAFKA_* and PIPELINE_TOPIC_PREFIX (and the per-role ones). */
export const MOCK_AGENTS_ENV = {
  MOCK_ROLES: env.custom<AgentRole[]>({
    description: `roles this process runs: \`all\` or a comma list of ${AGENT_ROLE_NAMES.join(', ')}`,
    defaultText: 'all',
    fallback: [...AGENT_ROLE_NAMES],
    parse: parseRoles,
  }),
  MOCK_THINK_MS: thinkMs(
    `mean think time before replying, ms (0–${MAX_THINK_MS}); the wait is jittered ±50%`,
    {
      default: 50,
    },
  ),
  MOCK_FAILURE_RATE: rate('probability (0–1) that a command fails at random (see "Failing on purpose")', {
    default: 0,
  }),
  MOCK_PLANNER_TASKS: env.int({ description: 'tasks per plan (1–1000)', default: 3, min: 1, max: 1000 }),
  MOCK_GROUP_PREFIX: env.string({
    description:
      'consumer group of a role is `<prefix>-<role>`; processes of one role share it (default: the topic prefix + `mock-agents`, so two pipelines never share one)',
    default: '',
    defaultText: '`<PIPELINE_TOPIC_PREFIX>mock-agents`',
    ...KAFKA_NAME,
  }),
  MOCK_FROM_BEGINNING: env.boolean({
    description:
      'a group without committed offsets starts at the oldest command (true) or only new ones (false)',
    default: true,
  }),
  MOCK_CONCURRENCY: env.int({
    description: 'commands handled at once, per role, from any partition (1–1000)',
    default: 12,
    min: 1,
    max: 1000,
  }),
  ...LOG_LEVEL_ENV,
} as const;

/** Per role: `MOCK_<ROLE>_THINK_MS` and `MOCK_<ROLE>_FAILURE_RATE`, which override the common ones. */
export const ROLE_ENV: Readonly<Record<string, EnvVar<number>>> = Object.fromEntries(
  AGENT_ROLE_NAMES.flatMap((role) => [
    [
      roleEnvName(role, 'THINK_MS'),
      thinkMs(`think time of the ${role}, ms`, { defaultText: 'MOCK_THINK_MS' }),
    ],
    [
      roleEnvName(role, 'FAILURE_RATE'),
      rate(`random failure rate of the ${role}`, { defaultText: 'MOCK_FAILURE_RATE' }),
    ],
  ]),
);

/** Every variable of the app with its default, for the README: its own, the per-role ones, the topic prefix. */
export function describeMockAgentsEnv() {
  return [...describeEnv(MOCK_AGENTS_ENV), ...describeEnv(ROLE_ENV), ...describeEnv(TOPIC_PREFIX_ENV)];
}

/**
 * Reads and validates the configuration. Every problem is collected and reported at once in one
 * ConfigError, naming the variable and what it accepts. Unknown `MOCK_*` variables are problems
 * too: a misspelt `MOCK_TESTPLANNER_THINK_MS` would otherwise be ignored without a word.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): MockAgentsConfig {
  const reader = new EnvReader(source);
  const kafka = readKafkaConfig(reader, { clientId: 'mock-agents' });
  const { PIPELINE_TOPIC_PREFIX } = reader.read(TOPIC_PREFIX_ENV);
  const v = reader.read(MOCK_AGENTS_ENV);
  const perRole = reader.read(ROLE_ENV);
  const known = [...Object.keys(MOCK_AGENTS_ENV), ...Object.keys(ROLE_ENV)];
  reader.rejectUnknown('MOCK_', known, 'the mock agents (known: MOCK_ROLES, MOCK_THINK_MS, …, see README)');
  // A per-role variable that is not set falls back to the common one.
  const orCommon = (name: string, common: number) =>
    reader.raw(name) === undefined ? common : (perRole[name] as number);
  const settings = Object.fromEntries(
    AGENT_ROLE_NAMES.map((role): [AgentRole, RoleSettings] => [
      role,
      {
        thinkMs: orCommon(roleEnvName(role, 'THINK_MS'), v.MOCK_THINK_MS),
        failureRate: orCommon(roleEnvName(role, 'FAILURE_RATE'), v.MOCK_FAILURE_RATE),
      },
    ]),
  ) as Record<AgentRole, RoleSettings>;
  return reader.finish('mock-agents configuration', {
    kafka,
    roles: v.MOCK_ROLES,
    settings,
    plannerTasks: v.MOCK_PLANNER_TASKS,
    topicPrefix: PIPELINE_TOPIC_PREFIX,
    groupPrefix: v.MOCK_GROUP_PREFIX || `${PIPELINE_TOPIC_PREFIX}mock-agents`,
    fromBeginning: v.MOCK_FROM_BEGINNING,
    concurrency: v.MOCK_CONCURRENCY,
    logLevel: v.LOG_LEVEL,
  });
}
