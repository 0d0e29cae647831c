import {
  CliError,
  type Command,
  type CommandLine,
  cliClient,
  helpAfterOptions,
  kafkaSettings,
  withBroker,
} from '@pipeline/cli-kit';
import { sleep } from '@pipeline/common';
import { ControlCommandSchema, create } from '@pipeline/contracts';
import { createProducer, encodeRecord, isUnknownTopic } from '@pipeline/kafka';
import { CONTROL } from '@pipeline/topics';
import { readRequest, TOKEN_ENV, tokenOf, URL_ENV, urlOf, withUrlOption } from '../orchestrator.js';
import { describeFailure } from '../request-view.js';
import { WATCH_INTERVAL_MS } from './watch.js';

type Action =
  | { case: 'cancel' | 'approve' | 'reject'; value: object }
  | { case: 'retry'; value: { fromStage: string } };

const KAFKA_ENV: Array<readonly [string, string]> = [
  ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (required)'],
  ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
];

/** `pipeline cancel <id>`: a ControlCommand (cancel) on orchestrator.control.in. */
export function cancelCommand(line: CommandLine): Command {
  const command = line
    .command('cancel')
    .summary('Cancel a change request')
    .description(
      'Cancel a change request in any non-final stage: it regresses with reason `cancelled`, and the agent working on it is told to stop. The decision is recorded on the request (who, when, why).',
    )
    .argument('<id>', 'the change request id');
  return controlAction(line, command, () => ({ case: 'cancel', value: {} }), [
    'The cancel goes through Kafka like every decision; a request that is already done or regressed',
    'stays as it is (the command is dead-lettered as final_stage). With --wait, exit 0 once the request',
    'is cancelled, 1 when it ended otherwise.',
  ]);
}

/** `pipeline retry <id> [--from <stage>]`: a ControlCommand (retry) on orchestrator.control.in. */
export function retryCommand(line: CommandLine): Command {
  const command = line
    .command('retry')
    .summary('Redrive a regressed change request')
    .description(
      'Start a new attempt of a regressed change request at the stage that failed (or an earlier one, --from), keeping what the stages before it produced: no new plan, no new code for a failed build.',
    )
    .argument('<id>', 'the change request id')
    .option('--from <stage>', 'start at this stage instead of the one that failed (an earlier one)');
  return controlAction(
    line,
    command,
    (options) => ({
      case: 'retry',
      value: { fromStage: typeof options.from === 'string' ? options.from : '' },
    }),
    [
      'Only a regressed request can be retried; the command is dead-lettered otherwise. With --wait,',
      'exit 0 once the new attempt has started, 1 when the orchestrator refused it.',
    ],
  );
}

/** `pipeline approve <id>`: let a request waiting at a gate (ORCH_APPROVAL) start its stage. */
export function approveCommand(line: CommandLine): Command {
  const command = line
    .command('approve')
    .summary('Approve a change request waiting at a gate')
    .description(
      'Let a change request waiting for an approval (ORCH_APPROVAL, or its own approval_stages) start its stage.',
    )
    .argument('<id>', 'the change request id');
  return controlAction(line, command, () => ({ case: 'approve', value: {} }), [
    'A request that is not waiting for an approval stays as it is (the command is dead-lettered).',
  ]);
}

/** `pipeline reject <id>`: refuse a request waiting at a gate; it regresses with reason `rejected`. */
export function rejectCommand(line: CommandLine): Command {
  const command = line
    .command('reject')
    .summary('Reject a change request waiting at a gate')
    .description('Refuse a change request waiting for an approval: it regresses with reason `rejected`.')
    .argument('<id>', 'the change request id');
  return controlAction(line, command, () => ({ case: 'reject', value: {} }), [
    'A request that is not waiting for an approval stays as it is (the command is dead-lettered).',
  ]);
}

