import { setTimeout as sleep } from 'node:timers/promises';
import { type CommandSpec, intValue, stringValue } from '../args.js';
import type { Command } from '../command.js';
import { CliError } from '../errors.js';
import { clockTime, formatDuration } from '../format.js';
import { fetchRequest, orchestratorUrl, URL_ENV, URL_OPTION } from '../orchestrator-client.js';
import { describeFailure, historySpanMs } from '../request-view.js';

export const WATCH_INTERVAL_MS = 250;
/** A request just submitted may not have reached the orchestrator yet: how long a 404 is tolerated. */
export const UNKNOWN_GRACE_MS = 10_000;

export const watchSpec: CommandSpec = {
  name: 'watch',
  summary: 'Follow a change request until it is final: prints each stage as it is entered.',
  positionals: [{ name: 'id', description: 'the change request id', required: true }],
  options: {
    url: URL_OPTION,
    timeout: {
      type: 'string',
      placeholder: '<seconds>',
      description: 'give up after this long (0 = never)',
      defaultText: '0',
    },
  },
  env: [URL_ENV],
  notes: [
    `Polls GET /requests/{id} every ${WATCH_INTERVAL_MS} ms. An id the orchestrator does not know yet is`,
    `waited for ${UNKNOWN_GRACE_MS / 1000} s (it may have just been submitted).`,
    'Exit status: 0 done, 1 regress (the failure is printed), unknown id, timeout or orchestrator unreachable.',
  ],
};

export const watchCommand: Command = {
  spec: watchSpec,
  async run(args, io) {
    const id = args.positionals[0] as string;
    const url = orchestratorUrl(stringValue(args, 'url'), io.env, 'watch');
    const timeoutMs = intValue(args, 'watch', 'timeout', 0, 0, 86_400) * 1000;
    const started = Date.now();
    let printed = 0;
    let waitingSaid = false;
    for (;;) {
      const view = await fetchRequest(url, id);
      if (!view) {
        if (Date.now() - started >= UNKNOWN_GRACE_MS) throw new CliError(`no change request ${id}`);
        if (!waitingSaid) io.out(`${id} is not known to the orchestrator yet; waiting…\n`);
        waitingSaid = true;
      } else {
        if (printed === 0) io.out(`${id}  ${view.change?.repo ?? ''} @ ${view.change?.branch ?? ''}\n`);
        for (const entry of view.history.slice(printed)) io.out(`${clockTime(entry.at)}  ${entry.stage}\n`);
        printed = view.history.length;
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
  },
};
