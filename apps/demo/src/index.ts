// @pipeline/demo: the end-to-end demo as a library (scripts/demo.mjs and the tests); the
// `pipeline-demo` bin is src/main.ts.

export type { ExpectedOutcome, PlannedRequest } from '@pipeline/failure-markers';
export { type DemoArgs, demoProgram, main } from './cli.js';
export { DEMO_DEFAULTS, type DemoOptions } from './options.js';
export type { DemoOutcome, DemoResult, DemoTotals } from './outcomes.js';
export { runDemo } from './run-demo.js';
