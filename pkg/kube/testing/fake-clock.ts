// A manual clock for unit tests: time moves only when the test calls advance(), and timers fire in
// due order, each followed by a flush of pending promise callbacks so that async code woken by a
// timer runs to its next wait before the next timer fires.
import type { Clock, TimerHandle } from "../clock.ts";

interface FakeTimer {
  id: number;
  dueMs: number;
  callback: () => void;
}

/** Lets queued promise callbacks (and the ones they queue, a few levels deep) run. */
export async function flushPromises(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

export class FakeClock implements Clock {
  #nowMs: number;
  #nextId = 1;
  #timers = new Map<number, FakeTimer>();

  constructor(startMs = Date.UTC(2026, 0, 1)) {
    this.#nowMs = startMs;
  }

  now(): number {
    return this.#nowMs;
  }

  setTimeout(callback: () => void, delayMs: number): TimerHandle {
    const id = this.#nextId++;
    this.#timers.set(id, { id, dueMs: this.#nowMs + Math.max(0, delayMs), callback });
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle as number);
  }

  /** Number of timers not yet fired. */
  get pendingTimers(): number {
    return this.#timers.size;
  }

  /** Delays of the pending timers from now, soonest first. */
  pendingDelays(): number[] {
    return [...this.#timers.values()].map((t) => t.dueMs - this.#nowMs).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const target = this.#nowMs + ms;
    await flushPromises();
    for (;;) {
      const next = this.#earliest();
      if (!next || next.dueMs > target) break;
      this.#timers.delete(next.id);
      this.#nowMs = Math.max(this.#nowMs, next.dueMs);
      next.callback();
      await flushPromises();
    }
    this.#nowMs = target;
    await flushPromises();
  }

  /** Advances to the next pending timer and fires it (and any due at the same time). */
  async advanceToNext(): Promise<void> {
    const next = this.#earliest();
    if (next) await this.advance(Math.max(0, next.dueMs - this.#nowMs));
  }

  #earliest(): FakeTimer | undefined {
    let earliest: FakeTimer | undefined;
    for (const timer of this.#timers.values()) {
      if (
        !earliest ||
        timer.dueMs < earliest.dueMs ||
        (timer.dueMs === earliest.dueMs && timer.id < earliest.id)
      ) {
        earliest = timer;
      }
    }
    return earliest;
  }
}
