import { type Command, CommandLine, helpAfterOptions, type Io, processIo } from '@pipeline/cli-kit';
import { handleSignals } from '@pipeline/common';
import { DEMO_DEFAULTS } from './options.js';
import { runDemo } from './run-demo.js';

/** What the command line asks of one run. */
export interface DemoArgs {
  count: number;
  ci: boolean;
  timeoutMs: number;
  httpPort: number | undefined;
  thinkMs: number;
  keepBroker: boolean;
}

/** `pipeline-demo` (`pnpm demo`): its options and help; the action runs `run` with them. */
export function demoProgram(line: CommandLine, run: (args: DemoArgs) => Promise<number>): Command {
  const command = line
    .command()
    .description(
      'Run the whole pipeline locally: a Kafka broker, the orchestrator and the stub agents, N change requests ' +
        '(some failing on purpose), live progress and a summary.',
    );
  const whole = (flags: string, text: string, range: { min: number; max: number; fallback?: number }) =>
    line.wholeNumberOption(command, flags, text, range);
  whole('--count <n>', 'change requests to submit', { min: 1, max: 10_000, fallback: DEMO_DEFAULTS.count });
  command.option(
    '--ci',
    'non-interactive: progress lines, stop after the summary, exit 1 if any request ended wrong',
  );
  whole('--timeout <seconds>', 'every request must be final this long after submission', {
    min: 1,
    max: 86_400,
    fallback: DEMO_DEFAULTS.timeoutMs / 1000,
  });
  whole(
    '--port <port>',
    "the orchestrator's HTTP port (a busy one is replaced by a free one; 0 = any) (default: $ORCH_HTTP_PORT or 9300)",
    { min: 0, max: 65_535 },
  );
  // 15 s: the stub agents' own limit on MOCK_THINK_MS (longer thinks outlast their session timeout).
  whole('--think-ms <ms>', 'mean think time of the stub agents', {
    min: 0,
    max: 15_000,
    fallback: DEMO_DEFAULTS.thinkMs,
  });
  command.option('--keep-broker', 'leave a broker the demo started running at the end');
  helpAfterOptions(command, { environment: ENVIRONMENT, notes: NOTES });
  return line.action(command, (_, o) =>
    run({
      count: o.count as number,
      ci: o.ci === true,
      timeoutMs: (o.timeout as number) * 1000,
      httpPort: o.port as number | undefined,
      thinkMs: o.thinkMs as number,
      keepBroker: o.keepBroker === true,
    }),
  );
}

const ENVIRONMENT: Array<[string, string]> = [
  [
    'KAFKA_BOOTSTRAP',
    'use this broker instead of starting one with @pipeline/kafka-launcher (`pnpm kafka:up`)',
  ],
  ['CI', 'true = --ci'],
  ['ORCH_HTTP_PORT', "the orchestrator's HTTP port (--port wins)"],
];

const NOTES = [
  'Requests whose id contains fail-coder, fail-build1, fail-precheck or fail-build2 are failed on purpose by',
  'the stub agents; with 8 requests the demo shows each regress path once (about 20% fail in bigger runs).',
  'The logs of the orchestrator and the agents go to .demo/logs/. Every run uses its own topic prefix.',
  '',
  'Interactive (a terminal): after the summary everything keeps running until Ctrl-C.',
  'Non-interactive (--ci, CI=true, or stdin not a terminal): stops after the summary.',
  'Exit status: 0 every request ended as planned, 1 otherwise or a failure, 2 bad usage, 130 interrupted.',
];

/**
 * `pnpm demo` (scripts/demo.mjs) and the `pipeline-demo` bin: arguments as on the command line;
 * resolves to the exit code. Ctrl-C (or SIGTERM) stops everything the demo started; a second one
 * exits at once.
 */
export function main(argv: readonly string[] = process.argv.slice(2), io: Io = processIo()): Promise<number> {
  const line = new CommandLine(io, 'pipeline-demo', 'pnpm demo');
  return line.run(
    demoProgram(line, (args) => runWithSignals(args, io)),
    argv,
  );
}

async function runWithSignals(args: DemoArgs, io: Io): Promise<number> {
  const controller = new AbortController();
  const removeHandlers = handleSignals(() => controller.abort(), { secondExitCode: 130 });
  try {
    const ci = args.ci || io.env.CI === 'true';
    const result = await runDemo({
      count: args.count,
      ci,
      nonInteractive: ci || io.stdinIsTTY !== true,
      timeoutMs: args.timeoutMs,
      thinkMs: args.thinkMs,
      keepBroker: args.keepBroker,
      ...(args.httpPort === undefined ? {} : { httpPort: args.httpPort }),
      env: io.env,
      write: io.out,
      tty: io.stdout?.isTTY === true,
      signal: controller.signal,
    });
    return result.exitCode;
  } finally {
    removeHandlers();
  }
}
