// A keyed work queue with client-go's guarantees, plus debouncing:
//
//  - A key is handed to at most one worker at a time (get() … done()); adds for a key that is being
//    processed are kept and the key is handed out again after done().
//  - Adds for a key that is already queued and not yet handed out are coalesced into that one
//    pending processing, which reads the latest state anyway.
//  - add() is debounced: the key becomes ready `debounceMs` after the last add of a burst, but no
//    later than `maxWaitMs` after the first, so a burst of events is one reconcile and a continuous
//    stream is still processed regularly.
//  - addRateLimited() retries a failed key after a per-key exponential back-off (rate-limiter.ts);
//    forget() after a success resets it. addAfter() schedules a key (e.g. "check again in 10 min").
//  - When a key is handed out, its pending debounced or delayed adds are dropped: the processing
//    that starts now sees everything they announced; if it fails, it schedules its own retry.
//  - shutDown(): later adds are ignored, delayed retries are dropped, debounced keys become ready at
//    once (their changes were seen), and get() hands out what is ready, then returns undefined.
//    drain() resolves when nothing is ready or being processed.
//
// Time comes from an injected Clock, so tests drive the debounce and back-off deterministically.
import { realClock, type Clock, type TimerHandle } from "./clock.ts";
import { ExponentialBackoffRateLimiter, type RateLimiter } from "./rate-limiter.ts";

export interface WorkQueueHooks {
  /** The number of keys ready and waiting for a worker, after every change. */
  depth?(depth: number): void;
  /** Every accepted add (before coalescing), like client-go's adds_total. */
  added?(key: string): void;
  /** Every addRateLimited() (a failed key going back to the queue), like retries_total. */
  retried?(key: string, delayMs: number): void;
}

export interface WorkQueueOptions {
  /** Default 300 ms; 0 makes add() immediate. */
  debounceMs?: number;
  /** The longest add() may be deferred by repeated adds; default 10 × debounceMs. */
  maxWaitMs?: number;
  /** Default: exponential 5 ms … 1000 s. */
  rateLimiter?: RateLimiter;
  clock?: Clock;
  hooks?: WorkQueueHooks;
}

interface Pending {
  /** When the key becomes ready. */
  dueMs: number;
  timer: TimerHandle;
}

interface Debouncing extends Pending {
  firstAddMs: number;
}

export class WorkQueue {
  readonly debounceMs: number;
  readonly maxWaitMs: number;
  readonly rateLimiter: RateLimiter;
  readonly #clock: Clock;
  readonly #hooks: WorkQueueHooks;

