export {
  FAILING_TARGETS,
  FAILURE_TARGETS,
  type FailingTarget,
  type FailureTarget,
  failureMarker,
  failureTargetOf,
  failureTargetsOf,
  hasFailureMarker,
  isFailingTarget,
  isFailureTarget,
  type SilentTarget,
  silentMarker,
  withFailureMarker,
} from './markers.js';
export { MARKED_REGRESSIONS, type MarkedRegression, markedRegression } from './outcomes.js';
export {
  type ExpectedOutcome,
  expectedOutcome,
  failingCount,
  type PlannedRequest,
  planRequests,
} from './plan.js';
