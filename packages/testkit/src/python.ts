// Python test tooling: a Kafka client other than kafkajs, for tests that must read what real clients
// write (Python and C agents on librdkafka, compressed batches, librdkafka's partitioners), and check
// that those clients read what the pipeline writes.
//
//  - python/requirements.txt (beside src/) pins the Python packages: confluent-kafka, whose wheels
//    bundle librdkafka with every codec.
//  - `ensurePythonEnv()` makes a venv with them in a cache OUTSIDE the work tree,
//    `${XDG_CACHE_HOME:-~/.cache}/pipeline-python/<hash>`, the hash covering the requirements file
//    and the interpreter's version. It installs from PyPI only when that venv is missing (the first
//    test that needs it, ~10 s), then reuses it; it returns the venv's python. A test file calls
//    `preparePythonEnv()` in its beforeAll, so the install counts against that hook's timeout.
//  - `produceWithLibrdkafka(records, options)` runs python/produce.py in that venv: records (topic,
//    partition, key, value, headers as bytes) go in, produced with a chosen compression.type,
//    partitioner and any librdkafka setting; it resolves with where each record landed and rejects on
//    any delivery error. produce.py also runs by hand (its docstring says how).
//  - `consumeWithLibrdkafka(topics, options)` runs python/consume.py: reads every partition of the
//    topics from the beginning (read_committed, no group) until `count` records arrived, and returns
//    them with their bytes, so a test can check that other clients read what the pipeline writes.
//
// Needs python3 (3.8+, with the venv module: Debian's python3-venv) on PATH, or PIPELINE_PYTHON
// naming an interpreter, and PyPI reachable for the first install. Without python3 the tests that use
// it fail and say so: they never skip. Nothing here imports a Kafka client library.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kafkaBootstrap } from './bootstrap.js';

/** The committed Python files: requirements.txt, produce.py and consume.py. */
export const PYTHON_DIR = fileURLToPath(new URL('../python/', import.meta.url));
export const PYTHON_REQUIREMENTS = join(PYTHON_DIR, 'requirements.txt');
const PRODUCE_SCRIPT = join(PYTHON_DIR, 'produce.py');
const CONSUME_SCRIPT = join(PYTHON_DIR, 'consume.py');
/** Written into a venv once its packages are installed; a venv without it is not used. */
const READY_MARKER = '.pipeline-ready';

export interface PythonEnvOptions {
  /** The interpreter that makes the venv. Default: $PIPELINE_PYTHON, else `python3` on PATH. */
  python?: string;
  /** A pip requirements file. Default: the testkit's python/requirements.txt. */
  requirements?: string;
  /** Where venvs are kept. Default: `${XDG_CACHE_HOME:-~/.cache}/pipeline-python`. */
  cacheDir?: string;
  /** Progress lines (creating, installing). Default: silent. */
  log?: (line: string) => void;
}

const envs = new Map<string, Promise<string>>();

/**
 * The python of a venv holding the requirements, made on first use and reused after (also across
 * test runs and checkouts). Concurrent callers, in this process or others, end up with one venv: each
 * builds in a folder of its own and renames it into place; the loser throws its copy away.
 */
export function ensurePythonEnv(options: PythonEnvOptions = {}): Promise<string> {
  const python = options.python ?? process.env.PIPELINE_PYTHON ?? 'python3';
  const requirements = options.requirements ?? PYTHON_REQUIREMENTS;
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const memo = `${python}\0${requirements}\0${cacheDir}`;
  let env = envs.get(memo);
  if (!env) {
    env = makeEnv(python, requirements, cacheDir, options.log ?? (() => {}));
    envs.set(memo, env);
    // A failed attempt is not remembered: the next caller tries again.
    env.catch(() => envs.delete(memo));
  }
  return env;
}

/**
 * Builds the venv ahead of the tests, so its first-use install (~10 s) counts against a hook's
 * timeout instead of a test's: `beforeAll(() => preparePythonEnv(), 300_000)`. Never rejects: when
 * Python is missing or the install fails, each test that then produces or consumes tries again and
 * fails with the reason. A failing beforeAll would only mark the tests skipped.
 */
export async function preparePythonEnv(options: PythonEnvOptions = {}): Promise<void> {
  await ensurePythonEnv(options).catch(() => {});
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME?.trim() || join(homedir(), '.cache');
  return join(base, 'pipeline-python');
}

function venvPython(dir: string): string {
  return process.platform === 'win32' ? join(dir, 'Scripts', 'python.exe') : join(dir, 'bin', 'python');
}

