import { CRQ, type OrchestratorInput } from '@pipeline/topics';

/**
 * How far a partition's inputs have been read, as a time: every input record written to Kafka before
 * `horizon()` has been read. A deadline fires only when its time is behind the horizon, so a reply
 * written before the deadline always wins over it, however long the backlog in front of it (after an
 * outage, say), and no wall-clock grace is guessed.
 *
 * It works with offsets, not with the producers' timestamps, so their clocks do not matter: a sample
 * notes the end offsets of the inputs at a time of the orchestrator's clock; once the partition has
 * been read up to those offsets, the sample's time is the horizon.
 *
 * Only the replies count: a change request starts a request and cannot answer one, so it cannot beat
 * a deadline; and change.request.in may be paused on purpose (admission control, ORCH_MAX_IN_FLIGHT)
 * until requests finish, some of them by their deadlines.
 */
export class ReadHorizon {
  private readonly positions = new Map<OrchestratorInput, bigint>();
  private readonly samples: Array<{ at: number; ends: ReadonlyMap<OrchestratorInput, bigint> }> = [];
  private reached: number | undefined;

  /** `positions`: where reading starts (the committed offsets); `ends` at `at`: the backlog then. */
  constructor(
    at: number,
    ends: ReadonlyMap<OrchestratorInput, bigint>,
    positions: ReadonlyMap<OrchestratorInput, bigint>,
  ) {
    for (const [topic, offset] of positions) this.positions.set(topic, offset);
    this.sample(at, ends);
  }

  /** The partition has been read up to `nextOffset` (exclusive) on `topic`. */
  read(topic: OrchestratorInput, nextOffset: bigint): void {
    if (nextOffset > (this.positions.get(topic) ?? 0n)) this.positions.set(topic, nextOffset);
  }

  /** The end offsets of the inputs at `at`. Only the newest samples are kept. */
  sample(at: number, ends: ReadonlyMap<OrchestratorInput, bigint>): void {
    this.samples.push({ at, ends });
    if (this.samples.length > MAX_SAMPLES) this.samples.shift();
  }

  /** The latest time before which everything written has been read; undefined until the first backlog is. */
  horizon(): number | undefined {
    while (this.samples.length > 0 && this.covers(this.samples[0]?.ends)) {
      this.reached = this.samples.shift()?.at;
    }
    return this.reached;
  }

  private covers(ends: ReadonlyMap<OrchestratorInput, bigint> | undefined): boolean {
    for (const [topic, end] of ends ?? [])
      if (topic !== CRQ && (this.positions.get(topic) ?? 0n) < end) return false;
    return true;
  }
}

/** A partition that is not read for a while must not grow a list of samples without end. */
const MAX_SAMPLES = 100;
