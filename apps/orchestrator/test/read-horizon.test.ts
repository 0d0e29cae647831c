import { BREPORT, CRES, CRQ, PLAN } from '@pipeline/topics';
import { describe, expect, it } from 'vitest';
import { ReadHorizon } from '../src/runtime/read-horizon.js';

// Issue 10, finding 7: deadlines wait for offsets, not for a wall-clock grace.
describe('ReadHorizon', () => {
  it('is unknown until the backlog found at the restore is read, then moves with each sample read', () => {
    const horizon = new ReadHorizon(
      1000,
      new Map([
        [CRES, 10n],
        [PLAN, 5n],
      ]),
      new Map([[CRES, 4n]]),
    );
    expect(horizon.horizon()).toBeUndefined();
    horizon.read(CRES, 10n);
    expect(horizon.horizon()).toBeUndefined(); // plan.out not read yet
    horizon.read(PLAN, 5n);
    expect(horizon.horizon()).toBe(1000);
    horizon.sample(
      2000,
      new Map([
        [CRES, 12n],
        [PLAN, 5n],
        [BREPORT, 0n],
      ]),
    );
    horizon.sample(
      3000,
      new Map([
        [CRES, 15n],
        [PLAN, 5n],
      ]),
    );
    expect(horizon.horizon()).toBe(1000);
    horizon.read(CRES, 13n); // past the 2000 sample, not yet the 3000 one
    expect(horizon.horizon()).toBe(2000);
    horizon.read(CRES, 12n); // going back changes nothing
    horizon.read(CRES, 15n);
    expect(horizon.horizon()).toBe(3000);
  });

  it('does not wait for change requests: they answer no request, and admission control may hold them back', () => {
    const horizon = new ReadHorizon(
      700,
      new Map([
        [CRQ, 50n],
        [PLAN, 2n],
      ]),
      new Map([[CRQ, 10n]]),
    );
    horizon.read(PLAN, 2n);
    expect(horizon.horizon()).toBe(700); // 40 change requests still unread
  });

  it('treats topics with nothing to read as read', () => {
    const horizon = new ReadHorizon(500, new Map([[CRQ, 0n]]), new Map());
    expect(horizon.horizon()).toBe(500);
  });
});
