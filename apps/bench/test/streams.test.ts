import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as topics from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { RELAY_INPUTS } from '../src/relay/route.js';
import { jarIsStale, STREAMS_DIR, STREAMS_JAR, streamsJavaArgs, streamsSources } from '../src/streams-jar.js';
import { SYSTEMS } from '../src/systems.js';

// The Kafka Streams system without a JVM: when its jar is rebuilt, and that the Java application
// speaks the same topic names as packages/topics and reads what the relay reads.

describe('the Kafka Streams jar', () => {
  it('is stale when missing or older than any source', () => {
    expect(jarIsStale(undefined, [])).toBe(true);
    expect(jarIsStale(1000, [900, 1000])).toBe(false);
    expect(jarIsStale(1000, [900, 1001])).toBe(true);
  });

  it('is made from the pom, the Java source and the protobuf files', () => {
    const sources = streamsSources();
    expect(sources).toContain(join(STREAMS_DIR, 'pom.xml'));
    expect(sources.some((s) => s.endsWith('BenchStreams.java'))).toBe(true);
    expect(sources.some((s) => s.endsWith('core_contracts.proto'))).toBe(true);
    expect(sources.some((s) => s.endsWith('state_record.proto'))).toBe(true);
    expect(streamsJavaArgs()).toEqual(['-jar', STREAMS_JAR]);
  });

  it('is one of the systems', () => {
    expect(SYSTEMS).toContain('kafka streams');
  });
});

describe('the Kafka Streams application', () => {
  const java = readFileSync(
    join(STREAMS_DIR, 'src/main/java/pipeline/bench/streams/BenchStreams.java'),
    'utf8',
  );
  const constants = new Map(
    [...java.matchAll(/static final String (\w+) = "([^"]*)";/g)].map((m) => [m[1], m[2]] as const),
  );

  it('names the topics as packages/topics does', () => {
    const expected: Record<string, string> = {
      CRQ: topics.CRQ,
      DEEP: topics.DEEP,
      PLAN: topics.PLAN,
      TASK: topics.TASK,
      CRES: topics.CRES,
      BREPORT: topics.BREPORT,
      TSPEC: topics.TSPEC,
      GTRES: topics.GTRES,
      BUILD_REQ: topics.BUILD_REQ,
      TPLAN_REQ: topics.TPLAN_REQ,
      TGEN_REQ: topics.TGEN_REQ,
      STATE: topics.STATE,
    };
    for (const [name, topic] of Object.entries(expected)) expect(constants.get(name), name).toBe(topic);
  });

  it('reads what the relay reads', () => {
    const inputs = /INPUTS = List\.of\(([^)]*)\)/
      .exec(java)?.[1]
      ?.split(',')
      .map((s) => s.trim());
    expect(inputs?.map((name) => constants.get(name))).toEqual([...RELAY_INPUTS]);
  });

  it('is exactly-once v2 and keeps the commit interval at its default', () => {
    expect(java).toContain('StreamsConfig.EXACTLY_ONCE_V2');
    expect(java).not.toContain('COMMIT_INTERVAL_MS_CONFIG');
  });
});
