export {
  DEFAULT_ORCHESTRATOR_URL,
  fetchRequest,
  fetchRequestList,
  isReady,
  ORCHESTRATOR_TOKEN_ENV,
  ORCHESTRATOR_URL_ENV,
  orchestratorToken,
  orchestratorUrl,
  READY_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from './client.js';
export {
  isOrchestratorApiError,
  OrchestratorApiError,
  type OrchestratorApiErrorCode,
  OrchestratorHttpError,
  OrchestratorUnauthorizedError,
  OrchestratorUnreachableError,
} from './errors.js';
export {
  DEFAULT_LIST_LIMIT,
  type ListQuery,
  listPath,
  MAX_LIST_LIMIT,
  type RequestList,
  type RequestListItem,
} from './request-list.js';
export {
  type DecisionView,
  historySpanMs,
  type ProgressView,
  REQUEST_VIEW_VERSION,
  type RequestChange,
  type RequestFailure,
  type RequestView,
  requestPath,
  type StageEntryView,
  type TaskView,
  type UsageView,
} from './request-view.js';
