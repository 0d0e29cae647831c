import type { Io } from '@pipeline/cli-kit';

/** An Io that records what a command writes. */
export function captureIo(
  env: NodeJS.ProcessEnv = {},
): Io & { stdout: undefined; output: () => string; errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => {
      out += text;
    },
    err: (text) => {
      err += text;
    },
    env,
    stdout: undefined,
    stdinIsTTY: false,
    output: () => out,
    errors: () => err,
  };
}
