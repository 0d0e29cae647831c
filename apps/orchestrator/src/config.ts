import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EnvReader, env, LOG_LEVEL_ENV, type LogLevel, parseDuration } from '@pipeline/common';
import { COMPRESSIONS, type Compression, type KafkaConfig, readKafkaConfig } from '@pipeline/kafka';
import { isFinalStage, STAGES, type Stage } from '@pipeline/state-machine';
import {
  KAFKA_NAME,
  REPLICATION_ENV,
  type ReplicationEnv,
  readReplicationSettings,
  TOPIC_PREFIX_ENV,
} from '@pipeline/topics';

export interface OrchestratorConfig {
  kafka: KafkaConfig;
  /** `token`: when set, GET /requests/{id} needs it as `Authorization: Bearer <token>`. */
  /** `advertisedUrl`: ORCH_ADVERTISED_URL, or undefined for one made from the address it listens on. */
  http: { host: string; port: number; token: string | undefined; advertisedUrl: string | undefined };
  groupId: string;
  topicPrefix: string;
  provisionTopics: boolean;
  partitions: number;
  /** As asked: an unset replication factor is undefined, and the cluster decides it at start. */
  replication: ReplicationEnv;
  /**
   * Per non-final stage: how long a request may stay in it without a sign of life from its agent
   * (the command, or an AgentProgress), in ms; undefined = no idle deadline.
   */
  deadlines: Partial<Record<Stage, number>>;
  /** Per non-final stage: the most a request may stay in it whatever its agent reports (ms). */
  stageMaximums: Partial<Record<Stage, number>>;
  /** ORCH_APPROVAL: stages every request waits for an operator's approval before. */
  approvalStages: Stage[];
  /** ORCH_APPROVAL_TIMEOUT: how long a request waits for an approval before it is rejected (ms). */
  approvalTimeoutMs: number;
  /** ORCH_RETRY: per stage, how many times a failure there is retried before the request regresses. */
  retryPolicy: Partial<Record<Stage, number>>;
  /** The budget of a request that sets none; an absent limit does not apply. */
  defaultBudget: { maxTokens?: number; maxCostUsd?: number };
  /** How long finished requests stay queryable before their state is tombstoned (ms). */
  retentionMs: number;
  sweepIntervalMs: number;
  shutdownGraceMs: number;
  restoreTimeoutMs: number;
  /** ORCH_STATE_DIR: where the on-disk copy of the state topic lives (store/state-store.ts). */
  stateDir: string;
  /** Codec of what it writes (commands, state, dead letters). */
  compression: Compression;
  partitionStuckAfterMs: number;
  partitionsConsumedConcurrently: number;
  maxInFlightPerPartition: number;
  sessionTimeoutMs: number;
  logLevel: LogLevel;
}

/** RFC 6750's b64token, at least 16 characters (a guessable token guards nothing), at most 512. */
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]{16,512}=*$/;
const TOKEN_HINT =
  'is not a bearer token: 16 to 512 of A-Z a-z 0-9 - . _ ~ + / (then = padding), e.g. `openssl rand -hex 32`';
const NON_FINAL = STAGES.filter((s) => !isFinalStage(s));

/**
 * A stage deadline, the default one and each per-stage override: at least 1 s (0 would regress every
 * request at the first sweep, before any agent could answer), at most what a Node timer can wait, or
 * `off`.
 */
const DEADLINE = env.duration({
  description:
    'how long a request may stay in one stage without a sign of life from its agent (the command sent, or an AgentProgress) before it regresses (`off` for none)',
  default: '1h',
  min: 1000,
  off: true,
});

/** The hard maximum per stage: the same range as the idle deadline. */
const STAGE_MAX = env.duration({
  description:
    'the most a request may stay in one stage, however often its agent reports progress (`off` for none)',
  default: '24h',
  min: 1000,
  off: true,
});