function controlAction(
  line: CommandLine,
  command: Command,
  action: (options: Record<string, unknown>) => Action,
  notes: string[],
): Command {
  // Ending a request needs a why; approving or retrying one may go without.
  const reasonRequired = ['cancel', 'reject'].includes(command.name());
  command
    .option('--reason <text>', `why, in words (recorded on the request${reasonRequired ? '; required' : ''})`)
    .option('--by <name>', 'who asks (default: $USER)')
    .option('--wait', 'wait until the orchestrator has decided, and print the outcome');
  withUrlOption(command);
  helpAfterOptions(command, { environment: [...KAFKA_ENV, URL_ENV, TOKEN_ENV], notes });
  return line.action(command, async ([id = ''], options) => {
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (reason === '' && reasonRequired)
      throw line.usageError(command, 'missing --reason: say why, it is recorded on the request');
    if (id.trim() === '') throw line.usageError(command, 'the request id must not be empty');
    const env = line.io.env;
    const by =
      typeof options.by === 'string' && options.by.trim()
        ? options.by.trim()
        : (env.USER ?? env.USERNAME ?? 'cli');
    const chosen = action(options);
    const url = options.wait === true ? urlOf(line, command, options.url, env) : '';
    const token = tokenOf(options.token, env);
    const before = options.wait === true ? await readRequest(url, id, token) : undefined;
    await sendControl(env, { requestId: id, requestedBy: by, reason, action: chosen });
    line.io.out(`${chosen.case} of ${id} sent (by ${by}: ${reason})\n`);
    if (options.wait !== true) return 0;
    return waitForOutcome(line, url, token, id, chosen.case, before?.decisions?.length ?? 0);
  });
}

async function sendControl(
  env: NodeJS.ProcessEnv,
  control: { requestId: string; requestedBy: string; reason: string; action: Action },
): Promise<void> {
  const { config, prefix, names } = kafkaSettings(env, 'pipeline-cli');
  const client = cliClient(config, env);
  await withBroker(config, async () => {
    const producer = createProducer(client, { names, retry: { retries: 0 } });
    try {
      await producer.connect();
      const message = create(ControlCommandSchema, control as never);
      await producer.sendRecords([encodeRecord(CONTROL, message, { key: control.requestId })]);
    } catch (error) {
      if (!isUnknownTopic(error)) throw error;
      throw new CliError(
        `topic ${prefix}${CONTROL} does not exist on ${config.brokers.join(',')}: the orchestrator creates it when it starts (or \`pipeline topics --create\`)`,
      );
    } finally {
      await producer.disconnect().catch(() => {});
    }
  });
}

/**
 * Polls the request (at most 60 s) until the orchestrator has decided: a cancel until the request is
 * final, a retry until a new decision is recorded (or the request stays regressed: refused).
 */
async function waitForOutcome(
  line: CommandLine,
  url: string,
  token: string | undefined,
  id: string,
  action: Action['case'],
  decisionsBefore: number,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const view = await readRequest(url, id, token);
    if (!view) throw new CliError(`no change request ${id}`);
    const ends = action === 'cancel' || action === 'reject';
    if (ends && view.final) {
      if (view.failure?.reason === (action === 'cancel' ? 'cancelled' : 'rejected')) {
        line.io.out(`${id} ${describeFailure(view.failure)}\n`);
        return 0;
      }
      line.io.out(
        `${id} was not ${action}ed: it ended ${view.failure ? describeFailure(view.failure) : view.stage}\n`,
      );
      return 1;
    }
    if (action === 'approve' && (view.decisions?.length ?? 0) > decisionsBefore) {
      line.io.out(`${id} approved: ${view.stage} started\n`);
      return 0;
    }
    if (action === 'retry' && (view.decisions?.length ?? 0) > decisionsBefore) {
      line.io.out(`${id} attempt ${view.attempt} started at ${view.stage}\n`);
      return 0;
    }
    if (Date.now() - started > 60_000) {
      const refused =
        action === 'retry' || action === 'approve' ? ' (refused? the dead-letter topic says why)' : '';
      throw new CliError(`${id} is still in ${view.stage} after 60 s${refused}`);
    }
    await sleep(WATCH_INTERVAL_MS);
  }
}
