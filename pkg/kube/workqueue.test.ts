import { describe, expect, it } from "@jest/globals";
import { ExponentialBackoffRateLimiter } from "./rate-limiter.ts";
import { FakeClock, flushPromises } from "./testing/fake-clock.ts";
import { WorkQueue, type WorkQueueOptions } from "./workqueue.ts";

function setup(options: WorkQueueOptions = {}) {
  const clock = new FakeClock();
  const depths: number[] = [];
  const queue = new WorkQueue({ clock, hooks: { depth: (d) => depths.push(d) }, ...options });
  return { clock, queue, depths };
}

/** The keys get() hands out without waiting, marking each done. */
async function drainReady(queue: WorkQueue): Promise<string[]> {
  const keys: string[] = [];
  while (queue.length > 0) {
    const key = await queue.get();
    if (key === undefined) break;
    keys.push(key);
    queue.done(key);
  }
  return keys;
}

/** Whether a get() started now resolves without time passing. */
async function resolvesNow<T>(promise: Promise<T>): Promise<boolean> {
  let resolved = false;
  void promise.then(() => (resolved = true));
  await flushPromises();
  return resolved;
}

describe("WorkQueue debounce", () => {
  it("makes a key ready debounceMs after its last add, not before", async () => {
    const { clock, queue } = setup({ debounceMs: 300 });
    queue.add("a");
    await clock.advance(200);
    queue.add("a");
    await clock.advance(200);
    queue.add("a");
    await clock.advance(299);
    expect(queue.length).toBe(0);
    await clock.advance(1);
    expect(queue.length).toBe(1);
    expect(await drainReady(queue)).toEqual(["a"]);
  });

  it("coalesces a burst of adds into one processing", async () => {
    const { clock, queue } = setup({ debounceMs: 300 });
    for (let i = 0; i < 50; i++) queue.add("a");
    queue.add("b");
    await clock.advance(300);
    expect(await drainReady(queue)).toEqual(["a", "b"]);
    await clock.advance(10_000);
    expect(queue.length).toBe(0);
  });

  it("processes a continuous stream at least every maxWaitMs", async () => {
    const { clock, queue } = setup({ debounceMs: 300, maxWaitMs: 1000 });
    const processedAt: number[] = [];
    const start = clock.now();
    for (let t = 0; t < 3000; t += 100) {
      queue.add("a");
      await clock.advance(100);
      if (queue.length > 0) {
        processedAt.push(clock.now() - start);
        await drainReady(queue);
      }
    }
    expect(processedAt).toEqual([1000, 2000, 3000]);
  });

  it("adds at once with debounceMs 0", async () => {
    const { queue } = setup({ debounceMs: 0 });
    queue.add("a");
    expect(queue.length).toBe(1);
  });

  it("coalesces adds of a key that is already ready", async () => {
    const { clock, queue } = setup({ debounceMs: 0 });
    queue.add("a");
    queue.add("a");
    queue.addAfter("a", 50);
    expect(queue.length).toBe(1);
    expect(await drainReady(queue)).toEqual(["a"]);
    await clock.advance(100);
    expect(queue.length).toBe(0);
  });
});

describe("WorkQueue per-key exclusivity", () => {
  it("never hands out a key that is being processed; re-queues it after done", async () => {
    const { clock, queue } = setup({ debounceMs: 100 });
    queue.add("a");
    await clock.advance(100);
    const first = await queue.get();
    expect(first).toBe("a");
    queue.add("a"); // a change while "a" is processed
    await clock.advance(100);
    const second = queue.get();
    expect(await resolvesNow(second)).toBe(false);
    expect(queue.isProcessing("a")).toBe(true);
    queue.done("a");
    expect(await second).toBe("a");
  });

  it("hands different keys to concurrent workers", async () => {
    const { clock, queue } = setup({ debounceMs: 10 });
    const w1 = queue.get();
    const w2 = queue.get();
    queue.add("a");
    queue.add("b");
    await clock.advance(10);
    expect(new Set([await w1, await w2])).toEqual(new Set(["a", "b"]));
  });

  it("folds several changes during processing into one more processing", async () => {
    const { clock, queue } = setup({ debounceMs: 10 });
    queue.add("a");
    await clock.advance(10);
    await queue.get();
    for (let i = 0; i < 5; i++) {
      queue.add("a");
      await clock.advance(20);
    }
    queue.done("a");
    expect(await drainReady(queue)).toEqual(["a"]);
    await clock.advance(1000);
    expect(queue.length).toBe(0);
  });
});