/** Every setting, its default and what it does: the README's configuration table is this list. */
export const ORCHESTRATOR_ENV = {
  // Loopback by default: the server has no TLS, and without ORCH_HTTP_TOKEN no authentication. In a
  // container, set 0.0.0.0 and publish the port on the host's loopback (docker-compose.yml does).
  ORCH_HTTP_HOST: env.string({
    description: 'interface of the HTTP server (/metrics, /healthz, /readyz, /requests/{id})',
    default: '127.0.0.1',
  }),
  ORCH_HTTP_PORT: env.int({ description: 'port of the HTTP server', default: 9300, min: 0, max: 65535 }),
  // The problem never repeats the value: it is a secret, and may have been pasted into the wrong variable.
  ORCH_HTTP_TOKEN: env.custom<string | undefined>({
    description:
      'when set, GET /requests/{id} needs `Authorization: Bearer <token>` (401 otherwise); /metrics, /healthz and /readyz stay open',
    defaultText: '(none)',
    fallback: undefined,
    parse: (raw, name) =>
      BEARER_TOKEN.test(raw) ? { ok: true, value: raw } : { ok: false, problem: `${name} ${TOKEN_HINT}` },
  }),
  ORCH_ADVERTISED_URL: env.custom<string | undefined>({
    description:
      'where the other instances reach this one’s HTTP server, to forward GET /requests/{id} to the instance that owns the request and to fan GET /requests out (e.g. http://orchestrator-2:9300)',
    defaultText: '`http://<ORCH_HTTP_HOST>:<port>`, the host name when it listens on every interface',
    fallback: undefined,
    parse: (raw, name) => parseAdvertisedUrl(raw, name),
  }),
  ORCH_GROUP_ID: env.string({
    description:
      'consumer group of the orchestrator instances; also the prefix of their transactional ids (default: the topic prefix + `orchestrator`, so two pipelines never share one)',
    default: '',
    defaultText: '`<PIPELINE_TOPIC_PREFIX>orchestrator`',
    ...KAFKA_NAME,
  }),
  ORCH_PROVISION_TOPICS: env.boolean({
    description:
      'create missing topics at start and refuse to start on a partition-count mismatch; the state topic is checked either way',
    default: true,
  }),
  ORCH_TOPIC_PARTITIONS: env.int({
    description: 'partitions of every topic it creates (all topics must have the same count)',
    default: 12,
    min: 1,
    max: 10_000,
  }),
  // Shared with the demo, which creates the topics before it starts the orchestrator.
  ...REPLICATION_ENV,
  ORCH_STAGE_DEADLINE: DEADLINE,
  ORCH_STAGE_DEADLINES: env.string({
    description: 'per-stage overrides, e.g. `code_phase=4h,build1=30m,plan_phase=off`',
    default: '',
    defaultText: '(empty)',
  }),
  ORCH_STAGE_MAX: STAGE_MAX,
  ORCH_APPROVAL: env.string({
    description:
      'stages every request waits before for `pipeline approve` (or `pipeline reject`), e.g. `code_phase,build2`',
    default: '',
    defaultText: '(none)',
  }),
  // Cancel on timeout: a request nobody approved does not go ahead.
  ORCH_APPROVAL_TIMEOUT: env.duration({
    description: 'how long a request waits for an approval before it is rejected',
    default: '24h',
    min: 1000,
  }),
  ORCH_RETRY: env.string({
    description:
      'automatic retries per stage, e.g. `build1:2,build2:1`: a failure there starts a new attempt of the stage (up to that many times) before the request regresses',
    default: '',
    defaultText: '(none)',
  }),
  ORCH_BUDGET_TOKENS: env.int({
    description:
      'tokens (in + out) the agents may spend on a request that sets no budget of its own; over it, the request regresses with budget_exceeded (0: no limit)',
    default: 0,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
  }),
  ORCH_BUDGET_USD: env.number({
    description: 'US dollars the agents may spend on a request that sets no budget of its own (0: no limit)',
    default: 0,
    min: 0,
    max: 1_000_000,
  }),
  ORCH_STAGE_MAXES: env.string({
    description: 'per-stage overrides of the hard maximum, e.g. `code_phase=8h,build1=2h`',
    default: '',
    defaultText: '(empty)',
  }),
  // At least a minute, so that `pipeline watch` and the demo see a request finish before it is
  // forgotten; at most the longest duration of any setting.
  ORCH_RETENTION: env.duration({
    description: 'how long finished requests stay queryable before they are forgotten',
    default: '7d',
    min: 60_000,
  }),
  // Every sweep walks the partition's requests: more often than every 100 ms spins (0 ms is a busy
  // loop), and less often than every 5 min makes a deadline fire that much late.
  ORCH_SWEEP_INTERVAL: env.duration({
    description: 'how often deadlines and retention are checked',
    default: '1s',
    min: 100,
    max: 300_000,
  }),
  // 0 would abandon the batch in hand at once; a stop that takes longer than 10 min is stuck, and the
  // platform (Docker, Kubernetes) kills the process long before.
  ORCH_SHUTDOWN_GRACE: env.duration({
    description: 'on SIGTERM: time to finish the batch in hand before exiting anyway',
    default: '10s',
    min: 1000,
    max: 600_000,
  }),
  // A restore that may not wait fails every attempt and retries for ever; one that waits longer than
  // 30 min for its own barrier is better retried.
  ORCH_RESTORE_TIMEOUT: env.duration({
    description:
      'how long one restore attempt waits to read back its barrier while the state partition reads nothing; a failed attempt is retried with backoff',
    default: '60s',
    min: 1000,
    max: 1_800_000,
  }),
  // Liveness turns false past it, and the platform restarts the instance. At least 30 s (a broker
  // restart or a leader election is not worth a restart), and it must exceed ORCH_RESTORE_TIMEOUT, so
  // that one slow but healthy restore never counts as stuck.
  ORCH_PARTITION_STUCK_AFTER: env.duration({
    description:
      'a partition restoring, fenced or failing its transactions for longer than this makes /healthz answer 503',
    default: '5m',
    min: 30_000,
  }),
  // Bounds the state (memory) one partition holds: a flood of change requests waits in Kafka instead.
  ORCH_MAX_IN_FLIGHT: env.int({
    description:
      'unfinished requests per partition at which it stops reading new change requests until some finish (none is dropped: they wait in Kafka)',
    default: 5000,
    min: 1,
    max: 1_000_000,
  }),
  // None by default: agents then need no codec to read commands, and neither side spends CPU on it
  // (gzip cost the orchestrator ~25 % of its CPU per request in pnpm bench, docs/performance.md).
  // Transactions are bounded by their uncompressed size anyway (domain/chunk.ts).
  ORCH_COMPRESSION: env.oneOf(COMPRESSIONS, {
    description: `codec of the records it writes: ${COMPRESSIONS.join(', ')} (agents must read it)`,
    default: 'none',
  }),
  // A cache of the state topic (the topic stays the truth): losing it costs a full read at the next
  // start, keeping it makes a restart read only what was written since. Instances on one host share
  // the directory, each in a slot of its own.
  ORCH_STATE_DIR: env.string({
    description:
      'directory of the on-disk copy of the state topic (a cache: keep it across restarts for a quick start, deleting it only costs a full read)',
    default: '',
    defaultText: '`<tmpdir>/pipeline-orchestrator/<ORCH_GROUP_ID>`',
  }),
  ORCH_CONCURRENCY: env.int({
    description: 'input partitions processed at once',
    default: 12,
    min: 1,
    max: 1000,
  }),
  // The broker's group.min.session.timeout.ms and group.max.session.timeout.ms (6 s and 30 min by
  // default): outside them it refuses the consumer, which restarts for ever.
  ORCH_SESSION_TIMEOUT: env.duration({
    description: 'how long the group waits for a silent instance before its partitions move to others',
    default: '30s',
    min: 6000,
    max: 1_800_000,
  }),
  ...LOG_LEVEL_ENV,
} as const;

