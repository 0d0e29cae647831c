import { ALIAS } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { aliasKey, aliasPartition, aliasRecords, parseAliasKey } from '../src/domain/alias-record.js';

// Issue 14, deliverable 2: the alias index, partitioned by alias, written by the request's owner.
describe('alias records', () => {
  it('key an entry by alias and request, and read such a key back', () => {
    expect(parseAliasKey(aliasKey('task:t1', 'cr-1'))).toEqual({ alias: 'task:t1', requestId: 'cr-1' });
    for (const bad of ['', 'task:t1', '\u0000cr-1', 'task:t1\u0000'])
      expect(parseAliasKey(bad)).toBeUndefined();
  });

  it('write an entry for each alias gained and a tombstone for each lost, on the alias’s partition', () => {
    const records = aliasRecords('cr-1', ['task:t1', 'commit:c1'], ['task:t1', 'commit:c2'], 12);
    expect(records).toEqual([
      {
        topic: ALIAS,
        key: aliasKey('commit:c2', 'cr-1'),
        value: Buffer.from('cr-1'),
        headers: {},
        partition: aliasPartition('commit:c2', 12),
      },
      {
        topic: ALIAS,
        key: aliasKey('commit:c1', 'cr-1'),
        value: null,
        headers: {},
        partition: aliasPartition('commit:c1', 12),
      },
    ]);
    // Most steps change no alias: nothing to write.
    expect(aliasRecords('cr-1', ['task:t1'], ['task:t1'], 12)).toEqual([]);
    // Forgotten: every alias is taken back.
    expect(aliasRecords('cr-1', ['task:t1', 'plan:p1'], [], 12).map((r) => r.value)).toEqual([null, null]);
  });

  it('spread aliases over the partitions by the alias, not by the request', () => {
    const partitions = new Set(Array.from({ length: 200 }, (_, i) => aliasPartition(`task:t${i}`, 12)));
    expect(partitions.size).toBe(12);
  });
});
