// Exponential back-off with jitter for reconnect loops (informer restarts): delays grow
// initial·factor^n up to max, each stretched by a random 0…jitter fraction so that many clients
// restarted by the same API server outage do not return in lockstep. reset() after a success.

export interface BackoffOptions {
  /** First delay; default 800 ms (client-go's reflector). */
  initialMs?: number;
  /** Default 30 s. */
  maxMs?: number;
  /** Default 2. */
  factor?: number;
  /** Up to this fraction of the delay is added at random; default 0.5. */
  jitter?: number;
  /** Default Math.random; tests pass a fixed value. */
  random?: () => number;
}

export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #factor: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 800;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#factor = options.factor ?? 2;
    this.#jitter = options.jitter ?? 0.5;
    this.#random = options.random ?? Math.random;
  }

  /** Failures since the last reset(). */
  get attempt(): number {
    return this.#attempt;
  }

  /** The delay before the next try; counts a failure. */
  next(): number {
    const base = Math.min(this.#initialMs * this.#factor ** this.#attempt, this.#maxMs);
    this.#attempt++;
    return Math.round(base * (1 + this.#jitter * this.#random()));
  }

  reset(): void {
    this.#attempt = 0;
  }
}
