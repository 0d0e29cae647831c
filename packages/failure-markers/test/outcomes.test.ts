import { describe, expect, it } from 'vitest';
import { FAILING_TARGETS, FAILURE_TARGETS, MARKED_REGRESSIONS, markedRegression } from '../src/index.js';

describe('where a marked request ends', () => {
  it('maps each stub failure marker to the stage and reason the orchestrator regresses with', () => {
    expect(Object.fromEntries(FAILING_TARGETS.map((t) => [t, MARKED_REGRESSIONS[t]]))).toEqual({
      coder: { stage: 'regress', failedStage: 'code_phase', reason: 'task_failed' },
      build1: { stage: 'regress', failedStage: 'build1', reason: 'build_failed' },
      precheck: { stage: 'regress', failedStage: 'test_build', reason: 'precheck_failed' },
      build2: { stage: 'regress', failedStage: 'build2', reason: 'build_failed' },
    });
    expect(markedRegression('precheck')).toEqual({
      stage: 'regress',
      failedStage: 'test_build',
      reason: 'precheck_failed',
    });
  });

  it('a silent role ends the request at the deadline of the stage waiting for it', () => {
    expect(
      Object.fromEntries(
        FAILURE_TARGETS.filter((t) => t.startsWith('silent-')).map((t) => [t, MARKED_REGRESSIONS[t]]),
      ),
    ).toEqual({
      'silent-planner': { stage: 'regress', failedStage: 'plan_phase', reason: 'deadline_exceeded' },
      'silent-coder': { stage: 'regress', failedStage: 'code_phase', reason: 'deadline_exceeded' },
      'silent-builder': { stage: 'regress', failedStage: 'build1', reason: 'deadline_exceeded' },
      'silent-test-planner': { stage: 'regress', failedStage: 'test_plan', reason: 'deadline_exceeded' },
      'silent-test-generator': { stage: 'regress', failedStage: 'test_build', reason: 'deadline_exceeded' },
    });
  });

  it('gives a fresh object every time', () => {
    const a = markedRegression('build1');
    a.failedStage = 'done';
    expect(markedRegression('build1').failedStage).toBe('build1');
    expect(MARKED_REGRESSIONS.build1.failedStage).toBe('build1');
  });
});