  /** Ready keys, in order. */
  readonly #ready: string[] = [];
  /** Keys that need processing: in #ready, or to be re-queued when their processing is done. */
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #debouncing = new Map<string, Debouncing>();
  readonly #delayed = new Map<string, Pending>();
  readonly #getters: ((key: string | undefined) => void)[] = [];
  readonly #drainers: (() => void)[] = [];
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.debounceMs = options.debounceMs ?? 300;
    this.maxWaitMs = Math.max(options.maxWaitMs ?? this.debounceMs * 10, this.debounceMs);
    this.rateLimiter = options.rateLimiter ?? new ExponentialBackoffRateLimiter();
    this.#clock = options.clock ?? realClock;
    this.#hooks = options.hooks ?? {};
  }

  /** Keys ready and waiting for a worker. */
  get length(): number {
    return this.#ready.length;
  }

  get shuttingDown(): boolean {
    return this.#shuttingDown;
  }

  /** Whether `key` is being processed now. */
  isProcessing(key: string): boolean {
    return this.#processing.has(key);
  }

  /** Whether `key` is ready, or debounced or delayed (scheduled to become ready). */
  isPending(key: string): boolean {
    return this.#dirty.has(key) || this.#debouncing.has(key) || this.#delayed.has(key);
  }

  /** Queues `key` after the debounce period (see the module comment). */
  add(key: string): void {
    if (!this.#accept(key)) return;
    if (this.debounceMs <= 0) {
      this.#makeReady(key);
      return;
    }
    const now = this.#clock.now();
    const existing = this.#debouncing.get(key);
    const firstAddMs = existing?.firstAddMs ?? now;
    const dueMs = Math.min(now + this.debounceMs, firstAddMs + this.maxWaitMs);
    if (existing) {
      if (existing.dueMs === dueMs) return;
      this.#clock.clearTimeout(existing.timer);
    }
    this.#debouncing.set(key, {
      firstAddMs,
      dueMs,
      timer: this.#clock.setTimeout(() => this.#fire(this.#debouncing, key), dueMs - now),
    });
  }

  /** Queues `key` after `delayMs` (at once when ≤ 0); an earlier pending schedule wins. */
  addAfter(key: string, delayMs: number): void {
    if (!this.#accept(key)) return;
    if (delayMs <= 0) {
      this.#makeReady(key);
      return;
    }
    const now = this.#clock.now();
    const dueMs = now + delayMs;
    const existing = this.#delayed.get(key);
    if (existing) {
      if (existing.dueMs <= dueMs) return;
      this.#clock.clearTimeout(existing.timer);
    }
    this.#delayed.set(key, {
      dueMs,
      timer: this.#clock.setTimeout(() => this.#fire(this.#delayed, key), delayMs),
    });
  }

  /** Re-queues a key whose processing failed, after its back-off. */
  addRateLimited(key: string): void {
    if (this.#shuttingDown) return;
    const delayMs = this.rateLimiter.when(key);
    this.#hooks.retried?.(key, delayMs);
    this.addAfter(key, delayMs);
  }

  /** Resets `key`'s back-off (after a success). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next ready key, which the caller owns until done(key); waits while none is ready.
   * undefined once the queue is shut down and nothing is ready.
   */
  get(): Promise<string | undefined> {
    const key = this.#take();
    if (key !== undefined || this.#shuttingDown) return Promise.resolve(key);
    return new Promise((resolve) => this.#getters.push(resolve));
  }

  /** Ends the processing of `key`; if it was added meanwhile, it is queued again. */
  done(key: string): void {
    if (!this.#processing.delete(key)) return;
    if (this.#dirty.has(key)) {
      this.#ready.push(key);
      this.#depthChanged();
      this.#dispatch();
    }
    this.#checkDrained();
  }

  shutDown(): void {
    if (this.#shuttingDown) return;
    for (const [key, pending] of this.#debouncing) {
      this.#clock.clearTimeout(pending.timer);
      this.#makeReady(key);
    }
    this.#debouncing.clear();
    for (const pending of this.#delayed.values()) this.#clock.clearTimeout(pending.timer);
    this.#delayed.clear();
    this.#shuttingDown = true;
    this.#dispatch();
    this.#checkDrained();
  }

  /** Resolves when, after shutDown(), nothing is ready or being processed. */
  drain(): Promise<void> {
    return new Promise((resolve) => {
      this.#drainers.push(resolve);
      this.#checkDrained();
    });
  }

  /** shutDown() then drain(). */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    return this.drain();
  }

  #accept(key: string): boolean {
    if (this.#shuttingDown) return false;
    this.#hooks.added?.(key);
    // Already queued (or re-queued behind its running processing): that processing covers this add.
    return !this.#dirty.has(key);
  }

  #fire(map: Map<string, Pending>, key: string): void {
    map.delete(key);
    this.#makeReady(key);
  }

  #makeReady(key: string): void {
    if (this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return; // done() queues it again
    this.#ready.push(key);
    this.#depthChanged();
    this.#dispatch();
  }

  #take(): string | undefined {
    const key = this.#ready.shift();
    if (key === undefined) return undefined;
    this.#dirty.delete(key);
    this.#processing.add(key);
    for (const map of [this.#debouncing, this.#delayed]) {
      const pending = map.get(key);
      if (pending) {
        this.#clock.clearTimeout(pending.timer);
        map.delete(key);
      }
    }
    this.#depthChanged();
    return key;
  }

  #dispatch(): void {
    while (this.#getters.length > 0) {
      const key = this.#take();
      if (key === undefined) {
        if (!this.#shuttingDown) return;
        for (const getter of this.#getters.splice(0)) getter(undefined);
        return;
      }
      this.#getters.shift()?.(key);
    }
  }

  #checkDrained(): void {
    if (!this.#shuttingDown || this.#ready.length > 0 || this.#processing.size > 0) return;
    for (const getter of this.#getters.splice(0)) getter(undefined);
    for (const drainer of this.#drainers.splice(0)) drainer();
  }

  #depthChanged(): void {
    this.#hooks.depth?.(this.#ready.length);
  }
}
