import { describe, expect, it } from 'vitest';
import { EXIT_CONFIG, EXIT_START_FAILED } from '../src/errors.js';
import { majorVersion, mavenFailure, pomFor, sha256 } from '../src/resolve-jars.js';

describe('the generated pom', () => {
  it('adds the logging backend of the major version', () => {
    expect(pomFor('3.9.1')).toContain('<artifactId>kafka_2.13</artifactId><version>3.9.1</version>');
    expect(pomFor('3.9.1')).toContain('<artifactId>slf4j-reload4j</artifactId>');
    expect(pomFor('4.1.2')).toContain('<artifactId>log4j-slf4j-impl</artifactId><version>2.25.3</version>');
    expect(pomFor('4.1.2')).not.toContain('reload4j');
  });

  // The jar cache (~/.cache/pipeline-kafka) is shared by every checkout, and its marker holds the
  // pom's hash: a pom that changes by one byte makes every other checkout re-run Maven. These are the
  // hashes of the poms written since the launcher's first version (scripts/kafka/resolve-jars.mjs).
  it('is byte for byte the pom the existing jar caches were resolved with', () => {
    expect(sha256(pomFor('3.9.1'))).toBe('425483f74356fe276b186f3c3f80dfe1319734d33ab194bb6033edade50c8daa');
    expect(sha256(pomFor('4.1.2'))).toBe('4c1f7330c7964e60c9bc841d3547042f73c58fe9ab1dd30e2087232ae78f721a');
  });

  it('knows the major version', () => {
    expect(majorVersion('3.9.1')).toBe(3);
    expect(majorVersion('4.1.2')).toBe(4);
  });
});

describe('a failed Maven run', () => {
  it('is a configuration error (exit 2) when the broker artifact does not exist', () => {
    const output = [
      '\x1b[1;31m[ERROR]\x1b[m Failed to execute goal on project kafka-broker-classpath: Could not resolve dependencies',
      '[ERROR] Could not find artifact org.apache.kafka:kafka_2.13:jar:3.9.7 in central (https://repo.maven.apache.org/maven2)',
    ].join('\n');
    const error = mavenFailure('3.9.7', 1, output);
    expect(error.exitCode).toBe(EXIT_CONFIG);
    expect(error.message).toMatch(/^Kafka 3\.9\.7 is not on Maven Central/);
    expect(error.details).toBe(
      '[ERROR] Failed to execute goal on project kafka-broker-classpath: Could not resolve dependencies',
    );
  });

  it('is a start failure (exit 1) with the end of the output otherwise, e.g. a network error', () => {
    const output =
      '[ERROR] Failed to transfer org.apache.kafka:kafka_2.13:pom:3.9.1: Connect timed out\nBUILD FAILURE';
    const error = mavenFailure('3.9.1', 1, output);
    expect(error.exitCode).toBe(EXIT_START_FAILED);
    expect(error.message).toMatch(/^Maven could not resolve Kafka 3\.9\.1 \(mvn exited with 1\)/);
    expect(error.details).toBe(output);
  });
});
