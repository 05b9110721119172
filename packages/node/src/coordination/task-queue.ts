/**
 * Runs one async step per key at a time: a key scheduled while its step runs is run again after
 * it (the state may have moved meanwhile), never twice at once. A step that throws (the log or
 * the bus unreachable for a while) is scheduled again after a capped backoff, so work is never
 * dropped because a dependency was down when it was tried.
 */
export class KeyedRunner {
  readonly #running = new Set<string>();
  readonly #again = new Set<string>();
  readonly #step: (key: string) => Promise<void>;
  readonly #onError: (key: string, error: unknown) => void;
  #stopped = false;
  #idle: (() => void)[] = [];
  readonly #failures = new Map<string, number>();
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(step: (key: string) => Promise<void>, onError: (key: string, error: unknown) => void) {
    this.#step = step;
    this.#onError = onError;
  }

  schedule(key: string): void {
    if (this.#stopped) return;
    if (this.#running.has(key)) {
      this.#again.add(key);
      return;
    }
    this.#running.add(key);
    void this.#run(key);
  }

  async #run(key: string): Promise<void> {
    do {
      this.#again.delete(key);
      try {
        await this.#step(key);
        this.#failures.delete(key);
      } catch (error) {
        this.#onError(key, error);
        this.#retryLater(key);
      }
    } while (this.#again.has(key) && !this.#stopped);
    this.#running.delete(key);
    if (this.#running.size === 0) for (const r of this.#idle.splice(0)) r();
  }

  #retryLater(key: string): void {
    const n = (this.#failures.get(key) ?? 0) + 1;
    this.#failures.set(key, n);
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        this.schedule(key);
      },
      Math.min(5000, 100 * 2 ** Math.min(n, 6)),
    );
    timer.unref();
    this.#timers.add(timer);
  }

  get busy(): number {
    return this.#running.size;
  }

  /** Stops scheduling and resolves when every running step has finished. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    if (this.#running.size > 0) await new Promise<void>((resolve) => this.#idle.push(resolve));
  }
}
