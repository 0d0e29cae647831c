import { env } from './env.js';
import { LOG_LEVELS } from './logger.js';

/** `LOG_LEVEL`, read the same way by every service and agent process. */
export const LOG_LEVEL_ENV = {
  LOG_LEVEL: env.oneOf(LOG_LEVELS, { description: 'debug, info, warn or error', default: 'info' }),
} as const;
