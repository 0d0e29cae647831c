import { table } from './args.js';
import type { Command, Io } from './command.js';
import { demoCommand } from './commands/demo.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { topicsCommand } from './commands/topics.js';
import { watchCommand } from './commands/watch.js';
import { EXIT } from './errors.js';
import { runCommand } from './run-command.js';

export const COMMANDS: readonly Command[] = [
  submitCommand,
  statusCommand,
  watchCommand,
  topicsCommand,
  demoCommand,
];

export function renderTopHelp(): string {
  return [
    'pipeline: talk to the agentic pipeline (submit change requests, follow them, inspect the topics)',
    '',
    'Usage: pipeline <command> [options]',
    '',
    'Commands:',
    ...table(COMMANDS.map((c) => [c.spec.name, firstSentence(c.spec.summary)])),
    '',
    'Run `pipeline <command> --help` for the options of a command.',
    'Exit status: 0 ok, 1 failure, 2 bad usage or configuration.',
    '',
  ].join('\n');
}

function firstSentence(text: string): string {
  const end = text.indexOf(': ');
  const cut = text.indexOf('. ');
  const at = [end, cut].filter((i) => i > 0).sort((a, b) => a - b)[0];
  return at === undefined ? text.replace(/\.$/, '') : text.slice(0, at);
}

/** The whole CLI: `argv` without node and the script. Resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    if (name === 'help' && rest[0]) return runCli([rest[0], '--help'], io);
    io.out(renderTopHelp());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.spec.name === name);
  if (!command) {
    io.err(`pipeline: unknown command ${name}\nrun \`pipeline --help\` for the commands\n`);
    return EXIT.usage;
  }
  return runCommand(command, rest, io);
}
