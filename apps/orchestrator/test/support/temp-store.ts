import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateStore } from '../../src/store/state-store.js';

/** A state store in a directory of its own, removed by `remove` (tests that start a directory by hand). */
export function tempStore(): { store: StateStore; dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'orchestrator-store-'));
  const store = StateStore.open(dir, { clusterId: 'test', topic: 'state' });
  return {
    store,
    dir,
    remove: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
