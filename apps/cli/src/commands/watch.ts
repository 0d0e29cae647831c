import {
  CliError,
  type Command,
  type CommandLine,
  clockTime,
  formatDuration,
  helpAfterOptions,
} from '@pipeline/cli-kit';
import { sleep } from '@pipeline/common';
import { historySpanMs } from '@pipeline/orchestrator-api';
import { readRequest, TOKEN_ENV, tokenOf, URL_ENV, urlOf, withUrlOption } from '../orchestrator.js';
import { describeFailure, describeUsage } from '../request-view.js';

export const WATCH_INTERVAL_MS = 250;
/** A request just submitted may not have reached the orchestrator yet: how long a 404 is tolerated. */
export const UNKNOWN_GRACE_MS = 10_000;

/** `pipeline watch <id>`: each stage as it is entered, until the request is final. */
export function watchCommand(line: CommandLine): Command {
  const command = line
    .command('watch')
    .summary('Follow a change request until it is final')
    .description(
      'Follow a change request until it is final: prints each stage as it is entered, and what its agent reports while it works.',
    )
    .argument('<id>', 'the change request id');
  withUrlOption(command);
  line.wholeNumberOption(command, '--timeout <seconds>', 'give up after this long (0 = never)', {
    min: 0,
    max: 86_400,
    fallback: 0,
  });
  helpAfterOptions(command, {
    environment: [URL_ENV, TOKEN_ENV],
    notes: [
      `Polls GET /requests/{id} every ${WATCH_INTERVAL_MS} ms. An id the orchestrator does not know yet is`,
      `waited for ${UNKNOWN_GRACE_MS / 1000} s (it may have just been submitted).`,
      'Exit status: 0 done, 1 regress (the failure is printed), unknown id, timeout or orchestrator unreachable.',
    ],
  });
  return line.action(command, async ([id = ''], options) => {
    const url = urlOf(line, command, options.url, line.io.env);
    const token = tokenOf(options.token, line.io.env);
    return watch(line, { url, token }, id, (options.timeout as number) * 1000);
  });
}

async function watch(
  line: CommandLine,
  orchestrator: { url: string; token: string | undefined },
  id: string,
  timeoutMs: number,
): Promise<number> {
  const { io } = line;
  const started = Date.now();
  let printed = 0;
  let reported = '';
  let waitingFor = '';
  let decided = 0;
  let waitingSaid = false;
  for (;;) {
    const view = await readRequest(orchestrator.url, id, orchestrator.token);
    if (!view) {
      if (Date.now() - started >= UNKNOWN_GRACE_MS) throw new CliError(`no change request ${id}`);
      if (!waitingSaid) io.out(`${id} is not known to the orchestrator yet; waiting…\n`);
      waitingSaid = true;
    } else {
      if (printed === 0) io.out(`${id}  ${view.change?.repo ?? ''} @ ${view.change?.branch ?? ''}\n`);
      for (const entry of view.history.slice(printed)) {
        const attempt = entry.attempt === undefined ? '' : `  (attempt ${entry.attempt})`;
        io.out(`${clockTime(entry.at)}  ${entry.stage}${attempt}\n`);
      }
      printed = view.history.length;
      const progress = view.progress;
      // One line per new report: the count tells a repeated note from the same report seen twice.
      const report = progress ? `${view.stage}/${progress.count}` : '';
      if (progress && report !== reported) {
        const said = [progress.percent === undefined ? '' : `${progress.percent}%`, progress.note ?? '']
          .filter(Boolean)
          .join('  ');
        const spent = view.usage ? `  (${describeUsage(view.usage)} so far)` : '';
        io.out(`${clockTime(progress.at)}    ${view.stage}: ${said || 'alive'}${spent}\n`);
      }
      reported = report;
      const gate = view.awaitingApproval
        ? `${view.awaitingApproval.stage}@${view.awaitingApproval.since}`
        : '';
      if (view.awaitingApproval && gate !== waitingFor) {
        const { stage, since } = view.awaitingApproval;
        io.out(`${clockTime(since)}    waiting for an approval of ${stage} (pipeline approve / reject)\n`);
      }
      waitingFor = gate;
      for (const d of (view.decisions ?? []).slice(decided)) {
        io.out(`${clockTime(d.at)}    ${d.action} by ${d.by}${d.reason ? `: ${d.reason}` : ''}\n`);
      }
      decided = view.decisions?.length ?? 0;
      if (view.final) {
        const took = historySpanMs(view);
        const after = took === undefined ? '' : ` after ${formatDuration(took)}`;
        if (view.stage === 'done') {
          io.out(`done${after}\n`);
          return 0;
        }
        io.out(
          `${view.stage}${after}: ${view.failure ? describeFailure(view.failure) : 'no failure recorded'}\n`,
        );
        return 1;
      }
    }
    if (timeoutMs > 0 && Date.now() - started >= timeoutMs) {
      throw new CliError(`${id} is still in ${view?.stage ?? 'no stage'} after ${timeoutMs / 1000} s`);
    }
    await sleep(WATCH_INTERVAL_MS);
  }
}
