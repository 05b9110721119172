/**
 * Admissions first: a client waits on each admission, while lifecycle work (resolution, dispatch,
 * execution, re-execution, verification) is background work that only has to keep up. On one
 * thread both compete for the same CPU, so pipeline work about to start gives way while admissions
 * are running, for at most `maxDeferMs`, so it never starves. Correctness never depends on it: a
 * deferred step runs later from the same folded state.
 *
 * Deferred steps are let go a few per event-loop turn (`releasePerTurn` while no admission runs,
 * one past its bound while admissions run), never all at once: a burst of released steps would
 * hold the thread for as long as they take together, and an admission arriving meanwhile would
 * wait behind all of them. In the embedded network one instance is shared by every node of the
 * process (coordinator, verifiers, enterprise execution), since they share the thread.
 */
export class AdmissionPriority {
  readonly #maxDeferMs: number;
  readonly #releasePerTurn: number;
  readonly #waiters: { release: () => void; expired: boolean }[] = [];
  #admitting = 0;
  #pumping = false;

  constructor(maxDeferMs = 20, releasePerTurn = 4) {
    this.#maxDeferMs = maxDeferMs;
    this.#releasePerTurn = releasePerTurn;
  }

  /** Runs an admission; steps waiting in `giveWay` start once no admission is running. */
  async admit<T>(fn: () => Promise<T>): Promise<T> {
    this.#admitting++;
    try {
      return await fn();
    } finally {
      this.#admitting--;
      if (this.#admitting === 0) this.#pump();
    }
  }

  /**
   * Resolves at once when no admission is running and no step is waiting; otherwise in turn, once
   * no admission is running or after `maxDeferMs`.
   */
  giveWay(): Promise<void> {
    if (this.#admitting === 0 && this.#waiters.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const waiter = {
        expired: false,
        release: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        waiter.expired = true;
        this.#pump();
      }, this.#maxDeferMs);
      this.#waiters.push(waiter);
      if (this.#admitting === 0) this.#pump();
    });
  }

  /** Lets waiting steps go on the next turn of the event loop, a few at a time. */
  #pump(): void {
    if (this.#pumping || this.#waiters.length === 0) return;
    this.#pumping = true;
    setImmediate(() => {
      this.#pumping = false;
      if (this.#admitting === 0) {
        for (const w of this.#waiters.splice(0, this.#releasePerTurn)) w.release();
      } else {
        const i = this.#waiters.findIndex((w) => w.expired);
        if (i >= 0) this.#waiters.splice(i, 1)[0]!.release();
      }
      if (this.#waiters.length > 0 && (this.#admitting === 0 || this.#waiters.some((w) => w.expired))) this.#pump();
    });
  }

  /** Admissions running now (for metrics). */
  get admitting(): number {
    return this.#admitting;
  }

  /** Steps waiting to start (for metrics). */
  get deferred(): number {
    return this.#waiters.length;
  }
}
