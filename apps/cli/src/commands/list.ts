import { CliError, type Command, type CommandLine, columns, helpAfterOptions } from '@pipeline/cli-kit';
import { parseDuration } from '@pipeline/common';
import {
  fetchRequestList,
  isOrchestratorApiError,
  type ListQuery,
  MAX_LIST_LIMIT,
  type RequestListItem,
} from '@pipeline/orchestrator-api';
import { isStage, STAGES } from '@pipeline/state-machine';
import { TOKEN_ENV, tokenOf, URL_ENV, urlOf, withUrlOption } from '../orchestrator.js';

/** `pipeline list`: the requests the orchestrator knows, newest first, filtered. */
export function listCommand(line: CommandLine): Command {
  const command = line
    .command('list')
    .summary('List change requests, newest first')
    .description(
      'List the change requests the orchestrator knows (GET /requests), newest first: id, stage, repo, requester, when created, and why a regressed one failed.',
    )
    .option('--stage <stage>', `only requests in this stage (${STAGES.join(', ')})`)
    .option('--repo <repo>', 'only requests on this repository')
    .option('--requester <who>', 'only requests of this requester')
    .option(
      '--since <when>',
      'only requests created since then: a duration back from now (30m, 2h, 7d) or an ISO time',
    )
    .option('--limit <n>', `at most this many (1–${MAX_LIST_LIMIT}, default 50)`)
    .option('--all', 'every request that matches, page after page');
  withUrlOption(command).option('--json', 'print the raw JSON of the pages');
  helpAfterOptions(command, {
    environment: [URL_ENV, TOKEN_ENV],
    notes: ['Exit status: 0 listed (also when none match), 1 orchestrator unreachable, 2 bad usage.'],
  });
  return line.action(command, async (_, options) => {
    const url = urlOf(line, command, options.url, line.io.env);
    const token = tokenOf(options.token, line.io.env);
    const query = listQuery(options, (problem) => line.usageError(command, problem));
    const items: RequestListItem[] = [];
    const unanswered = new Set<number>();
    let cursor: string | undefined;
    do {
      const page = await fetchPage(url, cursor ? { ...query, cursor } : query, token);
      if (options.json === true) line.io.out(`${JSON.stringify(page)}\n`);
      items.push(...page.items);
      for (const partition of page.unanswered ?? []) unanswered.add(partition);
      cursor = options.all === true ? page.next : undefined;
    } while (cursor);
    if (options.json !== true) line.io.out(renderList(items));
    // Each orchestrator holds only its own partitions: say so when one of them did not answer.
    if (unanswered.size > 0)
      line.io.err(
        `warning: the requests of partition(s) ${[...unanswered].sort((a, b) => a - b).join(', ')} are missing: the orchestrator that owns them did not answer (or none owns them right now); try again\n`,
      );
    return 0;
  });
}

async function fetchPage(url: string, query: ListQuery, token: string | undefined) {
  try {
    return await fetchRequestList(url, query, { token });
  } catch (error) {
    if (isOrchestratorApiError(error)) throw new CliError(error.message);
    throw error;
  }
}

/** The query the options ask for; a bad value is bad usage (exit 2), said by `fail`. */
export function listQuery(
  options: Record<string, unknown>,
  fail: (problem: string) => Error,
  now = Date.now(),
): ListQuery {
  const query: ListQuery = {};
  const text = (name: string) => (typeof options[name] === 'string' ? (options[name] as string) : undefined);
  const stage = text('stage');
  if (stage !== undefined) {
    if (!isStage(stage)) throw fail(`--stage ${stage} is not one of ${STAGES.join(', ')}`);
    query.stage = stage;
  }
  const repo = text('repo');
  if (repo !== undefined) query.repo = repo;
  const requester = text('requester');
  if (requester !== undefined) query.requester = requester;
  const since = text('since');
  if (since !== undefined) {
    const back = parseDuration(since);
    const at = typeof back === 'number' ? now - back : Date.parse(since);
    if (!Number.isFinite(at)) throw fail(`--since ${since}: a duration (30m, 2h, 7d) or an ISO time`);
    query.since = at;
  }
  const limit = text('limit');
  if (limit !== undefined) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > MAX_LIST_LIMIT)
      throw fail(`--limit ${limit}: a whole number from 1 to ${MAX_LIST_LIMIT}`);
    query.limit = n;
  }
  return query;
}

export function renderList(items: readonly RequestListItem[]): string {
  if (items.length === 0) return 'no change request matches\n';
  const rows = [
    ['ID', 'STAGE', 'REPO', 'REQUESTER', 'CREATED', 'FAILURE'],
    ...items.map((i) => [
      i.id,
      i.attempt > 1 ? `${i.stage} (attempt ${i.attempt})` : i.stage,
      i.repo,
      i.requester || '-',
      i.createdAt.replace('T', ' ').slice(0, 19),
      i.failure ? `${i.failure.stage}: ${i.failure.reason}` : '',
    ]),
  ];
  return `${columns(rows)}\n`;
}
