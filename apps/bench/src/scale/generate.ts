// Finished requests written straight to the state topic, as the orchestrator would have left them
// (StateRecord version 2, stage done, a full history): what a busy week leaves behind, without
// running a week of requests. Every record is one the orchestrator reads as valid.

import { create, toBinary } from '@bufbuild/protobuf';
import { STATE_RECORD_VERSION, StateRecordSchema } from '@pipeline/contracts';
import type { OutboundRecord, Producer } from '@pipeline/kafka';
import { STATE } from '@pipeline/topics';

const STAGES = ['idle', 'plan_phase', 'code_phase', 'build1', 'test_plan', 'test_build', 'build2', 'done'];

/** The state value of finished request `id`, created at `at` (epoch ms). */
export function finishedRecord(id: string, at: number): Buffer {
  const sha = (n: number) => `${n}${id}`.padEnd(40, '0').slice(0, 40);
  const tasks = [1, 2, 3].map((n) => ({ id: `${id}/task-${n}`, status: 'SUCCESS', commitSha: sha(n) }));
  const message = create(StateRecordSchema, {
    version: STATE_RECORD_VERSION,
    requestId: id,
    change: { requester: 'bench', repo: 'bench/repo', branch: 'main', description: 'a generated request' },
    stage: 'done',
    planId: `${id}/plan`,
    tasks,
    headCommit: sha(3),
    build: { id: `${id}/build2-0000000000000000`, round: 2, commitSha: sha(4) },
    specId: `${id}/spec`,
    testsCommit: sha(4),
    history: STAGES.map((stage, i) => ({ stage, at: BigInt(at + i * 10) })),
    nonce: '0000000000000000',
    createdAt: BigInt(at),
    updatedAt: BigInt(at + 70),
  });
  return Buffer.from(toBinary(StateRecordSchema, message));
}

/**
 * Writes `count` finished requests named `<prefix>g-<n>` to the state topic, `batch` per send, and
 * reports progress every tenth. The producer partitions by key, as the orchestrator's records are.
 */
export async function writeFinished(
  producer: Producer,
  options: { prefix: string; count: number; batch?: number; say: (line: string) => void },
): Promise<void> {
  const batch = options.batch ?? 2000;
  const start = Date.now() - 3 * 86_400_000;
  const tenth = Math.max(1, Math.floor(options.count / 10));
  for (let from = 0; from < options.count; from += batch) {
    const records: OutboundRecord[] = [];
    for (let n = from; n < Math.min(options.count, from + batch); n++) {
      const id = `${options.prefix}g-${n}`;
      records.push({ topic: STATE, key: id, value: finishedRecord(id, start + n), headers: {} });
    }
    await producer.sendRecords(records);
    const done = Math.min(options.count, from + batch);
    if (Math.floor(done / tenth) !== Math.floor(from / tenth))
      options.say(`  written ${done} of ${options.count}`);
  }
}
