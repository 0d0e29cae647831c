export {
  DEFAULT_ORCHESTRATOR_URL,
  fetchRequest,
  isReady,
  ORCHESTRATOR_URL_ENV,
  orchestratorUrl,
  READY_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
} from './client.js';
export {
  isOrchestratorApiError,
  OrchestratorApiError,
  type OrchestratorApiErrorCode,
  OrchestratorHttpError,
  OrchestratorUnreachableError,
} from './errors.js';
export {
  historySpanMs,
  type RequestChange,
  type RequestFailure,
  type RequestView,
  requestPath,
  type StageEntryView,
  type TaskView,
} from './request-view.js';
