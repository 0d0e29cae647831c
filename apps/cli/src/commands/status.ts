import { CliError, type Command, type CommandLine, helpAfterOptions } from '@pipeline/cli-kit';
import { readRequest, TOKEN_ENV, tokenOf, URL_ENV, urlOf, withUrlOption } from '../orchestrator.js';
import { renderRequest } from '../request-view.js';

/** `pipeline status <id>`: the request as the orchestrator sees it. */
export function statusCommand(line: CommandLine): Command {
  const command = line
    .command('status')
    .summary('Show a change request as the orchestrator sees it')
    .description('Show a change request as the orchestrator sees it: stage, failure, history.')
    .argument('<id>', 'the change request id (what `pipeline submit` printed)');
  withUrlOption(command).option('--json', 'print the raw JSON of GET /requests/{id}');
  helpAfterOptions(command, {
    environment: [URL_ENV, TOKEN_ENV],
    notes: ['Exit status: 0 found, 1 unknown id or orchestrator unreachable, 2 bad usage.'],
  });
  return line.action(command, async ([id = ''], options) => {
    const url = urlOf(line, command, options.url, line.io.env);
    const view = await readRequest(url, id, tokenOf(options.token, line.io.env));
    if (!view) throw new CliError(`no change request ${id}`);
    line.io.out(options.json === true ? `${JSON.stringify(view, null, 2)}\n` : renderRequest(view));
    return 0;
  });
}
