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

/** `pipeline cancel <id>`: a ControlCommand (cancel) on orchestrator.control.in. */
export function cancelCommand(line: CommandLine): Command {
  const command = line
    .command('cancel')
    .summary('Cancel a change request')
    .description(
      'Cancel a change request in any non-final stage: it regresses with reason `cancelled`, and the agent working on it is told to stop. The decision is recorded on the request (who, when, why).',
    )
    .argument('<id>', 'the change request id')
    .option('--reason <text>', 'why, in words (recorded on the request; required)')
    .option('--by <name>', 'who cancels (default: $USER)')
    .option('--wait', 'wait until the orchestrator has decided, and print the outcome');
  withUrlOption(command);
  helpAfterOptions(command, {
    environment: [
      ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (required)'],
      ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
      URL_ENV,
      TOKEN_ENV,
    ],
    notes: [
      'The cancel goes through Kafka like every decision; a request that is already done or regressed',
      'stays as it is (the command is dead-lettered as final_stage). With --wait, exit 0 once the request',
      'is cancelled, 1 when it ended otherwise.',
    ],
  });
  return line.action(command, async ([id = ''], options) => {
    const reason = typeof options.reason === 'string' ? options.reason.trim() : '';
    if (reason === '')
      throw line.usageError(command, 'missing --reason: say why, it is recorded on the request');
    if (id.trim() === '') throw line.usageError(command, 'the request id must not be empty');
    const env = line.io.env;
    const by =
      typeof options.by === 'string' && options.by.trim()
        ? options.by.trim()
        : (env.USER ?? env.USERNAME ?? 'cli');
    await sendCancel(env, { requestId: id, requestedBy: by, reason });
    line.io.out(`cancel of ${id} sent (by ${by}: ${reason})\n`);
    if (options.wait !== true) return 0;
    const url = urlOf(line, command, options.url, env);
    return waitForOutcome(line, url, tokenOf(options.token, env), id);
  });
}

async function sendCancel(
  env: NodeJS.ProcessEnv,
  cancel: { requestId: string; requestedBy: string; reason: string },
): Promise<void> {
  const { config, prefix, names } = kafkaSettings(env, 'pipeline-cli');
  const client = cliClient(config, env);
  await withBroker(config, async () => {
    const producer = createProducer(client, { names, retry: { retries: 0 } });
    try {
      await producer.connect();
      const message = create(ControlCommandSchema, { ...cancel, action: { case: 'cancel', value: {} } });
      await producer.sendRecords([encodeRecord(CONTROL, message, { key: cancel.requestId })]);
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

/** Polls the request until it is final (at most 60 s). */
async function waitForOutcome(
  line: CommandLine,
  url: string,
  token: string | undefined,
  id: string,
): Promise<number> {
  const started = Date.now();
  for (;;) {
    const view = await readRequest(url, id, token);
    if (view?.final) {
      if (view.failure?.reason === 'cancelled') {
        line.io.out(`${id} ${describeFailure(view.failure)}\n`);
        return 0;
      }
      const outcome = view.failure ? describeFailure(view.failure) : view.stage;
      line.io.out(`${id} was not cancelled: it ended ${outcome}\n`);
      return 1;
    }
    if (Date.now() - started > 60_000)
      throw new CliError(`${id} is still in ${view?.stage ?? 'no stage'} after 60 s`);
    await sleep(WATCH_INTERVAL_MS);
  }
}
