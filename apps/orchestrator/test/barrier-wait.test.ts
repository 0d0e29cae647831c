import { noopLogger } from '@pipeline/common';
import { createKafkaClient } from '@pipeline/kafka';
import { TopicNames } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { StateDirectory } from '../src/runtime/state-directory.js';

// The restore barrier's timeout. A cold start reads the whole state topic (minutes for a million
// requests); with the timeout counted from the wait's start, every restore of such a start failed
// after ORCH_RESTORE_TIMEOUT with an error, while the directory was still reading. It now counts from
// the directory's last progress in the barrier's partition.

/** A directory that never runs: its consumer is not connected, so only its waiting logic is tested. */
function idleDirectory(): StateDirectory {
  const client = createKafkaClient({
    brokers: ['127.0.0.1:1'],
    clientId: 'barrier-wait-test',
    connectionTimeoutMs: 1000,
    requestTimeoutMs: 1000,
  });
  return new StateDirectory(client, {
    names: TopicNames.prefixed('t.'),
    groupPrefix: 'g',
    logger: noopLogger,
  });
}

/** Moves the directory's position in `partition` on, as reading a batch does. */
function read(directory: StateDirectory, partition: number, nextOffset: bigint): void {
  (directory as unknown as { advance(t: 'state', p: number, o: bigint): void }).advance(
    'state',
    partition,
    nextOffset,
  );
}

/** Reads on in `partition` every 100 ms until the returned function is called. */
function keepReading(directory: StateDirectory, partition: number): () => void {
  let offset = 0n;
  const reading = setInterval(() => {
    offset += 100n;
    read(directory, partition, offset);
  }, 100);
  return () => clearInterval(reading);
}

describe('the restore barrier wait', () => {
  it('waits past its timeout while the directory keeps reading the partition, and fails once it stops', async () => {
    const directory = idleDirectory();
    const stopReading = keepReading(directory, 3);
    const started = Date.now();
    let failedAt: number | undefined;
    const wait = directory.waitForBarrier('nonce-1', 3, 1000).catch((error: Error) => {
      failedAt = Date.now();
      return error;
    });
    await new Promise((resolve) => setTimeout(resolve, 2500));
    // Two and a half timeouts of steady progress: still waiting.
    expect(failedAt).toBeUndefined();
    stopReading();
    const error = await wait;
    expect(error).toBeInstanceOf(Error);
    expect(String(error)).toContain('read nothing of state partition 3 for 1000 ms');
    expect((failedAt as number) - started).toBeGreaterThanOrEqual(3000);
  });

  it('fails after its timeout when only other partitions make progress', async () => {
    const directory = idleDirectory();
    const stopReading = keepReading(directory, 4);
    try {
      await expect(directory.waitForBarrier('nonce-2', 3, 1000)).rejects.toThrow(/state partition 3/);
    } finally {
      stopReading();
    }
  });
});
