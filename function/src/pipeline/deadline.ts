/** The callout's time budget. Entra waits at most 2000 ms (docs/entra-contracts.md#limits); we answer well before. */

export const DEADLINE_PASSED: unique symbol = Symbol('deadline passed');

export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;

  constructor(
    budgetMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.endsAt = now() + budgetMs;
    this.timer = setTimeout(() => this.controller.abort(), budgetMs);
    this.timer.unref();
  }

  /** Aborts when the budget is spent, so downstream I/O (Table reads, the legacy web service) stops too. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remainingMs(): number {
    return Math.max(0, this.endsAt - this.now());
  }

  /** Settles with the promise's value, or DEADLINE_PASSED if the budget ends first; the work is abandoned. */
  race<T>(work: Promise<T>): Promise<T | typeof DEADLINE_PASSED> {
    if (this.controller.signal.aborted) {
      work.catch(() => undefined);
      return Promise.resolve(DEADLINE_PASSED);
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => resolve(DEADLINE_PASSED);
      this.controller.signal.addEventListener('abort', onAbort, { once: true });
      work.then(
        (value) => {
          this.controller.signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (error: unknown) => {
          this.controller.signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}

/** Fire-and-forget work that must not delay the reply (marking a user migrated), still observable in tests. */
export class BackgroundTasks {
  private readonly pending = new Set<Promise<void>>();

  run(task: () => Promise<void>, onError: (error: unknown) => void): void {
    const promise = Promise.resolve()
      .then(task)
      .catch(onError)
      .finally(() => this.pending.delete(promise));
    this.pending.add(promise);
  }

  /** Waits for everything started so far (tests, graceful shutdown of `serve`). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
