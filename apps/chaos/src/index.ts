// @pipeline/chaos: the fault suite as a library (the CI subset test); the `pipeline-chaos` bin is src/main.ts.
export { main, USAGE } from './cli.js';
export { type ChaosOptions, runChaos } from './run.js';
export type { Figures, Scenario, ScenarioResult, Size } from './scenario.js';
export { CI_SCENARIOS, SCENARIOS } from './scenarios/index.js';
export { expectedCommands, isClean, type Verdict, verify } from './verify.js';
