import { relative } from 'node:path';
import { sleep } from '@pipeline/common';

/** Thrown when the run's signal aborts (Ctrl-C): everything stops, the result says `interrupted`. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** What every step of the demo writes to and listens to. */
export interface DemoContext {
  env: NodeJS.ProcessEnv;
  write: (text: string) => void;
  /** Aborts (Ctrl-C) stop the run. */
  signal: AbortSignal;
  /** The repository root (logs go to `.demo/logs` below it). */
  root: string;
  /** `▶ label       text`: one line per step. */
  step(label: string, text: string): void;
  /** A path as the user best reads it: relative to the working directory. */
  rel(path: string): string;
  /** Waits `ms`; throws Interrupted when the signal aborts meanwhile. */
  sleep(ms: number): Promise<void>;
  /** Throws Interrupted when the signal has aborted. */
  checkAbort(): void;
}

export function createContext(parts: {
  env: NodeJS.ProcessEnv;
  write: (text: string) => void;
  signal: AbortSignal;
  root: string;
}): DemoContext {
  const { signal, write } = parts;
  const checkAbort = () => {
    if (signal.aborted) throw new Interrupted();
  };
  return {
    ...parts,
    step: (label, text) => write(`▶ ${label.padEnd(12)} ${text}\n`),
    rel: (path) => relative(process.cwd(), path) || '.',
    sleep: (ms) =>
      sleep(ms, signal).catch((error: unknown) => {
        throw signal.aborted ? new Interrupted() : error;
      }),
    checkAbort,
  };
}
