import { readFileSync } from 'node:fs';
import {
  CliError,
  type Command,
  type CommandLine,
  cliClient,
  helpAfterOptions,
  kafkaSettings,
  withBroker,
} from '@pipeline/cli-kit';
import { createConsumer, KafkaAdmin, readHeaders } from '@pipeline/kafka';
import { STATE, type TopicNames } from '@pipeline/topics';
import { checkStates, renderReport } from '../replay/check.js';

/** How long reading the state topic to its end may take. */
const READ_TIMEOUT_MS = 120_000;

/** `pipeline replay`: checks every in-flight request against the current stage machine. */
export function replayCommand(line: CommandLine): Command {
  const command = line
    .command('replay')
    .summary('Check that the current machine can carry every request in flight')
    .description(
      'Read the state topic (or a file exported from it: per line a JSON state value (version 1), or {"key","value"} with value a JSON state value or null, or {"key","base64"} with any state value as base64) and check every request in flight against the current stage machine. Run it before an upgrade that changes the machine.',
    )
    .option('--file <path>', 'read this file instead of the state topic');
  helpAfterOptions(command, {
    environment: [
      ['KAFKA_BOOTSTRAP', 'brokers, host:port[,host:port] (without --file)'],
      ['PIPELINE_TOPIC_PREFIX', 'prefix of every topic name (default none)'],
    ],
    notes: [
      'Exit status: 0 every request in flight can be carried, 1 some cannot (they are named), 2 bad usage.',
    ],
  });
  return line.action(command, async (_, options) => {
    const file = typeof options.file === 'string' ? options.file : undefined;
    const values = file ? readExport(file) : await readStateTopic(line.io.env);
    const report = checkStates(values);
    line.io.out(renderReport(report));
    return report.stranded.length > 0 ? 1 : 0;
  });
}

/**
 * An exported state topic: per line, a JSON state value, or `{"key": …, "value": …}` (value null:
 * forgotten), or `{"key": …, "base64": …}` (the value's bytes, e.g. a StateRecord message).
 */
function readExport(path: string): Array<{ key: string; value: Uint8Array | null }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const parsed = JSON.parse(l) as {
        key?: unknown;
        value?: unknown;
        base64?: unknown;
        requestId?: unknown;
      };
      if (typeof parsed.key === 'string' && typeof parsed.base64 === 'string') {
        return { key: parsed.key, value: Buffer.from(parsed.base64, 'base64') };
      }
      if (typeof parsed.key === 'string' && 'value' in parsed) {
        return {
          key: parsed.key,
          value: parsed.value === null ? null : Buffer.from(JSON.stringify(parsed.value)),
        };
      }
      if (typeof parsed.requestId !== 'string') throw new CliError(`${path}:${i + 1}: no request id`);
      return { key: parsed.requestId, value: Buffer.from(l) };
    });
}

/** Every record of the state topic up to its end offsets as of now (barriers left out). */
async function readStateTopic(
  env: NodeJS.ProcessEnv,
): Promise<Array<{ key: string; value: Uint8Array | null }>> {
  const { config, names } = kafkaSettings(env, 'pipeline-cli');
  const client = cliClient(config, env);
  return withBroker(config, () => readToEnd(client, names));
}

async function readToEnd(
  client: ReturnType<typeof cliClient>,
  names: TopicNames,
): Promise<Array<{ key: string; value: Uint8Array | null }>> {
  const admin = await KafkaAdmin.open(client, names);
  let ends: Map<number, bigint>;
  try {
    ends = (await admin.endOffsets([STATE])).get(STATE) ?? new Map();
  } finally {
    await admin.close();
  }
  const pending = new Set([...ends].filter(([, end]) => end > 0n).map(([p]) => p));
  const values: Array<{ key: string; value: Uint8Array | null }> = [];
  if (pending.size === 0) return values;
  const groupId = `${names.physical(STATE)}-replay-${process.pid}-${Date.now()}`;
  const consumer = createConsumer(client, {
    groupId,
    topics: [STATE],
    names,
    fromBeginning: true,
    maxWaitTimeMs: 200,
  });
  let done: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const reached = (partition: number, next: bigint) => {
    if (next >= (ends.get(partition) ?? 0n)) pending.delete(partition);
    if (pending.size === 0) done();
  };
  consumer.on((event) => {
    if (event.type === 'skipped') reached(event.partition, event.nextOffset);
  });
  await consumer.run(async (batch) => {
    for (const record of batch.records) {
      if (readHeaders(record.headers)['x-barrier'] === undefined && record.key) {
        values.push({
          key: record.key.toString('utf8'),
          value: record.value,
        });
      }
      batch.resolve(record.offset);
    }
    reached(batch.partition, batch.nextOffset);
  });
  const timer = setTimeout(() => done(), READ_TIMEOUT_MS);
  await finished;
  clearTimeout(timer);
  await consumer.close();
  if (pending.size > 0)
    throw new CliError(`the state topic was not read to its end in ${READ_TIMEOUT_MS / 1000} s`);
  return values;
}
