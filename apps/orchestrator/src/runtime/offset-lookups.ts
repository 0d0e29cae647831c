import type { OrchestratorInput } from '@pipeline/topics';

/** The committed offsets of the group and the end offsets of the inputs, every partition. */
export interface OffsetSnapshot {
  committed: Map<OrchestratorInput, Map<number, bigint>>;
  ends: Map<OrchestratorInput, Map<number, bigint>>;
}

/**
 * One offset look-up round for every restore that runs at once. Each look-up reads every partition,
 * so twelve partitions restored one look-up each made 12 × 12 answers (O(P²)) after every
 * assignment. A restore needs a look-up that started after it asked (after its barrier was read:
 * nothing below is committed later), so a restore asking while one is in flight waits for the next,
 * which serves everybody who asked meanwhile: at most two rounds for any burst of restores.
 */
export class OffsetLookups {
  private running: Promise<OffsetSnapshot> | undefined;
  private queued: Promise<OffsetSnapshot> | undefined;

  constructor(private readonly lookUp: () => Promise<OffsetSnapshot>) {}

  /** A snapshot whose look-up started after this call. */
  get(): Promise<OffsetSnapshot> {
    if (this.running === undefined) return this.launch();
    const settled = this.running.then(
      () => undefined,
      () => undefined,
    );
    this.queued ??= settled.then(() => {
      this.queued = undefined;
      return this.launch();
    });
    return this.queued;
  }

  private launch(): Promise<OffsetSnapshot> {
    const run = this.lookUp();
    this.running = run;
    const clear = () => {
      if (this.running === run) this.running = undefined;
    };
    run.then(clear, clear);
    return run;
  }
}
