// The command line: `pipeline-kafka up|down|status [--version X] [--port N] [--brokers N] [--cluster] [--json]` and
// `pipeline-kafka stop-node|start-node N [--hard]`, which the root scripts `pnpm kafka:up`, `kafka:down`,
// `kafka:status`, `kafka:stop-node` and `kafka:start-node` run. See docs/kafka-launcher.md.

import { down, status, stopAll, up } from './api.js';
import { startNode, stopNode } from './cluster-nodes.js';
import { formatClusterStatus } from './cluster-status.js';
import { EXIT_CONFIG, EXIT_START_FAILED, LauncherError } from './errors.js';
import { releaseLock } from './lock.js';
import { DEFAULT_KAFKA_VERSION, defaultLog, parseBrokers } from './options.js';
import { statePaths } from './run-state.js';
import type { StatusResult } from './status.js';

export const USAGE = `usage: pipeline-kafka <up|down|status> [--version X] [--port N] [--json] [--brokers N] [--cluster]
       pipeline-kafka <stop-node|start-node> N [--hard] [--json]
       (in the repository: pnpm kafka:up, pnpm kafka:down, pnpm kafka:status, pnpm kafka:stop-node 2, …)

  up          start a fresh Kafka (or reuse the running one); prints the bootstrap address
  down        stop it, every node of a cluster too (SIGTERM, up to 20 s, then SIGKILL)
  status      exit 0 when a broker (a node of the cluster) is running and answering, 1 when not;
              for a cluster: each node, and the leaders of __transaction_state and *orchestrator.state
  stop-node   stop node N of the cluster (SIGTERM, up to 30 s, then SIGKILL; --hard: SIGKILL at once)
  start-node  start node N again, on its ports and with its data; waits until it answers

  --version X   Kafka version (env KAFKA_VERSION, default ${DEFAULT_KAFKA_VERSION})
  --port N      client port on 127.0.0.1 (env KAFKA_PORT, default: a free port); single broker only
  --brokers N   1 (default) or 3 to 5: a cluster of combined broker+controller nodes on 127.0.0.1
  --cluster     up: one node as a one-node cluster, so that stop-node 1 / start-node 1 keep its data
  --hard        stop-node: kill the JVM (a crash) instead of a controlled shutdown
  --json        print the result as JSON on stdout (progress goes to stderr)

Exit codes: 0 ok, 1 start/stop failed (or status: not running), 2 configuration or missing prerequisite.`;

export interface CliArgs {
  /** up, down, status or help; anything else is reported by main. */
  command: string | undefined;
  version?: string;
  port?: string;
  json: boolean;
  /** --brokers, checked (1 or 3 to 5). */
  brokers?: number;
  /** The node of stop-node / start-node. */
  node?: number;
  /** stop-node --hard */
  hard?: true;
  /** up --cluster: one node run as a one-node cluster. */
  cluster?: true;
}

const NODE_COMMANDS = ['stop-node', 'start-node'];

/** A node number (1, 2, …) as the CLI reads it; the range is checked against the cluster. */
function parseNode(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) {
    throw new LauncherError(`invalid node "${text}" (a node number: 1, 2, …)\n\n${USAGE}`, {
      exitCode: EXIT_CONFIG,
    });
  }
  return n;
}

/** Parses the arguments; an unknown or incomplete one is a LauncherError with exit code 2. */
export function parseArgs(argv: readonly string[]): CliArgs {
  const opts: CliArgs = { command: undefined, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    const eq = a.startsWith('--') ? a.indexOf('=') : -1;
    const [flag, inline] = eq >= 0 ? [a.slice(0, eq), a.slice(eq + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined)
        throw new LauncherError(`${flag} needs a value\n\n${USAGE}`, { exitCode: EXIT_CONFIG });
      return v;
    };
    if (flag === '--version') opts.version = value();
    else if (flag === '--port') opts.port = value();
    else if (flag === '--json') opts.json = true;
    else if (flag === '--brokers') opts.brokers = parseBrokers(value());
    else if (flag === '--hard') opts.hard = true;
    else if (flag === '--cluster') opts.cluster = true;
    else if (flag === '-h' || flag === '--help') opts.command = 'help';
    else if (!a.startsWith('-') && !opts.command) opts.command = a;
    else if (!a.startsWith('-') && NODE_COMMANDS.includes(opts.command ?? '') && opts.node === undefined)
      opts.node = parseNode(a);
    else throw new LauncherError(`unknown argument "${a}"\n\n${USAGE}`, { exitCode: EXIT_CONFIG });
  }
  const misuse = (message: string): LauncherError =>
    new LauncherError(`${message}\n\n${USAGE}`, { exitCode: EXIT_CONFIG });
  if (opts.command === 'help') return opts;
  if (NODE_COMMANDS.includes(opts.command ?? '') && opts.node === undefined) {
    throw misuse(`${opts.command} needs a node number, e.g. \`${opts.command} 2\``);
  }
  if (opts.hard && opts.command !== 'stop-node') throw misuse('--hard is only for stop-node');
  if (opts.brokers !== undefined && opts.command !== 'up') throw misuse('--brokers is only for up');
  if (opts.cluster && opts.command !== 'up') throw misuse('--cluster is only for up');
  return opts;
}

