import { describe, expect, it } from 'vitest';
import {
  FAILING_TARGETS,
  FAILURE_TARGETS,
  failureMarker,
  failureTargetOf,
  failureTargetsOf,
  hasFailureMarker,
  isFailingTarget,
  isFailureTarget,
  silentMarker,
  withFailureMarker,
} from '../src/index.js';

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

  it('know the four targets the stub agents fail at, in pipeline order', () => {
    expect(FAILING_TARGETS).toEqual(['coder', 'build1', 'precheck', 'build2']);
    expect(isFailingTarget('build2')).toBe(true);
    expect(isFailingTarget('planner')).toBe(false);
    expect(isFailingTarget('silent-coder')).toBe(false);
    expect(isFailureTarget('silent-coder')).toBe(true);
    expect(isFailureTarget('silent-nobody')).toBe(false);
  });

  it('append a marker to an id, unless the id already carries it', () => {
    expect(withFailureMarker('cr-1', 'build1')).toBe('cr-1-fail-build1');
    expect(withFailureMarker('cr-1', 'silent-builder')).toBe('cr-1-fail-silent-builder');
    expect(withFailureMarker('x-fail-build1', 'build1')).toBe('x-fail-build1');
    // fail-build10 is not the build1 marker (the stub agents read it the same way)
    expect(withFailureMarker('x-fail-build10', 'build1')).toBe('x-fail-build10-fail-build1');
    for (const target of FAILURE_TARGETS) {
      expect(failureTargetsOf(withFailureMarker('cr-9', target))).toEqual([target]);
    }
  });
});
