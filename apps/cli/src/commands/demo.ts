import type { Command } from '../command.js';
import { runDemoWithArgs } from '../demo/run-demo.js';
import { demoSpec } from '../demo/spec.js';

/** `pipeline demo`: the same as `pnpm demo` at the repository root (see src/demo/). */
export const demoCommand: Command = { spec: demoSpec, run: runDemoWithArgs };
