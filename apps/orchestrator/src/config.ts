import { ConfigError, type KafkaConfig, kafkaConfigFromEnv } from '@pipeline/kafka';
import { isFinalStage, isStage, STAGES, type Stage } from '@pipeline/state-machine';

export interface OrchestratorConfig {
  kafka: KafkaConfig;
  http: { host: string; port: number };
  groupId: string;
  topicPrefix: string;
  provisionTopics: boolean;
  partitions: number;
  replicationFactor: number;
  /** Per non-final stage: how long a request may stay in it (ms); undefined = no deadline. */
  deadlines: Partial<Record<Stage, number>>;
  /** How long finished requests stay queryable before their state is tombstoned (ms). */
  retentionMs: number;
  sweepIntervalMs: number;
  shutdownGraceMs: number;
  restoreTimeoutMs: number;
  partitionsConsumedConcurrently: number;
  sessionTimeoutMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Every setting, its default and what it does: the README's configuration table is this list. */
export const ORCHESTRATOR_ENV = [
  ['ORCH_HTTP_HOST', '0.0.0.0', 'interface of the HTTP server (/metrics, /healthz, /readyz, /requests/{id})'],
  ['ORCH_HTTP_PORT', '9300', 'port of the HTTP server'],
  [
    'ORCH_GROUP_ID',
    'orchestrator',
    'consumer group of the orchestrator instances; also the prefix of their transactional ids',
  ],
  ['PIPELINE_TOPIC_PREFIX', '', 'prefix of every topic name (several pipelines on one cluster)'],
  [
    'ORCH_PROVISION_TOPICS',
    'true',
    'create missing topics at start and refuse to start on a partition-count mismatch',
  ],
  [
    'ORCH_TOPIC_PARTITIONS',
    '12',
    'partitions of every topic it creates (all topics must have the same count)',
  ],
  ['ORCH_REPLICATION_FACTOR', '1', 'replication factor of the topics it creates (3 on a production cluster)'],
  [
    'ORCH_STAGE_DEADLINE',
    '1h',
    'how long a request may stay in one stage before it regresses (`off` for none)',
  ],
  ['ORCH_STAGE_DEADLINES', '', 'per-stage overrides, e.g. `code_phase=4h,build1=30m,plan_phase=off`'],
  ['ORCH_RETENTION', '7d', 'how long finished requests stay queryable before they are forgotten'],
  ['ORCH_SWEEP_INTERVAL', '1s', 'how often deadlines and retention are checked'],
  ['ORCH_SHUTDOWN_GRACE', '10s', 'on SIGTERM: time to finish the batch in hand before exiting anyway'],
  [
    'ORCH_RESTORE_TIMEOUT',
    '60s',
    'how long one restore attempt waits to read back its barrier; a failed attempt is retried with backoff',
  ],
  ['ORCH_CONCURRENCY', '12', 'input partitions processed at once'],
  [
    'ORCH_SESSION_TIMEOUT',
    '30s',
    'how long the group waits for a silent instance before its partitions move to others',
  ],
  ['LOG_LEVEL', 'info', 'debug, info, warn or error'],
] as const;

/**
 * Reads and validates the configuration. Every problem is collected and reported at once, naming
 * the variable and what it accepts, so the service stops at start with one message saying what
 * to fix.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const problems: string[] = [];
  let kafka: KafkaConfig | undefined;
  try {
    kafka = kafkaConfigFromEnv(env, { clientId: 'orchestrator' });
  } catch (error) {
    if (error instanceof ConfigError) problems.push(...error.problems);
    else throw error;
  }
  const get = (name: (typeof ORCHESTRATOR_ENV)[number][0]): string => {
    const fallback = ORCHESTRATOR_ENV.find(([n]) => n === name)?.[1] ?? '';
    const value = env[name]?.trim();
    return value === undefined || value === '' ? fallback : value;
  };
  const int = (name: (typeof ORCHESTRATOR_ENV)[number][0], min: number, max: number): number => {
    const raw = get(name);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name}=${raw} is not a whole number from ${min} to ${max}`);
      return min;
    }
    return value;
  };
  const duration = (name: (typeof ORCHESTRATOR_ENV)[number][0]): number => {
    const ms = parseDuration(get(name));
    if (ms === undefined || ms === 'off') {
      problems.push(`${name}=${get(name)} is not a duration (e.g. 500ms, 30s, 15m, 2h, 7d)`);
      return 0;
    }
    return ms;
  };

  const logLevel = get('LOG_LEVEL');
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    problems.push(`LOG_LEVEL=${logLevel} is not one of debug, info, warn, error`);
  const provision = get('ORCH_PROVISION_TOPICS');
  if (!['true', 'false'].includes(provision))
    problems.push(`ORCH_PROVISION_TOPICS=${provision} is not true or false`);

  const config = {
    http: { host: get('ORCH_HTTP_HOST'), port: int('ORCH_HTTP_PORT', 0, 65535) },
    groupId: get('ORCH_GROUP_ID'),
    topicPrefix: get('PIPELINE_TOPIC_PREFIX'),
    provisionTopics: provision === 'true',
    partitions: int('ORCH_TOPIC_PARTITIONS', 1, 10_000),
    replicationFactor: int('ORCH_REPLICATION_FACTOR', 1, 100),
    deadlines: parseDeadlines(get('ORCH_STAGE_DEADLINE'), get('ORCH_STAGE_DEADLINES'), problems),
    retentionMs: duration('ORCH_RETENTION'),
    sweepIntervalMs: duration('ORCH_SWEEP_INTERVAL'),
    shutdownGraceMs: duration('ORCH_SHUTDOWN_GRACE'),
    restoreTimeoutMs: duration('ORCH_RESTORE_TIMEOUT'),
    partitionsConsumedConcurrently: int('ORCH_CONCURRENCY', 1, 1000),
    sessionTimeoutMs: duration('ORCH_SESSION_TIMEOUT'),
    logLevel: logLevel as OrchestratorConfig['logLevel'],
  };
  if (!/^[A-Za-z0-9._-]+$/.test(config.groupId))
    problems.push(`ORCH_GROUP_ID=${config.groupId} may only use letters, digits, '.', '_' and '-'`);
  if (config.topicPrefix && !/^[A-Za-z0-9._-]+$/.test(config.topicPrefix)) {
    problems.push(
      `PIPELINE_TOPIC_PREFIX=${config.topicPrefix} may only use letters, digits, '.', '_' and '-'`,
    );
  }
  if (problems.length > 0 || !kafka) {
    throw new ConfigError(problems, 'orchestrator configuration');
  }
  return { ...config, kafka };
}

/** `500ms`, `30s`, `15m`, `2h`, `7d`, a bare number of ms, or `off`. */
export function parseDuration(text: string): number | 'off' | undefined {
  if (text === 'off') return 'off';
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text);
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[(match[2] ?? 'ms') as 'ms'];
  return Math.round(Number(match[1]) * unit);
}

function parseDeadlines(
  fallback: string,
  overrides: string,
  problems: string[],
): Partial<Record<Stage, number>> {
  const deadlines: Partial<Record<Stage, number>> = {};
  const base = parseDuration(fallback);
  if (base === undefined) problems.push(`ORCH_STAGE_DEADLINE=${fallback} is not a duration or off`);
  for (const stage of STAGES)
    if (!isFinalStage(stage) && stage !== 'idle' && typeof base === 'number') deadlines[stage] = base;
  for (const item of overrides
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [stage, value = ''] = item.split('=').map((s) => s.trim());
    const ms = parseDuration(value);
    if (!isStage(stage) || isFinalStage(stage)) {
      problems.push(
        `ORCH_STAGE_DEADLINES: ${stage} is not a non-final stage (${STAGES.filter((s) => !isFinalStage(s)).join(', ')})`,
      );
    } else if (ms === undefined) {
      problems.push(`ORCH_STAGE_DEADLINES: ${item} needs a duration such as ${stage}=30m, or ${stage}=off`);
    } else if (ms === 'off') {
      delete deadlines[stage];
    } else {
      deadlines[stage] = ms;
    }
  }
  return deadlines;
}
