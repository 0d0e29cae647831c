export {
  describeEnv,
  EnvReader,
  type EnvResult,
  type EnvSpec,
  type EnvValues,
  type EnvVar,
  env,
  loadEnv,
  MAX_DURATION_MS,
} from './env.js';
export {
  ConfigError,
  canRetry,
  ERROR_CODES,
  type ErrorCode,
  errorMessage,
  isConfigError,
  isPipelineError,
  PipelineError,
} from './errors.js';
export { tailFile } from './files.js';
export { LOG_LEVEL_ENV } from './log-level-env.js';
export {
  createLogger,
  isLogLevel,
  LOG_LEVELS,
  type Logger,
  type LoggerOptions,
  type LogLevel,
  noopLogger,
} from './logger.js';
export { freePort, isPortFree } from './net.js';
export { formatDurationSetting, parseDuration, parseWholeNumber } from './parse.js';
export { backoffDelay, DEFAULT_RETRY, type RetryOptions, withRetry } from './retry.js';
export { handleSignals, runService, type ServiceOptions, type SignalOptions } from './service.js';
export { type PollOptions, pause, pollUntil, sleep } from './sleep.js';
