export { DEFAULT_RETRY, type RetryOptions, withRetry } from './with-retry.js';
