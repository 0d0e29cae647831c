export {
  type ChangeRequestFields,
  type ChangeRequestSender,
  connectChangeRequestSender,
} from './change-requests.js';
export {
  Command,
  CommandLine,
  helpAfterOptions,
  Option,
  type Run,
  table,
  usageProblem,
} from './command-line.js';
export { CliError, EXIT, kafkaUnreachable, UsageError } from './errors.js';
export { clockTime, columns, formatDuration, formatRetention } from './format.js';
export { flush, type Io, processIo } from './io.js';
export { cliClient, type KafkaSettings, kafkaSettings, withBroker } from './kafka.js';
export { packageBin } from './package-bin.js';
export {
  fileContains,
  type ServiceCommand,
  type ServiceProcess,
  STOP_GRACE_MS,
  startService,
} from './service-process.js';
