import { describe, expect, it } from "@jest/globals";
import { Backoff } from "./backoff.ts";
import { formatMicroTime, formatTime, sleep, timeoutSignal } from "./clock.ts";
import { FakeClock } from "./testing/fake-clock.ts";
import { TokenBucket } from "./token-bucket.ts";

describe("time formats", () => {
  it("are metav1.Time (seconds) and metav1.MicroTime (microseconds)", () => {
    const ms = Date.UTC(2026, 4, 6, 7, 8, 9, 123);
    expect(formatTime(ms)).toBe("2026-05-06T07:08:09Z");
    expect(formatMicroTime(ms)).toBe("2026-05-06T07:08:09.123000Z");
  });
});

describe("sleep and timeoutSignal", () => {
  it("sleep resolves true after the delay, false at once on abort", async () => {
    const clock = new FakeClock();
    const done: boolean[] = [];
    void sleep(clock, 1000).then((r) => done.push(r));
    const abort = new AbortController();
    void sleep(clock, 1000, abort.signal).then((r) => done.push(r));
    abort.abort();
    await clock.advance(999);
    expect(done).toEqual([false]);
    await clock.advance(1);
    expect(done).toEqual([false, true]);
    expect(clock.pendingTimers).toBe(0);
  });

  it("timeoutSignal aborts after the timeout or with its parent", async () => {
    const clock = new FakeClock();
    const timed = timeoutSignal(clock, 500);
    await clock.advance(500);
    expect(timed.signal.aborted).toBe(true);
    const parent = new AbortController();
    const child = timeoutSignal(clock, 500, parent.signal);
    parent.abort();
    expect(child.signal.aborted).toBe(true);
    child.dispose();
    expect(clock.pendingTimers).toBe(0);
  });
});

describe("Backoff", () => {
  it("doubles up to the maximum, adds jitter, and resets", () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0.5, random: () => 1 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([150, 300, 600, 1200, 1500, 1500]);
    backoff.reset();
    expect(backoff.next()).toBe(150);
  });
});

describe("TokenBucket", () => {
  it("allows a burst, then one per refill interval", async () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket({ burst: 2, refillIntervalMs: 1000 }, clock);
    expect([bucket.tryTake(), bucket.tryTake(), bucket.tryTake()]).toEqual([true, true, false]);
    await clock.advance(999);
    expect(bucket.tryTake()).toBe(false);
    await clock.advance(1);
    expect(bucket.tryTake()).toBe(true);
    expect(bucket.isFull()).toBe(false);
    await clock.advance(5000);
    expect(bucket.isFull()).toBe(true);
  });
});
