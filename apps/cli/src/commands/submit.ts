import {
  CliError,
  type Command,
  type CommandLine,
  cliClient,
  connectChangeRequestSender,
  helpAfterOptions,
  kafkaSettings,
  withBroker,
} from '@pipeline/cli-kit';
import { FAILING_TARGETS, isFailingTarget } from '@pipeline/failure-markers';
import { isUnknownTopic } from '@pipeline/kafka';
import { CRQ } from '@pipeline/topics';
import { buildRequestId } from '../request-id.js';

/** `pipeline submit`: a ChangeRequest on change.request.in; prints its id. */
export function submitCommand(line: CommandLine): Command {
  const command = line
    .command('submit')
    .summary('Submit a change request')
    .description(
      'Submit a change request: a ChangeRequest on change.request.in, keyed by its id. Prints the id.',
    )
    .option('--repo <repo>', 'repository to change (required)')
    .option('--branch <branch>', 'branch to work on (required)')
    .option('--description <text>', 'what to change, in words (required)')
    .option('--requester <user>', 'who asks (default: $USER)')
    .option('--id <id>', 'request id (default: cr-<uuid>)')
    .option(
      `--fail <${FAILING_TARGETS.join('|')}>`,
      'append -fail-<target> to the id: the STUB agents (apps/mock-agents) then fail the request there; real agents ignore it',
    );
  helpAfterOptions(command, {
    environment: [
      ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (required; `pnpm kafka:up` prints a local one)'],
      ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
    ],
    notes: [
      'Example:',
      '  pipeline submit --repo acme/shop --branch main --description "add a cart badge"',
      '  pipeline submit --repo acme/shop --branch main --description "break it" --fail build1',
    ],
  });
  return line.action(command, async (_, options) => {
    const text = (name: string) =>
      typeof options[name] === 'string' ? (options[name] as string) : undefined;
    const fields = { repo: text('repo'), branch: text('branch'), description: text('description') };
    const missing = Object.entries(fields)
      .filter(([, value]) => value === undefined || value.trim() === '')
      .map(([name]) => `--${name}`);
    if (missing.length > 0) throw line.usageError(command, `missing ${missing.join(', ')}`);
    const fail = text('fail');
    if (fail !== undefined && !isFailingTarget(fail)) {
      throw line.usageError(command, `--fail ${fail} is not one of ${FAILING_TARGETS.join(', ')}`);
    }
    const givenId = text('id');
    if (givenId !== undefined && givenId.trim() === '')
      throw line.usageError(command, '--id must not be empty');
    const id = buildRequestId({ id: givenId?.trim(), fail });
    const env = line.io.env;
    await send(env, {
      id,
      repo: fields.repo ?? '',
      branch: fields.branch ?? '',
      description: fields.description ?? '',
      requester: text('requester') ?? env.USER ?? env.USERNAME ?? 'cli',
    });
    line.io.out(`${id}\n`);
    return 0;
  });
}

async function send(
  env: NodeJS.ProcessEnv,
  request: { id: string; repo: string; branch: string; description: string; requester: string },
): Promise<void> {
  const { config, prefix, names } = kafkaSettings(env, 'pipeline-cli');
  const client = cliClient(config, env);
  await withBroker(config, async () => {
    const sender = await connectChangeRequestSender(client, names);
    try {
      await sender.send(request);
    } catch (error) {
      if (!isUnknownTopic(error)) throw error;
      throw new CliError(
        `topic ${prefix}${CRQ} does not exist on ${config.brokers.join(',')}: the orchestrator creates the ` +
          `topics when it starts (or \`pipeline topics --create\`); is PIPELINE_TOPIC_PREFIX ${prefix ? `"${prefix}"` : '(empty)'} the orchestrator's?`,
      );
    } finally {
      await sender.close().catch(() => {});
    }
  });
}
