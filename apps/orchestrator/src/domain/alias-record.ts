import { type OutboundRecord, partitionFor } from '@pipeline/kafka/records';
import { ALIAS } from '@pipeline/topics';
import type { Chunk } from './chunk.js';
import { aliasesOf, type RequestRecord } from './request-record.js';

// The alias index (topic orchestrator.alias): one record per alias and request it belongs to, on the
// partition of the alias, so that the instance owning that partition answers "which requests does
// `task:t1` belong to" from what it owns. Written by the request's owner in the transaction that
// gives or takes the alias; a tombstone takes it back.

/** Between the alias and the request id in a key: a byte neither holds (both are text). */
const SEPARATOR = '\u0000';

/** The key of an alias entry: the alias, then the request id. */
export function aliasKey(alias: string, requestId: string): string {
  return `${alias}${SEPARATOR}${requestId}`;
}

/** The alias and request id of a key; undefined for a key that is not one. */
export function parseAliasKey(key: string): { alias: string; requestId: string } | undefined {
  const at = key.indexOf(SEPARATOR);
  if (at <= 0 || at === key.length - 1) return undefined;
  return { alias: key.slice(0, at), requestId: key.slice(at + 1) };
}

/** The partition of the alias index that holds an alias (and of every input topic: its owner). */
export function aliasPartition(alias: string, numPartitions: number): number {
  return partitionFor(alias, numPartitions);
}

/**
 * The alias entries a change of one request writes: an entry for each alias it gained, a tombstone
 * for each it lost (`after` undefined: the request is forgotten).
 */
export function aliasRecords(
  requestId: string,
  before: readonly string[],
  after: readonly string[],
  numPartitions: number,
): OutboundRecord[] {
  const records: OutboundRecord[] = [];
  const had = new Set(before);
  const has = new Set(after);
  for (const alias of has)
    if (!had.has(alias)) records.push(entry(alias, requestId, Buffer.from(requestId), numPartitions));
  for (const alias of had) if (!has.has(alias)) records.push(entry(alias, requestId, null, numPartitions));
  return records;
}

/**
 * The alias entries a transaction writes besides its state records: the aliases each request of the
 * chunk gained or lost since its committed state `before` (most steps change none), tombstones for
 * the forgotten ones.
 */
export function aliasChangesOf(
  chunk: Pick<Chunk, 'updated' | 'forgotten'>,
  before: (requestId: string) => RequestRecord | undefined,
  numPartitions: number,
): OutboundRecord[] {
  const records: OutboundRecord[] = [];
  for (const [id, record] of chunk.updated) {
    const was = before(id);
    records.push(...aliasRecords(id, was ? aliasesOf(was) : [], aliasesOf(record), numPartitions));
  }
  for (const id of chunk.forgotten) {
    const was = before(id);
    if (was) records.push(...aliasRecords(id, aliasesOf(was), [], numPartitions));
  }
  return records;
}

function entry(
  alias: string,
  requestId: string,
  value: Buffer | null,
  numPartitions: number,
): OutboundRecord {
  return {
    topic: ALIAS,
    key: aliasKey(alias, requestId),
    value,
    headers: {},
    partition: aliasPartition(alias, numPartitions),
  };
}
