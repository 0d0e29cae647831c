import { type Command, CommandLine, EXIT, type Io } from '@pipeline/cli-kit';
import { approveCommand, cancelCommand, rejectCommand, retryCommand } from './commands/control.js';
import { listCommand } from './commands/list.js';
import { replayCommand } from './commands/replay.js';
import { statusCommand } from './commands/status.js';
import { submitCommand } from './commands/submit.js';
import { topicsCommand } from './commands/topics.js';
import { watchCommand } from './commands/watch.js';

/** The commands, in the order the help lists them. */
export const COMMANDS = [
  submitCommand,
  statusCommand,
  listCommand,
  watchCommand,
  cancelCommand,
  retryCommand,
  approveCommand,
  rejectCommand,
  replayCommand,
  topicsCommand,
] as const;

/** The `pipeline` program on `line`: its commands, its help. */
export function buildProgram(line: CommandLine): Command {
  const program = line
    .command(undefined, 'for the commands')
    .description(
      'pipeline: talk to the agentic pipeline (submit change requests, follow them, inspect the topics)',
    )
    .usage('<command> [options]')
    .helpCommand('help [command]', 'show the help of a command')
    .addHelpText(
      'after',
      [
        '',
        'Run `pipeline <command> --help` for the options of a command.',
        'Exit status: 0 ok, 1 failure, 2 bad usage or configuration.',
      ].join('\n'),
    );
  for (const command of COMMANDS) program.addCommand(command(line));
  return program;
}

/** The whole CLI: `argv` without node and the script. Resolves to the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const line = new CommandLine(io, 'pipeline');
  const program = buildProgram(line);
  if (argv.length === 0) {
    io.out(program.helpInformation());
    return EXIT.usage;
  }
  return line.run(program, argv);
}
