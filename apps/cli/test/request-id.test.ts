import { FAILING_TARGETS } from '@pipeline/failure-markers';
import { describe, expect, it } from 'vitest';
import { buildRequestId, newRequestId } from '../src/request-id.js';

describe('request ids', () => {
  it('are cr-<uuid> by default, different every time', () => {
    const a = newRequestId();
    expect(a).toMatch(/^cr-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(newRequestId()).not.toBe(a);
    expect(buildRequestId({})).toMatch(/^cr-[0-9a-f-]{36}$/);
  });

  it('keep a given id as it is', () => {
    expect(buildRequestId({ id: 'my-change' })).toBe('my-change');
  });

  it.each(FAILING_TARGETS)('--fail %s appends -fail-<target>', (target) => {
    expect(buildRequestId({ id: 'cr-1', fail: target })).toBe(`cr-1-fail-${target}`);
    expect(buildRequestId({ fail: target })).toMatch(new RegExp(`^cr-[0-9a-f-]{36}-fail-${target}$`));
  });

  it('do not append a marker the id already carries', () => {
    expect(buildRequestId({ id: 'x-fail-build1', fail: 'build1' })).toBe('x-fail-build1');
    // fail-build10 is not the build1 marker (the stub agents read it the same way)
    expect(buildRequestId({ id: 'x-fail-build10', fail: 'build1' })).toBe('x-fail-build10-fail-build1');
  });
});
