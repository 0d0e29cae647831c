import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoPath } from './support/repo.js';
import { readTopicsFile } from './support/topics-file.js';

// deploy/create-topics.sh against a stand-in kafka-topics.sh that records its arguments: checks what the
// script asks of the CLI, without a broker or the Kafka distribution.
const STUB = `#!/bin/sh
printf '%s\\n' "$*" >> "$CALLS"
case "$*" in
  *--list*) if [ -n "\${EXISTING:-}" ]; then printf '%s\\n' $EXISTING; fi ;;
  *--create*) [ "\${FAIL_CREATE:-}" = 1 ] && { echo 'boom' >&2; exit 1; } ;;
esac
exit 0
`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'create-topics-'));
  writeFileSync(join(dir, 'kafka-topics.sh'), STUB);
  chmodSync(join(dir, 'kafka-topics.sh'), 0o755);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(env: Record<string, string> = {}) {
  const result = spawnSync('sh', [repoPath('deploy/create-topics.sh')], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', KAFKA_BIN: dir, CALLS: join(dir, 'calls'), ...env },
  });
  let calls: string[][] = [];
  try {
    calls = readFileSync(join(dir, 'calls'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
  } catch {}
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
}

/** The value after each occurrence of `flag`. */
function values(call: string[], flag: string): string[] {
  return call.flatMap((arg, index) =>
    arg === flag && call[index + 1] !== undefined ? [call[index + 1] as string] : [],
  );
}

describe('deploy/create-topics.sh', () => {
  it('creates every listed topic with its partitions, replication and configs, on KAFKA_BOOTSTRAP', () => {
    const { status, stderr, calls } = run({ KAFKA_BOOTSTRAP: 'broker.test:1234' });
    expect(status, stderr).toBe(0);
    const topics = readTopicsFile();
    const creates = calls.filter((call) => call.includes('--create'));
    expect(creates).toHaveLength(topics.length);
    for (const [index, topic] of topics.entries()) {
      const call = creates[index] as string[];
      expect(values(call, '--topic')).toEqual([topic.name]);
      expect(values(call, '--partitions')).toEqual([String(topic.partitions)]);
      expect(values(call, '--replication-factor')).toEqual([String(topic.replicationFactor)]);
      expect(values(call, '--config')).toEqual(Object.entries(topic.configs).map(([k, v]) => `${k}=${v}`));
      expect(call).toContain('--if-not-exists');
    }
    for (const call of calls) expect(values(call, '--bootstrap-server')).toEqual(['broker.test:1234']);
  });

  it('leaves topics that already exist alone, so it can run again', () => {
    const { status, stdout, calls } = run({ EXISTING: 'plan.out orchestrator.state __consumer_offsets' });
    expect(status).toBe(0);
    const created = calls
      .filter((call) => call.includes('--create'))
      .flatMap((call) => values(call, '--topic'));
    expect(created).not.toContain('plan.out');
    expect(created).not.toContain('orchestrator.state');
    expect(created).toHaveLength(readTopicsFile().length - 2);
    expect(stdout).toContain('2 already there');
    // Only one listing, not one per topic: every CLI call starts a JVM.
    expect(calls.filter((call) => call.includes('--list'))).toHaveLength(1);
  });

  it('fails when the CLI fails, so kafka-init does not complete successfully', () => {
    const { status, stderr } = run({ FAIL_CREATE: '1' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('boom');
  });

  it('rejects a malformed list', () => {
    writeFileSync(join(dir, 'topics.txt'), 'only.a.name\n');
    const { status, stderr } = run({ TOPICS_FILE: join(dir, 'topics.txt') });
    expect(status).toBe(2);
    expect(stderr).toContain('malformed');
  });
});