/** Runs one command and resolves to its exit code; failures are thrown (see runCli). */
export async function main(argv: readonly string[]): Promise<number> {
  const opts = parseArgs(argv);
  // Human mode: everything on stdout. JSON mode: only the JSON on stdout, progress on stderr.
  const say = opts.json
    ? defaultLog
    : (line: string) => {
        process.stdout.write(`[kafka] ${line}\n`);
      };
  const print = (result: object, human?: string): void => {
    if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else if (human) say(human);
  };

  switch (opts.command) {
    case 'up': {
      // The broker is detached from this terminal, so Ctrl-C during startup would orphan it; stop it instead.
      const onSignal = async (): Promise<void> => {
        say('interrupted; stopping the broker that was starting…');
        const paths = statePaths();
        await stopAll(paths, say).catch(() => {});
        releaseLock(paths.lockFile);
        process.exit(130);
      };
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      const result = await up({
        version: opts.version,
        port: opts.port,
        brokers: opts.brokers,
        cluster: opts.cluster,
        log: say,
      });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      print(result, `export KAFKA_BOOTSTRAP=${result.bootstrap}`);
      return 0;
    }
    case 'down': {
      const result = await down({ log: say });
      print(result);
      return 0;
    }
    case 'status': {
      const s = await status();
      print(s, statusText(s));
      return s.running ? 0 : 1;
    }
    case 'stop-node': {
      const result = await stopNode({ node: opts.node as number, hard: opts.hard, log: say });
      print(result);
      return 0;
    }
    case 'start-node': {
      const result = await startNode({ node: opts.node as number, log: say });
      print(result);
      return 0;
    }
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    default:
      throw new LauncherError(opts.command ? `unknown command "${opts.command}"\n\n${USAGE}` : USAGE, {
        exitCode: EXIT_CONFIG,
      });
  }
}

/** The human text of `status`. */
export function statusText(s: StatusResult): string {
  if (s.nodes) {
    const answering = s.nodes.filter((n) => n.state === 'running').length;
    const head = s.running
      ? `Kafka ${s.version} cluster of ${s.brokers} running at ${s.bootstrap} (${answering}/${s.nodes.length} nodes answering)`
      : `no broker running (cluster.json: Kafka ${s.version}, cluster of ${s.brokers}; ${s.reason})`;
    return [head, ...formatClusterStatus({ ...s, nodes: s.nodes })].join('\n');
  }
  return s.running
    ? `Kafka ${s.version} running at ${s.bootstrap} (pid ${s.pid}, log ${s.logFile})`
    : `no broker running${s.pid ? ` (broker.json: Kafka ${s.version}, ${s.state}; ${s.reason})` : ''}`;
}

/**
 * main() as a process: sets process.exitCode, and prints a LauncherError as `[kafka] error: …` (and
 * its details) without a stack trace. Never rejects.
 */
export async function runCli(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  let code: number;
  try {
    code = await main(argv);
  } catch (err) {
    if (err instanceof LauncherError) {
      process.stderr.write(`[kafka] error: ${err.message}\n`);
      if (err.details) process.stderr.write(`${err.details}\n`);
      code = err.exitCode;
    } else {
      process.stderr.write(`[kafka] unexpected error: ${err instanceof Error ? err.stack : String(err)}\n`);
      code = EXIT_START_FAILED;
    }
  }
  process.exitCode = code;
  return code;
}