/** An http(s) URL with a host, nothing after the port: what peers put `/requests/…` after. */
function parseAdvertisedUrl(
  raw: string,
  name: string,
): { ok: true; value: string } | { ok: false; problem: string } {
  const hint = `${name}=${raw}: an http(s) URL with a host and no path, e.g. http://orchestrator-2:9300`;
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '')
      return { ok: false, problem: hint };
    if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return { ok: false, problem: hint };
    return { ok: true, value: url.origin };
  } catch {
    return { ok: false, problem: hint };
  }
}

/**
 * Reads and validates the configuration. Every problem is collected and reported at once, naming
 * the variable and what it accepts, so the service stops at start with one message saying what
 * to fix.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): OrchestratorConfig {
  const reader = new EnvReader(source);
  const kafka = readKafkaConfig(reader, { clientId: 'orchestrator' });
  const { PIPELINE_TOPIC_PREFIX } = reader.read(TOPIC_PREFIX_ENV);
  const v = reader.read(ORCHESTRATOR_ENV);
  const replication = readReplicationSettings(reader);
  if (v.ORCH_PARTITION_STUCK_AFTER <= v.ORCH_RESTORE_TIMEOUT)
    reader.problem(
      `ORCH_PARTITION_STUCK_AFTER (${v.ORCH_PARTITION_STUCK_AFTER} ms) must be longer than ORCH_RESTORE_TIMEOUT (${v.ORCH_RESTORE_TIMEOUT} ms): one slow restore is not stuck`,
    );
  const groupId = v.ORCH_GROUP_ID || `${PIPELINE_TOPIC_PREFIX}orchestrator`;
  return reader.finish('orchestrator configuration', {
    kafka,
    http: {
      host: v.ORCH_HTTP_HOST,
      port: v.ORCH_HTTP_PORT,
      token: v.ORCH_HTTP_TOKEN,
      advertisedUrl: v.ORCH_ADVERTISED_URL,
    },
    groupId,
    topicPrefix: PIPELINE_TOPIC_PREFIX,
    provisionTopics: v.ORCH_PROVISION_TOPICS,
    partitions: v.ORCH_TOPIC_PARTITIONS,
    replication,
    deadlines: readStageDurations(
      'ORCH_STAGE_DEADLINES',
      DEADLINE,
      v.ORCH_STAGE_DEADLINE,
      v.ORCH_STAGE_DEADLINES,
      reader,
    ),
    retryPolicy: readRetryPolicy(v.ORCH_RETRY, reader),
    approvalStages: readApprovalStages(v.ORCH_APPROVAL, reader),
    approvalTimeoutMs: v.ORCH_APPROVAL_TIMEOUT,
    defaultBudget: {
      ...(v.ORCH_BUDGET_TOKENS > 0 ? { maxTokens: v.ORCH_BUDGET_TOKENS } : {}),
      ...(v.ORCH_BUDGET_USD > 0 ? { maxCostUsd: v.ORCH_BUDGET_USD } : {}),
    },
    stageMaximums: readStageDurations(
      'ORCH_STAGE_MAXES',
      STAGE_MAX,
      v.ORCH_STAGE_MAX,
      v.ORCH_STAGE_MAXES,
      reader,
    ),
    retentionMs: v.ORCH_RETENTION,
    sweepIntervalMs: v.ORCH_SWEEP_INTERVAL,
    shutdownGraceMs: v.ORCH_SHUTDOWN_GRACE,
    restoreTimeoutMs: v.ORCH_RESTORE_TIMEOUT,
    compression: v.ORCH_COMPRESSION,
    stateDir: resolve(v.ORCH_STATE_DIR || join(tmpdir(), 'pipeline-orchestrator', groupId)),
    partitionStuckAfterMs: v.ORCH_PARTITION_STUCK_AFTER,
    partitionsConsumedConcurrently: v.ORCH_CONCURRENCY,
    maxInFlightPerPartition: v.ORCH_MAX_IN_FLIGHT,
    sessionTimeoutMs: v.ORCH_SESSION_TIMEOUT,
    logLevel: v.LOG_LEVEL,
  });
}

/**
 * A default for every non-final stage, then the per-stage overrides of `name` (`stage=30m`,
 * `stage=off`), each read by `spec`'s rules (its range, or off).
 */
