import { ConfigError, type KafkaConfig, kafkaConfigFromEnv, type LogLevel } from '@pipeline/kafka';
import { AGENT_ROLE_NAMES, type AgentRole } from '@pipeline/topics';

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

export interface EnvVar {
  name: string;
  default: string;
  description: string;
}

const DEFAULT_THINK_MS = '50';
const DEFAULT_FAILURE_RATE = '0';
const MAX_THINK_MS = 600_000;
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const NAME_PATTERN = /^[A-Za-z0-9._-]+$/;

/** `test-planner` → `TEST_PLANNER`. */
export function roleEnvKey(role: AgentRole): string {
  return role.toUpperCase().replaceAll('-', '_');
}

/** The per-role variables: `MOCK_<ROLE>_THINK_MS`, `MOCK_<ROLE>_FAILURE_RATE`. */
export function roleEnvName(role: AgentRole, setting: 'THINK_MS' | 'FAILURE_RATE'): string {
  return `MOCK_${roleEnvKey(role)}_${setting}`;
}

/**
 * Every variable this app reads besides the KAFKA_* ones (`KAFKA_ENV_VARS` of @pipeline/kafka), with
 * its default and what it does: the README's table is this list.
 */
export const MOCK_AGENTS_ENV: readonly EnvVar[] = [
  {
    name: 'MOCK_ROLES',
    default: 'all',
    description: `roles this process runs: \`all\` or a comma list of ${AGENT_ROLE_NAMES.join(', ')}`,
  },
  {
    name: 'MOCK_THINK_MS',
    default: DEFAULT_THINK_MS,
    description: `mean think time before replying, ms (0..${MAX_THINK_MS}); the wait is jittered ±50%`,
  },
  ...AGENT_ROLE_NAMES.map((role) => ({
    name: roleEnvName(role, 'THINK_MS'),
    default: 'MOCK_THINK_MS',
    description: `think time of the ${role}, ms`,
  })),
  {
    name: 'MOCK_FAILURE_RATE',
    default: DEFAULT_FAILURE_RATE,
    description: 'probability (0..1) that a command fails at random (see "Failing on purpose")',
  },
  ...AGENT_ROLE_NAMES.map((role) => ({
    name: roleEnvName(role, 'FAILURE_RATE'),
    default: 'MOCK_FAILURE_RATE',
    description: `random failure rate of the ${role}`,
  })),
  { name: 'MOCK_PLANNER_TASKS', default: '3', description: 'tasks per plan (1..1000)' },
  {
    name: 'PIPELINE_TOPIC_PREFIX',
    default: '',
    description: 'prefix of every topic name; must match the orchestrator’s',
  },
  {
    name: 'MOCK_GROUP_PREFIX',
    default: 'mock-agents',
    description: 'consumer group of a role is `<prefix>-<role>`; processes of one role share it',
  },
  {
    name: 'MOCK_FROM_BEGINNING',
    default: 'true',
    description:
      'a group without committed offsets starts at the oldest command (true) or only new ones (false)',
  },
  {
    name: 'MOCK_CONCURRENCY',
    default: '12',
    description: 'partitions of a command topic handled at once, per role (1..1000)',
  },
  { name: 'LOG_LEVEL', default: 'info', description: 'debug, info, warn or error' },
  { name: 'KAFKA_CLIENT_ID', default: 'mock-agents', description: 'client id shown in broker logs' },
];

const KNOWN = new Set(MOCK_AGENTS_ENV.map((v) => v.name));

