import { describe, expect, it } from 'vitest';
import {
  FAILING_TARGETS,
  FAILURE_TARGETS,
  failureMarker,
  failureTargetOf,
  failureTargetsOf,
  hasFailureMarker,
  silentMarker,
} from '../src/failure-markers.js';

describe('failure markers', () => {
  it('names every target: the failing ones and one silent per role', () => {
    expect([...FAILURE_TARGETS].sort()).toEqual(
      [
        ...FAILING_TARGETS,
        'silent-planner',
        'silent-coder',
        'silent-builder',
        'silent-test-planner',
        'silent-test-generator',
      ].sort(),
    );
  });

  it('builds markers', () => {
    expect(failureMarker('build1')).toBe('fail-build1');
    expect(failureMarker('precheck')).toBe('fail-precheck');
    expect(failureMarker('silent-test-planner')).toBe('fail-silent-test-planner');
    expect(silentMarker('builder')).toBe('fail-silent-builder');
    expect(() => failureMarker('build3' as never)).toThrow(/unknown failure target "build3"/);
  });

  it('round-trips every target through a request id', () => {
    for (const target of FAILURE_TARGETS) {
      const id = `crq-${failureMarker(target)}-1a2b`;
      expect(failureTargetOf(id)).toBe(target);
      expect(hasFailureMarker(id, target)).toBe(true);
    }
  });

  it('finds markers at the start, the end and anywhere between separators', () => {
    expect(failureTargetOf('fail-coder')).toBe('coder');
    expect(failureTargetOf('demo/fail-build2')).toBe('build2');
    expect(failureTargetOf('x.fail-precheck.y')).toBe('precheck');
  });

  it('finds nothing in a plain id or a near miss', () => {
    expect(failureTargetOf('crq-42')).toBeUndefined();
    expect(failureTargetOf('crq-fail-build10')).toBeUndefined();
    expect(failureTargetOf('crq-nofail-coder')).toBeUndefined();
    expect(failureTargetOf('crq-fail-silent-nobody')).toBeUndefined();
    expect(failureTargetOf('crq-FAIL-CODER')).toBeUndefined();
  });

  it('does not read a silent marker as another target', () => {
    expect(failureTargetsOf('a-fail-silent-coder')).toEqual(['silent-coder']);
    expect(hasFailureMarker('a-fail-silent-coder', 'coder')).toBe(false);
    expect(failureTargetsOf('a-fail-silent-test-planner')).toEqual(['silent-test-planner']);
    expect(hasFailureMarker('a-fail-silent-test-planner', 'silent-planner')).toBe(false);
  });

  it('lists several markers in order', () => {
    expect(failureTargetsOf('fail-build2-fail-precheck')).toEqual(['build2', 'precheck']);
    expect(failureTargetOf('fail-build2-fail-precheck')).toBe('build2');
    expect(hasFailureMarker('fail-build2-fail-precheck', 'precheck')).toBe(true);
  });
});