function readStageDurations(
  name: string,
  spec: typeof DEADLINE,
  fallback: number | undefined,
  overrides: string,
  reader: EnvReader,
): Partial<Record<Stage, number>> {
  const durations: Partial<Record<Stage, number>> = {};
  if (fallback !== undefined)
    for (const stage of NON_FINAL) if (stage !== 'idle') durations[stage] = fallback;
  const items = overrides
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of items) {
    const [stage = '', value = ''] = item.split('=').map((s) => s.trim());
    const known = NON_FINAL.find((s) => s === stage);
    if (!known) {
      reader.problem(`${name}: ${stage} is not a non-final stage (${NON_FINAL.join(', ')})`);
      continue;
    }
    if (parseDuration(value) === undefined) {
      reader.problem(`${name}: ${item} needs a duration such as ${stage}=30m, or ${stage}=off`);
      continue;
    }
    const read = spec.read(value, stage);
    if (!read.ok) reader.problem(`${name}: ${read.problem}, or off`);
    else if (read.value === undefined) delete durations[known];
    else durations[known] = read.value;
  }
  return durations;
}

/** Stages an attempt can start at: every non-final stage but idle. */
const RETRYABLE = NON_FINAL.filter((s) => s !== 'idle');

/** `build1:2,build2:1` → { build1: 2, build2: 1 }; each count 1–10. */
function readRetryPolicy(raw: string, reader: EnvReader): Partial<Record<Stage, number>> {
  const policy: Partial<Record<Stage, number>> = {};
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [stage = '', count = ''] = item.split(':').map((s) => s.trim());
    const known = RETRYABLE.find((s) => s === stage);
    const n = /^\d+$/.test(count) ? Number(count) : Number.NaN;
    if (!known)
      reader.problem(`ORCH_RETRY: ${stage} is not a stage that can be retried (${RETRYABLE.join(', ')})`);
    else if (!(n >= 1 && n <= 10))
      reader.problem(`ORCH_RETRY: ${item} needs a count from 1 to 10, e.g. ${stage}:2`);
    else policy[known] = n;
  }
  return policy;
}

/** `code_phase,build2` → the stages, each one an attempt can start at. */
function readApprovalStages(raw: string, reader: EnvReader): Stage[] {
  const stages: Stage[] = [];
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const known = RETRYABLE.find((s) => s === item);
    if (known) stages.push(known);
    else
      reader.problem(
        `ORCH_APPROVAL: ${item} is not a stage that can wait for an approval (${RETRYABLE.join(', ')})`,
      );
  }
  return [...new Set(stages)];
}
