import { booleanValue, type CommandSpec, intValue, type ParsedArgs } from '../args.js';

/** `pipeline demo` / `pnpm demo`: its options and help. */
export const demoSpec: CommandSpec = {
  name: 'demo',
  summary:
    'Run the whole pipeline locally: a Kafka broker, the orchestrator and the stub agents, N change requests ' +
    '(some failing on purpose), live progress and a summary.',
  positionals: [],
  options: {
    count: { type: 'string', placeholder: '<n>', description: 'change requests to submit', defaultText: '8' },
    ci: {
      type: 'boolean',
      description:
        'non-interactive: progress lines, stop after the summary, exit 1 if any request ended wrong',
    },
    timeout: {
      type: 'string',
      placeholder: '<seconds>',
      description: 'every request must be final this long after submission',
      defaultText: '120',
    },
    port: {
      type: 'string',
      placeholder: '<port>',
      description: "the orchestrator's HTTP port (a busy one is replaced by a free one; 0 = any)",
      defaultText: '$ORCH_HTTP_PORT or 9300',
    },
    'think-ms': {
      type: 'string',
      placeholder: '<ms>',
      description: 'mean think time of the stub agents',
      defaultText: '200',
    },
    'keep-broker': { type: 'boolean', description: 'leave a broker the demo started running at the end' },
  },
  env: [
    ['KAFKA_BOOTSTRAP', 'use this broker instead of starting one with @pipeline/kafka-launcher'],
    ['CI', 'true = --ci'],
    ['ORCH_HTTP_PORT', "the orchestrator's HTTP port (--port wins)"],
  ],
  notes: [
    'Requests whose id contains fail-coder, fail-build1, fail-precheck or fail-build2 are failed on purpose by',
    'the stub agents; with 8 requests the demo shows each regress path once (about 20% fail in bigger runs).',
    'The logs of the orchestrator and the agents go to .demo/logs/. Every run uses its own topic prefix.',
    '',
    'Interactive (a terminal): after the summary everything keeps running until Ctrl-C.',
    'Non-interactive (--ci, CI=true, or stdin not a terminal): stops after the summary.',
    'Exit status: 0 every request ended as planned, 1 otherwise or a failure, 2 bad usage, 130 interrupted.',
  ],
};

export interface DemoArgs {
  count: number;
  ci: boolean;
  timeoutMs: number;
  httpPort: number | undefined;
  thinkMs: number;
  keepBroker: boolean;
}

export function demoArgs(args: ParsedArgs): DemoArgs {
  return {
    count: intValue(args, 'demo', 'count', 8, 1, 10_000),
    ci: booleanValue(args, 'ci'),
    timeoutMs: intValue(args, 'demo', 'timeout', 120, 1, 86_400) * 1000,
    httpPort: args.values.port === undefined ? undefined : intValue(args, 'demo', 'port', 0, 0, 65_535),
    thinkMs: intValue(args, 'demo', 'think-ms', 200, 0, 600_000),
    keepBroker: booleanValue(args, 'keep-broker'),
  };
}