async function makeEnv(
  python: string,
  requirements: string,
  cacheDir: string,
  log: (line: string) => void,
): Promise<string> {
  const version = await probeInterpreter(python);
  let wanted: string;
  try {
    wanted = readFileSync(requirements, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the Python requirements file ${requirements}: ${(error as Error).message}`);
  }
  const hash = createHash('sha256').update(`${version}\n${wanted}`).digest('hex').slice(0, 16);
  const dir = join(cacheDir, hash);
  if (await isUsable(dir)) return venvPython(dir);

  // Not there (or broken): build it beside its place and rename it in, so that nobody ever sees a
  // half-installed venv. A venv's python finds its packages relative to itself, so it survives the move.
  mkdirSync(cacheDir, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const building = `${dir}.building-${suffix}`;
  try {
    log(`creating a Python venv (${version}) in ${dir}`);
    await run(python, ['-m', 'venv', building], 'python -m venv');
    log(`installing ${requirements} from PyPI`);
    await run(
      venvPython(building),
      ['-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '-r', requirements],
      'pip install',
    );
    writeFileSync(join(building, READY_MARKER), wanted);
    try {
      renameSync(building, dir);
    } catch {
      // Another process renamed its venv into place first: use that one. Otherwise what is there is
      // broken (e.g. its interpreter was uninstalled): move it aside, never delete it in place, so a
      // good venv that another process just renamed in is not pulled from under it.
      if (!(await isUsable(dir))) {
        const broken = `${dir}.broken-${suffix}`;
        renameSync(dir, broken);
        renameSync(building, dir);
        rmSync(broken, { recursive: true, force: true });
      }
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return venvPython(dir);
}

/** The interpreter's version, after checking that it can make a venv with pip. */
async function probeInterpreter(python: string): Promise<string> {
  const probe = 'import sys, venv, ensurepip; print("%d.%d.%d" % sys.version_info[:3])';
  let out: string;
  try {
    out = await run(python, ['-c', probe], 'python probe');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(
        `${python} not found: tests that produce with librdkafka need Python 3 with venv to install ` +
          `${PYTHON_REQUIREMENTS} from PyPI. Install python3 (Debian: apt-get install python3 python3-venv) ` +
          'or set PIPELINE_PYTHON to an interpreter.',
      );
    }
    throw new Error(
      `${python} cannot make a venv with pip (Debian: apt-get install python3-venv; or set PIPELINE_PYTHON ` +
        `to another interpreter): ${(error as Error).message}`,
    );
  }
  const version = out.trim();
  const [major, minor] = version.split('.').map(Number);
  if (major !== 3 || (minor ?? 0) < 8)
    throw new Error(`${python} is Python ${version}: Python 3.8+ is needed`);
  return version;
}

async function isUsable(dir: string): Promise<boolean> {
  if (!existsSync(join(dir, READY_MARKER))) return false;
  try {
    await run(venvPython(dir), ['-c', 'import sys'], 'venv check');
    return true;
  } catch {
    return false;
  }
}

/** Runs a command to its end; resolves with its stdout, rejects with its stderr's tail. */
function run(
  command: string,
  args: readonly string[],
  what: string,
  input?: string,
  timeoutMs = 300_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: timeoutMs,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) return resolve(stdout);
      const why = signal
        ? `was killed (${signal}${signal === 'SIGKILL' ? `, ${timeoutMs} ms limit?` : ''})`
        : `exited with ${code}`;
      reject(
        new Error(`${what} ${why}: ${stderr.trim().split('\n').slice(-20).join('\n') || '(no output)'}`),
      );
    });
    // A child that exits early closes its stdin; that write error is the exit's to report.
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

/** Kafka's codecs as librdkafka's compression.type names them. */
export const COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

type Bytes = string | Uint8Array;

/** A record for produce.py. Strings are sent as their UTF-8 bytes. */
export interface LibrdkafkaRecord {
  /** Physical topic name. */
  topic: string;
  /** Explicit partition; otherwise the partitioner picks one by key. */
  partition?: number;
  /** null or absent: no key. */
  key?: Bytes | null;
  /** null or absent: a null value (a tombstone). */
  value?: Bytes | null;
  /**
   * A list of pairs keeps order and repeated names; an object is shaped like Kafka clients' headers
   * (a repeated name has a list of values; undefined values are left out).
   */
  headers?:
    | Readonly<Record<string, Bytes | ReadonlyArray<Bytes> | undefined>>
    | ReadonlyArray<readonly [string, Bytes | null]>;
}

export interface LibrdkafkaProduceOptions {
  /** Default: the broker of the test run (`kafkaBootstrap()`). */
  bootstrap?: string;
  /** compression.type; default none. */
  compression?: Compression;
  /** librdkafka's partitioner: consistent_random (its default), murmur2_random (the Java client's), … */
  partitioner?: string;
  /** Any other librdkafka producer setting, e.g. `{ 'linger.ms': 100 }` to put records in one batch. */
  config?: Readonly<Record<string, string | number | boolean>>;
  /** Where the venv comes from (see `ensurePythonEnv`). */
  python?: PythonEnvOptions;
  /** Kill the producer after this long. Default 120 s. */
  timeoutMs?: number;
}

/** Where a record landed, as librdkafka's delivery report says. */
export interface Delivery {
  topic: string;
  partition: number;
  offset: string;
}

/**
 * Produces records with librdkafka (python/produce.py in the tooling venv) and waits until every one
 * is delivered. Rejects, with produce.py's own message, if any delivery fails.
 */
export async function produceWithLibrdkafka(
  records: readonly LibrdkafkaRecord[],
  options: LibrdkafkaProduceOptions = {},
): Promise<Delivery[]> {
  const python = await ensurePythonEnv(options.python);
  const args = [
    PRODUCE_SCRIPT,
    '--bootstrap',
    options.bootstrap ?? kafkaBootstrap(),
    '--compression',
    options.compression ?? 'none',
  ];
  if (options.partitioner) args.push('--partitioner', options.partitioner);
  for (const [key, value] of Object.entries(options.config ?? {})) args.push('--config', `${key}=${value}`);
  const input = records.map((record) => `${JSON.stringify(toJsonLine(record))}\n`).join('');
  const out = await run(python, args, 'produce.py', input, options.timeoutMs ?? 120_000);
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const report = JSON.parse(line) as { topic: string; partition: number; offset: number };
      return { topic: report.topic, partition: report.partition, offset: String(report.offset) };
    });
}

function base64(bytes: Bytes | null | undefined): string | null {
  if (bytes === null || bytes === undefined) return null;
  return (typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes)).toString('base64');
}

function toJsonLine(record: LibrdkafkaRecord) {
  const headers: Array<readonly [string, Bytes | null]> = Array.isArray(record.headers)
    ? [...record.headers]
    : Object.entries(
        (record.headers ?? {}) as Record<string, Bytes | ReadonlyArray<Bytes> | undefined>,
      ).flatMap(([name, value]) =>
        value === undefined ? [] : (Array.isArray(value) ? value : [value]).map((v) => [name, v] as const),
      );
  return {
    topic: record.topic,
    ...(record.partition === undefined ? {} : { partition: record.partition }),
    key: base64(record.key),
    value: base64(record.value),
    headers: headers.map(([name, value]) => [name, base64(value)]),
  };
}

export interface LibrdkafkaConsumeOptions {
  /** Records to read before returning (over all partitions of all topics). */
  count: number;
  /** Default: the broker of the test run (`kafkaBootstrap()`). */
  bootstrap?: string;
  /** Any other librdkafka consumer setting, e.g. `{ 'isolation.level': 'read_uncommitted' }`. */
  config?: Readonly<Record<string, string | number | boolean>>;
  /** Fail when `count` records have not arrived by then. Default 60 s. */
  timeoutMs?: number;
  /** Where the venv comes from (see `ensurePythonEnv`). */
  python?: PythonEnvOptions;
}

/** A record as librdkafka read it. */
export interface LibrdkafkaConsumed {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** In the order of the record, repeated names kept. */
  headers: Array<[string, Buffer | null]>;
}

/**
 * Reads `count` records of the (physical) topics with librdkafka (python/consume.py in the tooling
 * venv): every partition from the beginning, read_committed, no consumer group. Rejects, with
 * consume.py's own message, on a consume error or when they do not arrive in time.
 */
export async function consumeWithLibrdkafka(
  topics: readonly string[],
  options: LibrdkafkaConsumeOptions,
): Promise<LibrdkafkaConsumed[]> {
  const python = await ensurePythonEnv(options.python);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const args = [
    CONSUME_SCRIPT,
    '--bootstrap',
    options.bootstrap ?? kafkaBootstrap(),
    '--count',
    String(options.count),
    '--timeout',
    String(timeoutMs / 1000),
  ];
  for (const topic of topics) args.push('--topic', topic);
  for (const [key, value] of Object.entries(options.config ?? {})) args.push('--config', `${key}=${value}`);
  // The script keeps its own deadline; this one only catches a hung interpreter.
  const out = await run(python, args, 'consume.py', '', timeoutMs + 60_000);
  const bytes = (text: string | null) => (text === null ? null : Buffer.from(text, 'base64'));
  return out
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const r = JSON.parse(line) as {
        topic: string;
        partition: number;
        offset: number;
        key: string | null;
        value: string | null;
        headers: Array<[string, string | null]>;
      };
      return {
        topic: r.topic,
        partition: r.partition,
        offset: String(r.offset),
        key: bytes(r.key),
        value: bytes(r.value),
        headers: r.headers.map(([name, value]): [string, Buffer | null] => [name, bytes(value)]),
      };
    });
}
