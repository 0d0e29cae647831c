// The `kafka streams` system is a JVM application (apps/bench/streams: pom.xml, one Java file). The
// benchmark builds its jar with Maven when it is missing or older than any of its sources (the pom,
// the Java source, the protobuf files it reads its descriptors from), and runs `java -jar` on it.
// Nothing is downloaded at run time besides what that Maven build fetches.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** apps/bench/streams, from src/ (tests) or dist/ (the built bench) alike. */
export const STREAMS_DIR = fileURLToPath(new URL('../streams/', import.meta.url));
/** The repository's root, whose proto/ the jar's descriptors come from. */
const REPO_ROOT = join(STREAMS_DIR, '..', '..', '..');
/** What `mvn package` makes; its libraries are in target/lib (the manifest's Class-Path). */
export const STREAMS_JAR = join(STREAMS_DIR, 'target', 'bench-streams.jar');
/** The line the application prints once it processes. */
export const STREAMS_READY_LINE = '"msg":"kafka streams running"';

const BUILD_COMMAND = 'mvn -q -B package';

/** True when the jar must be (re)built: it is missing, or a source changed after it was made. */
export function jarIsStale(jarMtimeMs: number | undefined, sourceMtimesMs: readonly number[]): boolean {
  if (jarMtimeMs === undefined) return true;
  return sourceMtimesMs.some((mtime) => mtime > jarMtimeMs);
}

/** Every file under `dir`, recursively (the Java sources). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/** The files the jar is made from. */
export function streamsSources(): string[] {
  const proto = join(REPO_ROOT, 'proto');
  return [
    join(STREAMS_DIR, 'pom.xml'),
    ...filesUnder(join(STREAMS_DIR, 'src')),
    join(REPO_ROOT, 'buf.yaml'),
    ...filesUnder(proto).filter((path) => path.endsWith('.proto')),
  ];
}

const mtimeOf = (path: string): number | undefined => (existsSync(path) ? statSync(path).mtimeMs : undefined);

/** The java to run: $JAVA_HOME/bin/java when JAVA_HOME is set, else java on PATH. */
export function javaExecutable(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.JAVA_HOME;
  if (home) {
    const java = join(home, 'bin', 'java');
    if (existsSync(java)) return java;
  }
  return 'java';
}

/** The arguments of `java` that run the application. JVM options come from JAVA_TOOL_OPTIONS, if set. */
export function streamsJavaArgs(jar: string = STREAMS_JAR): string[] {
  return ['-jar', jar];
}

/**
 * Builds the jar unless it is up to date; throws, saying what to run, when Maven fails or is missing.
 * `say` is told when a build starts (the first one resolves Kafka Streams and RocksDB: a minute or more).
 */
export async function ensureStreamsJar(say: (line: string) => void): Promise<string> {
  const sources = streamsSources().map((path) => mtimeOf(path) ?? 0);
  if (!jarIsStale(mtimeOf(STREAMS_JAR), sources)) return STREAMS_JAR;
  say(`building the Kafka Streams app (${BUILD_COMMAND} in ${STREAMS_DIR})…`);
  const { code, output } = await run('mvn', ['-q', '-B', 'package'], STREAMS_DIR);
  if (code !== 0 || !existsSync(STREAMS_JAR)) {
    const why = code === null ? 'Maven (mvn) was not found on PATH' : `Maven failed (exit ${code})`;
    throw new Error(
      `${why}: the Kafka Streams app of the benchmark could not be built.\n${tail(output, 25)}\n` +
        `Build it by hand to see why: cd ${STREAMS_DIR} && ${BUILD_COMMAND} ` +
        '(Java 17+, Maven 3.8+ and Maven Central; `pnpm install` first, for buf). ' +
        'Or leave it out: --only orchestrator,"transactional relay","plain relay".',
    );
  }
  return STREAMS_JAR;
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/** Runs a command, its output collected; code null when it could not start. */
function run(command: string, args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', (error) => resolve({ code: null, output: `${output}${String(error)}` }));
    child.once('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
