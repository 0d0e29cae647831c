export { type JsonLoggerOptions, jsonLogger, type Logger, type LogLevel, noopLogger } from './logger.js';
