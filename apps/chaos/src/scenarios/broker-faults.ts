// Broker faults under load on the 3-broker cluster: the leader of a state partition, the transaction
// coordinator of an orchestrator transactional id and the group coordinator of the orchestrators'
// group, each SIGKILLed and started again; and a clean rolling restart of all three brokers.

import { KafkaAdmin } from '@pipeline/kafka';
import { STATE } from '@pipeline/topics';
import type { ChaosPipeline } from '../pipeline.js';
import { type FaultReport, hold, type Scenario, type ScenarioContext, underLoad } from '../scenario.js';

/** How long a killed broker stays down: past the controller's broker session timeout (9 s), so it is fenced. */
const DOWN_MS = 12_000;

type Target = 'state-leader' | 'transaction-coordinator' | 'group-coordinator';

/** The broker id that plays `target` for this pipeline now. */
async function brokerOf(pipeline: ChaosPipeline, target: Target): Promise<number> {
  const admin = await KafkaAdmin.open(pipeline.client, pipeline.names);
  try {
    const groupId = `${pipeline.options.prefix}orchestrator`;
    let broker: number | undefined;
    if (target === 'state-leader') broker = (await admin.partitions([STATE])).get(STATE)?.[0]?.leader;
    else if (target === 'transaction-coordinator')
      broker = await admin.coordinatorOf('transaction', `${groupId}-0`);
    else broker = await admin.coordinatorOf('group', groupId);
    if (broker === undefined || broker < 0) throw new Error(`no broker is the ${target} now`);
    return broker;
  } finally {
    await admin.close();
  }
}

/** Kills the broker that plays `target`, keeps it down DOWN_MS, starts it again; recovery = until a request finishes after the kill. */
async function killAndRestart(
  ctx: ScenarioContext,
  pipeline: ChaosPipeline,
  target: Target,
  unfinished: () => boolean,
): Promise<FaultReport> {
  await hold(2000);
  const broker = await brokerOf(pipeline, target);
  ctx.say(`  SIGKILL broker ${broker} (${target}), down for ${DOWN_MS / 1000} s`);
  const at = Date.now();
  await ctx.cluster.stopNode(broker, { hard: true });
  const next = unfinished() ? pipeline.audit.waitFinalAfter(at, 180_000) : Promise.resolve(Date.now());
  await hold(DOWN_MS);
  await ctx.cluster.startNode(broker);
  const progressAt = (await next) ?? Date.now();
  return { recoveryMs: progressAt - at, figures: { broker } };
}

function brokerKill(target: Target, title: string): Scenario {
  return {
    name: `broker-kill-${target}`,
    title,
    async run(ctx) {
      const full = ctx.size === 'full';
      return underLoad(
        ctx,
        this.name,
        { partitions: 6, instances: 2, thinkMs: 30 },
        { requests: full ? 600 : 150, waves: 30, gapMs: full ? 700 : 500, finishTimeoutMs: 300_000 },
        (pipeline, planned) =>
          killAndRestart(
            ctx,
            pipeline,
            target,
            () => pipeline.audit.finishedCount(planned.map((p) => p.id)) < planned.length,
          ),
      );
    },
  };
}

export const stateLeaderKill = brokerKill(
  'state-leader',
  'SIGKILL the leader of a state partition under load, 3 brokers',
);
export const transactionCoordinatorKill = brokerKill(
  'transaction-coordinator',
  'SIGKILL the transaction coordinator of an orchestrator transactional id under load, 3 brokers',
);
export const groupCoordinatorKill = brokerKill(
  'group-coordinator',
  "SIGKILL the orchestrators' group coordinator under load, 3 brokers",
);

export const brokerRollingRestart: Scenario = {
  name: 'broker-rolling-restart',
  title: 'clean rolling restart of all three brokers under load',
  async run(ctx) {
    const full = ctx.size === 'full';
    return underLoad(
      ctx,
      this.name,
      { partitions: 6, instances: 2, thinkMs: 30 },
      { requests: full ? 600 : 150, waves: 40, gapMs: full ? 1000 : 600, finishTimeoutMs: 300_000 },
      async () => {
        await hold(2000);
        const at = Date.now();
        for (const id of ctx.cluster.nodeIds) {
          ctx.say(`  restarting broker ${id} (controlled shutdown)`);
          await ctx.cluster.stopNode(id, { hard: false });
          await ctx.cluster.startNode(id);
        }
        return { figures: { restartMs: Date.now() - at } };
      },
    );
  },
};
