// Cancellation: the orchestrator (or an operator) writes an AgentCancel on agent.cancel.in; every
// process of every role hears it (a group of its own per process, reading from the end) and fires
// the signal of the handlers working on that request. A handler that stops because of it leaves no
// reply and no retry: its command is committed as done.

import type { Logger } from '@pipeline/common';
import type { KafkaClient, Producer } from '@pipeline/kafka';
import { createTypedConsumer, KafkaAdmin } from '@pipeline/kafka';
import { CANCEL, type TopicMessage, type TopicNames } from '@pipeline/topics';

export type Cancel = TopicMessage<typeof CANCEL>;

/** Remembered cancellations, so a command delivered again after its cancel starts cancelled. */
const REMEMBERED = 10_000;

interface Work {
  stage: string;
  controller: AbortController;
}

/** The commands in hand, by request id, and the cancels heard. */
export class InFlight {
  private readonly work = new Map<string, Set<Work>>();
  private readonly cancelled = new Map<string, Cancel>();

  /** A command starts: its cancel signal, and `release` for when it is over. */
  begin(requestId: string, stage: string): { signal: AbortSignal; release: () => void } {
    const work: Work = { stage, controller: new AbortController() };
    const earlier = this.cancelled.get(requestId);
    if (earlier && applies(earlier, stage)) work.controller.abort(cancelReason(earlier));
    const set = this.work.get(requestId) ?? new Set<Work>();
    this.work.set(requestId, set);
    set.add(work);
    return {
      signal: work.controller.signal,
      release: () => {
        set.delete(work);
        if (set.size === 0 && this.work.get(requestId) === set) this.work.delete(requestId);
      },
    };
  }

  /** Fires the signal of every command in hand that the cancel names; how many it stopped. */
  cancel(message: Cancel): number {
    this.cancelled.delete(message.requestId);
    this.cancelled.set(message.requestId, message);
    if (this.cancelled.size > REMEMBERED) {
      const oldest = this.cancelled.keys().next().value;
      if (oldest !== undefined) this.cancelled.delete(oldest);
    }
    let stopped = 0;
    for (const work of this.work.get(message.requestId) ?? []) {
      if (!applies(message, work.stage) || work.controller.signal.aborted) continue;
      work.controller.abort(cancelReason(message));
      stopped++;
    }
    return stopped;
  }
}

function applies(cancel: Cancel, stage: string): boolean {
  return cancel.stage === '' || cancel.stage === stage;
}

/** The reason a cancelled handler's signal carries. */
export class CancelledError extends Error {
  constructor(readonly cancel: Cancel) {
    super(
      `request ${cancel.requestId} cancelled${cancel.reason ? ` (${cancel.reason})` : ''}${cancel.requestedBy ? ` by ${cancel.requestedBy}` : ''}`,
    );
    this.name = 'CancelledError';
  }
}

function cancelReason(cancel: Cancel): CancelledError {
  return new CancelledError(cancel);
}

/**
 * Listens on agent.cancel.in when the topic exists. An older deployment without it runs as before,
 * with a warning: cancellations cannot reach this agent.
 */
export async function listenForCancels(options: {
  client: KafkaClient;
  names: TopicNames;
  groupId: string;
  producer: Producer;
  logger: Logger;
  inFlight: InFlight;
}): Promise<CancelListener | undefined> {
  const { names, logger } = options;
  const admin = await KafkaAdmin.open(options.client, names);
  let present: boolean;
  try {
    present = (await admin.existing([CANCEL])).has(CANCEL);
  } finally {
    await admin.close();
  }
  if (!present) {
    logger.warn(
      { topic: names.physical(CANCEL) },
      'cancel topic missing: cancellations will not reach this agent (create it with `pipeline topics --create`)',
    );
    return undefined;
  }
  const consumer = createTypedConsumer(options.client, {
    groupId: options.groupId,
    topics: [CANCEL],
    names,
    // Only what is cancelled from now on: older cancels are for work this process never had.
    fromBeginning: false,
    concurrency: 1,
    logger,
    producer: options.producer,
    handle: async ({ message }) => {
      const stopped = options.inFlight.cancel(message);
      if (stopped > 0)
        logger.info({ requestId: message.requestId, reason: message.reason, stopped }, 'cancelled');
    },
  });
  await consumer.start();
  return {
    ready: () => consumer.ready(),
    async stop() {
      await consumer.stop();
      // The group is this process's alone: gone with it, instead of lingering on the broker for days.
      const admin = await KafkaAdmin.open(options.client, names);
      await admin
        .deleteGroups([options.groupId])
        .catch((error: unknown) => logger.debug({ err: error }, 'cancel group not deleted'))
        .finally(() => admin.close());
    },
  };
}

export interface CancelListener {
  ready(): boolean;
  stop(): Promise<void>;
}
