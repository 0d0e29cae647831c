// Where the launcher keeps things. Two places on purpose:
// - the jar cache lives OUTSIDE the work tree (shared by every checkout, survives `git clean`), keyed by
//   Kafka version;
// - the run state (data dir, logs, broker.json) lives in <repo>/.kafka/ so each checkout has its own
//   scratch broker and other tools find it relative to the repo.

import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Repo root: this file is <repo>/scripts/kafka/paths.mjs. */
export const REPO_ROOT = resolve(here, '..', '..');

/** Base directory of the jar cache; one sub-directory per Kafka version. */
export function cacheBase(env = process.env) {
  if (env.PIPELINE_KAFKA_CACHE) return resolve(env.PIPELINE_KAFKA_CACHE);
  const xdg = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(xdg, 'pipeline-kafka');
}

/** Run-state directory: <repo>/.kafka unless PIPELINE_KAFKA_HOME says otherwise. */
export function kafkaHome(env = process.env) {
  return env.PIPELINE_KAFKA_HOME ? resolve(env.PIPELINE_KAFKA_HOME) : join(REPO_ROOT, '.kafka');
}

/** Every file the launcher writes under the run-state directory. */
export function statePaths(home = kafkaHome()) {
  return {
    home,
    dataDir: join(home, 'data'),
    configDir: join(home, 'config'),
    serverProperties: join(home, 'config', 'server.properties'),
    logsDir: join(home, 'logs'),
    // stdout+stderr of the JVM; our log4j config sends everything to the console, so this one file is
    // the whole broker log.
    logFile: join(home, 'logs', 'broker.log'),
    brokerJson: join(home, 'broker.json'),
    bootstrapFile: join(home, 'bootstrap'),
    lockFile: join(home, 'up.lock'),
  };
}
