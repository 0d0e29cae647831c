// @pipeline/bench: the benchmark as a library; the `pipeline-bench` bin is src/main.ts, the relay's
// process src/relay-main.ts.
export { main, USAGE } from './cli.js';
export { doneRecordValue, type Ended, endedStage } from './ended.js';
export { RELAY_INPUTS, type RelayStep, relayBuildId, route } from './relay/route.js';
export { figuresTable, perStageMs, SYSTEM_HOPS, type SystemFigures, verdicts } from './report.js';
export { SCALE_USAGE, scaleMain, scaleVerdicts } from './scale/cli.js';