/**
 * Reads and validates the configuration. Every problem is collected and reported at once in one
 * ConfigError, naming the variable and what it accepts. Unknown `MOCK_*` variables are problems
 * too: a misspelt `MOCK_TESTPLANNER_THINK_MS` would otherwise be ignored without a word.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): MockAgentsConfig {
  const problems: string[] = [];
  let kafka: KafkaConfig | undefined;
  try {
    kafka = kafkaConfigFromEnv(env, { clientId: 'mock-agents' });
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }

  const raw = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const get = (name: string): string =>
    raw(name) ?? MOCK_AGENTS_ENV.find((v) => v.name === name)?.default ?? '';

  const wholeNumber = (name: string, text: string, min: number, max: number): number => {
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max) {
      problems.push(`${name}=${text} is not a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  };
  const rate = (name: string, text: string): number => {
    const value = Number(text);
    if (!/^\d*\.?\d+$/.test(text) || value > 1) {
      problems.push(`${name}=${text} is not a probability from 0 to 1 (e.g. 0.1)`);
      return 0;
    }
    return value;
  };
  const boolean = (name: string): boolean => {
    const text = get(name).toLowerCase();
    if (text !== 'true' && text !== 'false') problems.push(`${name}=${get(name)} is not true or false`);
    return text !== 'false';
  };

  const roles = parseRoles(get('MOCK_ROLES'), problems);

  const thinkMs = wholeNumber('MOCK_THINK_MS', get('MOCK_THINK_MS'), 0, MAX_THINK_MS);
  const failureRate = rate('MOCK_FAILURE_RATE', get('MOCK_FAILURE_RATE'));
  const settings = Object.fromEntries(
    AGENT_ROLE_NAMES.map((role): [AgentRole, RoleSettings] => {
      const thinkName = roleEnvName(role, 'THINK_MS');
      const rateName = roleEnvName(role, 'FAILURE_RATE');
      const think = raw(thinkName);
      const failure = raw(rateName);
      return [
        role,
        {
          thinkMs: think === undefined ? thinkMs : wholeNumber(thinkName, think, 0, MAX_THINK_MS),
          failureRate: failure === undefined ? failureRate : rate(rateName, failure),
        },
      ];
    }),
  ) as Record<AgentRole, RoleSettings>;

  const plannerTasks = wholeNumber('MOCK_PLANNER_TASKS', get('MOCK_PLANNER_TASKS'), 1, 1000);
  const topicPrefix = get('PIPELINE_TOPIC_PREFIX');
  if (topicPrefix && !NAME_PATTERN.test(topicPrefix)) {
    problems.push(`PIPELINE_TOPIC_PREFIX=${topicPrefix} may only use letters, digits, '.', '_' and '-'`);
  }
  const groupPrefix = get('MOCK_GROUP_PREFIX');
  if (!NAME_PATTERN.test(groupPrefix)) {
    problems.push(`MOCK_GROUP_PREFIX=${groupPrefix} may only use letters, digits, '.', '_' and '-'`);
  }
  const fromBeginning = boolean('MOCK_FROM_BEGINNING');
  const concurrency = wholeNumber('MOCK_CONCURRENCY', get('MOCK_CONCURRENCY'), 1, 1000);
  const logLevel = get('LOG_LEVEL') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL=${logLevel} is not one of ${LOG_LEVELS.join(', ')}`);
  }

  for (const name of Object.keys(env).sort()) {
    if (name.startsWith('MOCK_') && !KNOWN.has(name)) {
      problems.push(
        `${name} is not a setting of the mock agents (known: MOCK_ROLES, MOCK_THINK_MS, …, see README)`,
      );
    }
  }

  if (problems.length > 0 || kafka === undefined) {
    throw new ConfigError(problems, 'mock-agents configuration');
  }
  return {
    kafka,
    roles,
    settings,
    plannerTasks,
    topicPrefix,
    groupPrefix,
    fromBeginning,
    concurrency,
    logLevel,
  };
}

function parseRoles(text: string, problems: string[]): AgentRole[] {
  if (text.toLowerCase() === 'all') return [...AGENT_ROLE_NAMES];
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((n) => !(AGENT_ROLE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0) {
    problems.push(
      `MOCK_ROLES: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a role' : 'are not roles'}: use all or a comma list of ${AGENT_ROLE_NAMES.join(', ')}`,
    );
  }
  if (names.length === 0) {
    problems.push(
      `MOCK_ROLES=${text} names no role: use all or a comma list of ${AGENT_ROLE_NAMES.join(', ')}`,
    );
  }
  // In the canonical order, each once.
  return AGENT_ROLE_NAMES.filter((role) => names.includes(role));
}
