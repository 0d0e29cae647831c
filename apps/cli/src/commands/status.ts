import { booleanValue, type CommandSpec, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { fetchRequest, orchestratorUrl, URL_ENV, URL_OPTION } from '../orchestrator-client.js';
import { renderRequest } from '../request-view.js';

export const statusSpec: CommandSpec = {
  name: 'status',
  summary: 'Show a change request as the orchestrator sees it: stage, failure, history.',
  positionals: [
    { name: 'id', description: 'the change request id (what `pipeline submit` printed)', required: true },
  ],
  options: {
    url: URL_OPTION,
    json: { type: 'boolean', description: 'print the raw JSON of GET /requests/{id}' },
  },
  env: [URL_ENV],
  notes: ['Exit status: 0 found, 1 unknown id or orchestrator unreachable, 2 bad usage.'],
};

export const statusCommand: Command = {
  spec: statusSpec,
  async run(args, io) {
    const id = args.positionals[0] as string;
    const url = orchestratorUrl(stringValue(args, 'url'), io.env, 'status');
    const view = await fetchRequest(url, id);
    if (!view) throw new CliError(`no change request ${id}`);
    io.out(booleanValue(args, 'json') ? `${JSON.stringify(view, null, 2)}\n` : renderRequest(view));
    return 0;
  },
};