describe("WorkQueue back-off", () => {
  it("grows the retry delay exponentially from 5 ms and caps it at 1000 s", () => {
    const limiter = new ExponentialBackoffRateLimiter();
    const delays = Array.from({ length: 32 }, () => limiter.when("a"));
    expect(delays.slice(0, 5)).toEqual([5, 10, 20, 40, 80]);
    expect(delays.at(-1)).toBe(1_000_000);
    expect(delays).toEqual([...delays].sort((x, y) => x - y));
    expect(limiter.numRequeues("a")).toBe(32);
    expect(limiter.when("b")).toBe(5); // per key
  });

  it("retries a failed key after its back-off, longer each time, and forget() resets it", async () => {
    const { clock, queue } = setup({
      debounceMs: 0,
      rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 100, maxDelayMs: 1000 }),
    });
    const waits: number[] = [];
    queue.add("a");
    for (let attempt = 0; attempt < 6; attempt++) {
      const key = await queue.get();
      expect(key).toBe("a");
      queue.addRateLimited("a"); // failed
      queue.done("a");
      let waited = 0;
      while (queue.length === 0) {
        await clock.advance(50);
        waited += 50;
      }
      waits.push(waited);
    }
    expect(waits).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(queue.numRequeues("a")).toBe(6);
    await queue.get();
    queue.forget("a"); // succeeded
    queue.done("a");
    expect(queue.numRequeues("a")).toBe(0);
    queue.addRateLimited("a");
    await clock.advance(100);
    expect(queue.length).toBe(1);
  });

  it("drops a pending retry when the key is processed earlier because of a new event", async () => {
    const { clock, queue } = setup({
      debounceMs: 10,
      rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 1000 }),
    });
    queue.addRateLimited("a"); // retry due in 1 s
    queue.add("a"); // an event: ready in 10 ms
    await clock.advance(10);
    expect(await drainReady(queue)).toEqual(["a"]);
    await clock.advance(5000);
    expect(queue.length).toBe(0);
  });

  it("addAfter keeps the earliest schedule", async () => {
    const { clock, queue } = setup();
    queue.addAfter("a", 500);
    queue.addAfter("a", 100);
    queue.addAfter("a", 900);
    await clock.advance(100);
    expect(await drainReady(queue)).toEqual(["a"]);
    await clock.advance(1000);
    expect(queue.length).toBe(0);
  });
});

describe("WorkQueue shutdown", () => {
  it("hands out ready and debounced keys, drops delayed ones, then returns undefined", async () => {
    const { queue } = setup({ debounceMs: 300 });
    queue.addAfter("ready", 0);
    queue.add("debounced");
    queue.addAfter("delayed", 60_000);
    queue.shutDown();
    queue.add("late");
    expect(await drainReady(queue)).toEqual(["ready", "debounced"]);
    expect(await queue.get()).toBeUndefined();
  });

  it("drain() waits for keys being processed", async () => {
    const { queue } = setup({ debounceMs: 0 });
    queue.add("a");
    const key = await queue.get();
    const waiting = queue.get();
    const drained = queue.shutDownWithDrain();
    expect(await resolvesNow(drained)).toBe(false);
    expect(await waiting).toBeUndefined();
    queue.done(key ?? "");
    await drained;
  });

  it("reports its depth through the hook", async () => {
    const { clock, queue, depths } = setup({ debounceMs: 10 });
    queue.add("a");
    queue.add("b");
    await clock.advance(10);
    await drainReady(queue);
    expect(depths).toEqual([1, 2, 1, 0]);
  });
});
