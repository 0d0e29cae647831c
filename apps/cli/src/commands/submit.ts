import { isUnknownTopic } from '@pipeline/kafka';
import { CRQ } from '@pipeline/topics';
import { type CommandSpec, stringValue } from '../args.js';
import { connectChangeRequestSender } from '../change-request.js';
import type { Command } from '../command.js';
import { CliError, UsageError } from '../errors.js';
import { cliClient, kafkaSettings, withBroker } from '../kafka.js';
import { buildRequestId, FAIL_TARGETS, isFailTarget } from '../request-id.js';

export const submitSpec: CommandSpec = {
  name: 'submit',
  summary: 'Submit a change request: a ChangeRequest on change.request.in, keyed by its id. Prints the id.',
  positionals: [],
  options: {
    repo: { type: 'string', placeholder: '<repo>', description: 'repository to change (required)' },
    branch: { type: 'string', placeholder: '<branch>', description: 'branch to work on (required)' },
    description: {
      type: 'string',
      placeholder: '<text>',
      description: 'what to change, in words (required)',
    },
    requester: { type: 'string', placeholder: '<user>', description: 'who asks', defaultText: '$USER' },
    id: { type: 'string', placeholder: '<id>', description: 'request id', defaultText: 'cr-<uuid>' },
    fail: {
      type: 'string',
      placeholder: `<${FAIL_TARGETS.join('|')}>`,
      description:
        'append -fail-<target> to the id: the STUB agents (apps/mock-agents) then fail the request there; real agents ignore it',
    },
  },
  env: [
    ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (required; `pnpm kafka:up` prints a local one)'],
    ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
  ],
  notes: [
    'Example:',
    '  pipeline submit --repo acme/shop --branch main --description "add a cart badge"',
    '  pipeline submit --repo acme/shop --branch main --description "break it" --fail build1',
  ],
};

export const submitCommand: Command = {
  spec: submitSpec,
  async run(args, io) {
    const fields = {
      repo: stringValue(args, 'repo'),
      branch: stringValue(args, 'branch'),
      description: stringValue(args, 'description'),
    };
    const missing = Object.entries(fields)
      .filter(([, value]) => value === undefined || value.trim() === '')
      .map(([name]) => `--${name}`);
    if (missing.length > 0) throw new UsageError(`missing ${missing.join(', ')}`, 'submit');
    const fail = stringValue(args, 'fail');
    if (fail !== undefined && !isFailTarget(fail)) {
      throw new UsageError(`--fail ${fail} is not one of ${FAIL_TARGETS.join(', ')}`, 'submit');
    }
    const givenId = stringValue(args, 'id');
    if (givenId !== undefined && givenId.trim() === '')
      throw new UsageError('--id must not be empty', 'submit');
    const id = buildRequestId({ id: givenId?.trim(), fail });

    const { config, prefix, names } = kafkaSettings(io.env);
    const client = cliClient(config, io.env);
    await withBroker(config, async () => {
      const sender = await connectChangeRequestSender(client, names);
      try {
        await sender.send({
          id,
          repo: fields.repo ?? '',
          branch: fields.branch ?? '',
          description: fields.description ?? '',
          requester: stringValue(args, 'requester') ?? io.env.USER ?? io.env.USERNAME ?? 'cli',
        });
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
    io.out(`${id}\n`);
    return 0;
  },
};
