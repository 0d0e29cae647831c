import { describe, expect, it } from 'vitest';
import { historySpanMs, requestPath } from '../src/index.js';

describe('request views', () => {
  it('historySpanMs is first to last stage change; undefined without history', () => {
    expect(
      historySpanMs({
        history: [
          { stage: 'idle', at: '2026-01-01T00:00:00.000Z' },
          { stage: 'plan_phase', at: '2026-01-01T00:00:00.250Z' },
          { stage: 'done', at: '2026-01-01T00:00:01.500Z' },
        ],
      }),
    ).toBe(1500);
    expect(historySpanMs({ history: [{ stage: 'idle', at: '2026-01-01T00:00:00.000Z' }] })).toBe(0);
    expect(historySpanMs({ history: [] })).toBeUndefined();
  });

  it('requestPath encodes the id', () => {
    expect(requestPath('cr-1')).toBe('/requests/cr-1');
    expect(requestPath('a/b c')).toBe('/requests/a%2Fb%20c');
  });
});
