// Finds `java` and `mvn` before anything else happens, so a missing tool gives one clear sentence
// (what to install, and the Docker alternative) instead of a spawn ENOENT halfway through a start.

import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { COMPOSE_HINT, EXIT_CONFIG, LauncherError } from './errors.js';

const INSTALL_HINTS = {
  java: 'Java 17+ (e.g. `apt-get install openjdk-17-jre-headless`)',
  mvn: 'Maven 3.8+ (`apt-get install maven`)',
};

/** `which` in a few lines: the first executable file called `name` on PATH, or null. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of (env.PATH || '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** java: $JAVA_HOME/bin/java when JAVA_HOME is set (the usual way to pick a JDK), else PATH. */
export function findJava(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.JAVA_HOME) {
    const candidate = join(env.JAVA_HOME, 'bin', 'java');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // a stale JAVA_HOME should not hide a working java on PATH
    }
  }
  return findOnPath('java', env);
}

export interface Prereqs {
  java: string;
  /** null when Maven was not needed (warm jar cache). */
  mvn: string | null;
}

/**
 * Checks the tools this run needs. Maven is only needed when the jar cache is cold, so a machine
 * with a warm cache (e.g. a CI image that baked it in) can start Kafka without Maven installed.
 */
export function checkPrereqs({ needMaven }: { needMaven: boolean }): Prereqs {
  const java = findJava();
  const mvn = needMaven ? findOnPath('mvn') : null;
  const missing: string[] = [];
  if (!java) missing.push(INSTALL_HINTS.java);
  if (needMaven && !mvn) missing.push(INSTALL_HINTS.mvn);
  if (!java || missing.length > 0) {
    throw new LauncherError(
      `The local Kafka launcher needs ${missing.join(' and ')} on PATH.\n${COMPOSE_HINT}`,
      { exitCode: EXIT_CONFIG },
    );
  }
  return { java, mvn };
}
