/**
 * Admissions first: a client waits on each admission, while lifecycle steps (resolution,
 * dispatch, execution) are background work that only has to keep up. On one thread both compete
 * for the same CPU, so a step about to start gives way while admissions are running, for at most
 * `maxDeferMs`, so lifecycle work never starves. Correctness never depends on it: a deferred step
 * runs later from the same folded state.
 */
export class AdmissionPriority {
  readonly #maxDeferMs: number;
  readonly #waiters = new Set<() => void>();
  #admitting = 0;

  constructor(maxDeferMs = 20) {
    this.#maxDeferMs = maxDeferMs;
  }

  /** Runs an admission; steps waiting in `giveWay` start once no admission is running. */
  async admit<T>(fn: () => Promise<T>): Promise<T> {
    this.#admitting++;
    try {
      return await fn();
    } finally {
      this.#admitting--;
      if (this.#admitting === 0) for (const release of [...this.#waiters]) release();
    }
  }

  /** Resolves at once when no admission is running, otherwise when none is or after `maxDeferMs`. */
  giveWay(): Promise<void> {
    if (this.#admitting === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.#waiters.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.#maxDeferMs);
      this.#waiters.add(release);
    });
  }

  /** Admissions running now (for metrics). */
  get admitting(): number {
    return this.#admitting;
  }
}
