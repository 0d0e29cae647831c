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
    expect(config.http).toEqual({ host: '127.0.0.1', port: 9300 });
    expect(config.groupId).toBe('orchestrator');
    expect(config.topicPrefix).toBe('');
    expect(config.provisionTopics).toBe(true);
    expect(config.partitions).toBe(12);
    expect(config.deadlines).toMatchObject({ plan_phase: 3_600_000, build2: 3_600_000 });
    expect(config.deadlines).not.toHaveProperty('idle');
    expect(config.deadlines).not.toHaveProperty('done');
    expect(config.retentionMs).toBe(7 * 86_400_000);
    expect(config.kafka.brokers).toEqual(['localhost:9092']);
    expect(config.compression).toBe('none');
  });

  it('writes with the codec ORCH_COMPRESSION names, and refuses one it does not know', () => {
    expect(loadConfig({ ...base, ORCH_COMPRESSION: 'zstd' }).compression).toBe('zstd');
    expect(() => loadConfig({ ...base, ORCH_COMPRESSION: 'brotli' })).toThrow(
      /ORCH_COMPRESSION=brotli is not one of none, gzip, snappy, lz4, zstd/,
    );
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

  it('reads ORCH_RETRY: a count per stage, 1 to 10, only stages an attempt can start at', () => {
    expect(loadConfig(base).retryPolicy).toEqual({});
    expect(loadConfig({ ...base, ORCH_RETRY: 'build1:2, build2:1' }).retryPolicy).toEqual({
      build1: 2,
      build2: 1,
    });
    expect(() => loadConfig({ ...base, ORCH_RETRY: 'done:1' })).toThrow(
      /ORCH_RETRY: done is not a stage that can be retried/,
    );
    expect(() => loadConfig({ ...base, ORCH_RETRY: 'build1:0' })).toThrow(
      /ORCH_RETRY: build1:0 needs a count from 1 to 10/,
    );
    expect(() => loadConfig({ ...base, ORCH_RETRY: 'build1' })).toThrow(/needs a count from 1 to 10/);
  });

  it('reads ORCH_APPROVAL (stages that can wait) and ORCH_APPROVAL_TIMEOUT (24 h by default)', () => {
    expect(loadConfig(base)).toMatchObject({ approvalStages: [], approvalTimeoutMs: 86_400_000 });
    const config = loadConfig({ ...base, ORCH_APPROVAL: 'code_phase, build2', ORCH_APPROVAL_TIMEOUT: '30m' });
    expect(config).toMatchObject({ approvalStages: ['code_phase', 'build2'], approvalTimeoutMs: 1_800_000 });
    expect(() => loadConfig({ ...base, ORCH_APPROVAL: 'idle' })).toThrow(
      /ORCH_APPROVAL: idle is not a stage that can wait for an approval/,
    );
  });

  it('reads the hard maximum per stage (24 h by default), its overrides, and off', () => {
    expect(loadConfig(base).stageMaximums).toMatchObject({ code_phase: 86_400_000, build2: 86_400_000 });
    const config = loadConfig({ ...base, ORCH_STAGE_MAX: '8h', ORCH_STAGE_MAXES: 'build1=2h,test_plan=off' });
    expect(config.stageMaximums).toMatchObject({ code_phase: 28_800_000, build1: 7_200_000 });
    expect(config.stageMaximums).not.toHaveProperty('test_plan');
    expect(() => loadConfig({ ...base, ORCH_STAGE_MAXES: 'coding=2h' })).toThrow(
      /ORCH_STAGE_MAXES: coding is not a non-final stage/,
    );
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

describe('finding 11: config values that stall or spin are refused', () => {
  const problemsOf = (env: Record<string, string>): string[] => {
    try {
      loadConfig({ ...base, ...env });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return [...(error as ConfigError).problems];
    }
    return [];
  };
  const TIMER = '2147483647ms (~24.8d, the longest a Node timer can wait)';

  it.each([
    // A restore that cannot wait retries for ever; a sweep every 0 ms spins.
    ['ORCH_RESTORE_TIMEOUT', '0', 'ORCH_RESTORE_TIMEOUT=0 is not a duration from 1s to 30m'],
    ['ORCH_SWEEP_INTERVAL', '0', 'ORCH_SWEEP_INTERVAL=0 is not a duration from 100ms to 5m'],
    // The broker refuses a session timeout outside its group.min/max.session.timeout.ms (6 s–30 min
    // by default): the consumer cannot join, and the service restarts for ever.
    ['ORCH_SESSION_TIMEOUT', '1ms', 'ORCH_SESSION_TIMEOUT=1ms is not a duration from 6s to 30m'],
    ['ORCH_SESSION_TIMEOUT', '31m', 'ORCH_SESSION_TIMEOUT=31m is not a duration from 6s to 30m'],
    // A deadline of 0 regresses every request at the first sweep.
    ['ORCH_STAGE_DEADLINE', '0', `ORCH_STAGE_DEADLINE=0 is not a duration from 1s to ${TIMER}`],
    [
      'ORCH_STAGE_DEADLINES',
      'build1=0',
      `ORCH_STAGE_DEADLINES: build1=0 is not a duration from 1s to ${TIMER}, or off`,
    ],
    [
      'ORCH_STAGE_DEADLINES',
      'code_phase=25d',
      `ORCH_STAGE_DEADLINES: code_phase=25d is not a duration from 1s to ${TIMER}, or off`,
    ],
    // Beyond 2^31−1 ms Node's timers fire after 1 ms: a 30-day grace would exit at once.
    ['ORCH_SHUTDOWN_GRACE', '30d', 'ORCH_SHUTDOWN_GRACE=30d is not a duration from 1s to 10m'],
    ['ORCH_SHUTDOWN_GRACE', '0', 'ORCH_SHUTDOWN_GRACE=0 is not a duration from 1s to 10m'],
    ['ORCH_RETENTION', '30d', `ORCH_RETENTION=30d is not a duration from 1m to ${TIMER}`],
    ['ORCH_RETENTION', '0', `ORCH_RETENTION=0 is not a duration from 1m to ${TIMER}`],
    [
      'ORCH_RESTORE_TIMEOUT',
      '3000000000',
      'ORCH_RESTORE_TIMEOUT=3000000000 is not a duration from 1s to 30m',
    ],
  ])('%s=%s is refused, saying the range', (name, value, problem) => {
    expect(problemsOf({ [name]: value })).toEqual([problem]);
  });

  it('refuses a stuck-partition bound that a slow but healthy restore could reach', () => {
    expect(() =>
      loadConfig({ ...base, ORCH_RESTORE_TIMEOUT: '10m', ORCH_PARTITION_STUCK_AFTER: '5m' }),
    ).toThrow(
      'ORCH_PARTITION_STUCK_AFTER (300000 ms) must be longer than ORCH_RESTORE_TIMEOUT (600000 ms): one slow restore is not stuck',
    );
  });

  it('accepts the ends of every range', () => {
    const low = loadConfig({
      ...base,
      ORCH_RESTORE_TIMEOUT: '1s',
      ORCH_SWEEP_INTERVAL: '100ms',
      ORCH_SESSION_TIMEOUT: '6s',
      ORCH_STAGE_DEADLINE: '1s',
      ORCH_STAGE_DEADLINES: 'build1=1s',
      ORCH_SHUTDOWN_GRACE: '1s',
      ORCH_RETENTION: '1m',
      ORCH_PARTITION_STUCK_AFTER: '30s',
    });
    expect(low).toMatchObject({
      restoreTimeoutMs: 1000,
      sweepIntervalMs: 100,
      sessionTimeoutMs: 6000,
      shutdownGraceMs: 1000,
      retentionMs: 60_000,
    });
    expect(low.deadlines).toMatchObject({ plan_phase: 1000, build1: 1000 });
    const high = loadConfig({
      ...base,
      ORCH_RESTORE_TIMEOUT: '30m',
      ORCH_SWEEP_INTERVAL: '5m',
      ORCH_SESSION_TIMEOUT: '30m',
      ORCH_STAGE_DEADLINE: '2147483647',
      ORCH_STAGE_DEADLINES: 'build1=24d',
      ORCH_SHUTDOWN_GRACE: '10m',
      ORCH_RETENTION: '2147483647',
      ORCH_PARTITION_STUCK_AFTER: '2147483647',
    });
    expect(high).toMatchObject({ sessionTimeoutMs: 1_800_000, retentionMs: 2 ** 31 - 1 });
    expect(high.deadlines).toMatchObject({ plan_phase: 2 ** 31 - 1, build1: 24 * 86_400_000 });
  });

  it('the README says the range of every setting that has one', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const rowOf = (name: string) => readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    const ranged = ['ORCH_HTTP_PORT', 'ORCH_TOPIC_PARTITIONS', 'ORCH_STAGE_DEADLINE', 'ORCH_SESSION_TIMEOUT'];
    for (const [name, variable] of [...Object.entries(ORCHESTRATOR_ENV), ...Object.entries(KAFKA_ENV)]) {
      if (ranged.includes(name)) expect(variable.range, `${name} has a range`).toBeDefined();
      if (variable.range === undefined) continue;
      expect(rowOf(name), `README row of ${name}`).toContain(variable.range);
    }
  });
});

describe('finding 13: the HTTP server is private by default', () => {
  it('binds 127.0.0.1 unless ORCH_HTTP_HOST says otherwise', () => {
    expect(loadConfig(base).http.host).toBe('127.0.0.1');
    expect(loadConfig({ ...base, ORCH_HTTP_HOST: '0.0.0.0' }).http.host).toBe('0.0.0.0');
  });

  it('reads ORCH_HTTP_TOKEN, a bearer token of 16 to 512 token characters; none by default', () => {
    expect(loadConfig(base).http.token).toBeUndefined();
    const token = 'b64+token/with-all._~chars=';
    expect(loadConfig({ ...base, ORCH_HTTP_TOKEN: token }).http.token).toBe(token);
    for (const bad of ['short', 'has a space in it!!', `${'x'.repeat(513)}`, 'quote"in"the"token"']) {
      let error: unknown;
      try {
        loadConfig({ ...base, ORCH_HTTP_TOKEN: bad });
      } catch (caught) {
        error = caught;
      }
      expect((error as ConfigError).problems, bad).toEqual([
        expect.stringMatching(
          /^ORCH_HTTP_TOKEN is not a bearer token: 16 to 512 of A-Z a-z 0-9 - \. _ ~ \+ \/ \(then = padding\), e\.g\. `openssl rand -hex 32`$/,
        ),
      ]);
      expect((error as ConfigError).message).not.toContain(bad);
    }
  });
});

describe('issue 10, finding 9: unsafe durability defaults', () => {
  it('asks for no replication factor by default (3, or 1 on a one-broker cluster) and allows no single replica', () => {
    expect(loadConfig(base).replication).toEqual({ replicationFactor: undefined, allowSingleReplica: false });
    expect(ORCHESTRATOR_ENV.ORCH_REPLICATION_FACTOR.defaultText).toBe('3');
    expect(
      loadConfig({ ...base, ORCH_REPLICATION_FACTOR: '2', ORCH_ALLOW_SINGLE_REPLICA: 'true' }).replication,
    ).toEqual({ replicationFactor: 2, allowSingleReplica: true });
  });

  it('refuses a value of ORCH_ALLOW_SINGLE_REPLICA that is not true or false', () => {
    expect(() => loadConfig({ ...base, ORCH_ALLOW_SINGLE_REPLICA: 'yes' })).toThrow(
      'ORCH_ALLOW_SINGLE_REPLICA=yes is not true or false',
    );
  });

  it('the README shows the default 3 and the allowance', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const rowOf = (name: string) => readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
    expect(rowOf('ORCH_REPLICATION_FACTOR')).toMatch(/^\| `ORCH_REPLICATION_FACTOR` +\| `3` +\|/);
    expect(rowOf('ORCH_ALLOW_SINGLE_REPLICA')).toMatch(/^\| `ORCH_ALLOW_SINGLE_REPLICA` +\| `false` +\|/);
  });

  // Issue 14: instances forward GET /requests/{id} to the owner at the address it advertises.
  it('reads ORCH_ADVERTISED_URL, an http(s) origin; none by default (made from the listening address)', () => {
    expect(loadConfig(base).http.advertisedUrl).toBeUndefined();
    expect(loadConfig({ ...base, ORCH_ADVERTISED_URL: 'http://orch-2:9300/' }).http.advertisedUrl).toBe(
      'http://orch-2:9300',
    );
    for (const bad of ['orch-2:9300', 'ftp://orch-2', 'http://orch-2:9300/requests', 'not a url']) {
      expect(() => loadConfig({ ...base, ORCH_ADVERTISED_URL: bad }), bad).toThrow(
        `ORCH_ADVERTISED_URL=${bad}: an http(s) URL with a host and no path, e.g. http://orchestrator-2:9300`,
      );
    }
  });
});
