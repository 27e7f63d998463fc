// A token bucket: `burst` tokens, one more every `refillIntervalMs`. client-go's event spam filter
// gives each object a bucket of 25 refilled one per 5 minutes.
import type { Clock } from "./clock.ts";

export interface TokenBucketOptions {
  burst: number;
  refillIntervalMs: number;
}

export class TokenBucket {
  readonly #options: TokenBucketOptions;
  readonly #clock: Clock;
  #tokens: number;
  #lastRefillMs: number;

  constructor(options: TokenBucketOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
    this.#tokens = options.burst;
    this.#lastRefillMs = clock.now();
  }

  /** Takes a token if there is one. */
  tryTake(): boolean {
    this.#refill();
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Whether the bucket is full (then it can be forgotten and re-made at no cost). */
  isFull(): boolean {
    this.#refill();
    return this.#tokens >= this.#options.burst;
  }

  #refill(): void {
    const now = this.#clock.now();
    const { burst, refillIntervalMs } = this.#options;
    const earned = refillIntervalMs > 0 ? Math.floor((now - this.#lastRefillMs) / refillIntervalMs) : burst;
    if (earned <= 0) return;
    this.#tokens = Math.min(burst, this.#tokens + earned);
    this.#lastRefillMs = this.#tokens >= burst ? now : this.#lastRefillMs + earned * refillIntervalMs;
  }
}
