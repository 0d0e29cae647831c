import type { Scenario } from '../scenario.js';
import { backlog } from './backlog.js';
import {
  brokerRollingRestart,
  groupCoordinatorKill,
  stateLeaderKill,
  transactionCoordinatorKill,
} from './broker-faults.js';
import { clusterOutage } from './cluster-outage.js';
import { compressed } from './compressed.js';
import { deadlinesAfterOutage } from './deadlines-after-outage.js';
import { keyless } from './keyless.js';
import { orchestratorKills } from './orchestrator-kills.js';
import { poison } from './poison.js';
import { rollingRestart } from './rolling-restart.js';
import { singleBrokerStop } from './single-broker-stop.js';
import { twoPipelines } from './two-pipelines.js';
import { zombie } from './zombie.js';

/** Every scenario of `pnpm chaos`, in the order they run. */
export const SCENARIOS: readonly Scenario[] = [
  orchestratorKills,
  rollingRestart,
  zombie,
  stateLeaderKill,
  transactionCoordinatorKill,
  groupCoordinatorKill,
  brokerRollingRestart,
  clusterOutage,
  singleBrokerStop,
  backlog,
  poison,
  compressed,
  twoPipelines,
  keyless,
  deadlinesAfterOutage,
];

/** The subset the README's test command runs, at reduced size (`--size ci`). */
export const CI_SCENARIOS = [
  'orchestrator-sigkill',
  'broker-kill-state-leader',
  'orchestrator-zombie',
  'poison',
];
