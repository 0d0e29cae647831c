/** Where a command writes and what it reads from its surroundings; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** The terminal, when output goes to one (the demo redraws its progress in place). */
  stdout?: NodeJS.WriteStream;
  stdinIsTTY?: boolean;
}

export function processIo(): Io {
  // A closed pipe (`pnpm demo | head`) must not crash the process before it stops its children.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.listenerCount('error') === 0) stream.on('error', () => {});
  }
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    stdout: process.stdout,
    stdinIsTTY: process.stdin.isTTY === true,
  };
}

/** Resolves once `stream` has written everything queued (before a process.exit). */
export function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}
