// Per-key retry delays, as client-go's workqueue.ItemExponentialFailureRateLimiter: the n-th
// consecutive failure of a key waits baseDelay·2^(n-1), capped at maxDelay (defaults 5 ms and
// 1000 s, client-go's DefaultControllerRateLimiter), until forget() after a success.

export interface RateLimiter {
  /** Records a failure of `key`; returns how long to wait before retrying it. */
  when(key: string): number;
  /** Clears `key`'s failures (after a success). */
  forget(key: string): void;
  /** Consecutive failures of `key` so far. */
  numRequeues(key: string): number;
}

export interface ExponentialBackoffOptions {
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export class ExponentialBackoffRateLimiter implements RateLimiter {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly #failures = new Map<string, number>();

  constructor(options: ExponentialBackoffOptions = {}) {
    this.baseDelayMs = options.baseDelayMs ?? 5;
    this.maxDelayMs = options.maxDelayMs ?? 1_000_000;
  }

  when(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    // 2^failures overflows to Infinity long after the cap is reached; Math.min handles it.
    return Math.min(this.baseDelayMs * 2 ** failures, this.maxDelayMs);
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.#failures.get(key) ?? 0;
  }
}
