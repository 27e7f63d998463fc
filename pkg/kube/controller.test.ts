import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "../apis/meta.ts";
import { Controller, type ControllerOptions, type ReconcileContext } from "./controller.ts";
import { SharedInformer } from "./informer.ts";
import { createMetricsRegistry } from "./metrics.ts";
import { ExponentialBackoffRateLimiter } from "./rate-limiter.ts";
import { FakeClock, flushPromises } from "./testing/fake-clock.ts";
import { FakeListerWatcher } from "./testing/fake-lister-watcher.ts";
import { MemoryLogger } from "./testing/memory-logger.ts";

interface Widget extends KubeObject {
  spec?: { size: number; owner?: string };
}

function widget(name: string, size = 1, owner?: string): Widget {
  return { apiVersion: "test/v1", kind: "Widget", metadata: { name }, spec: { size, owner } };
}

type Reconcile = (key: string, context: ReconcileContext) => Promise<{ requeueAfterMs?: number } | void>;

function setup(reconcile: Reconcile, options: Partial<ControllerOptions> = {}) {
  const clock = new FakeClock();
  const server = new FakeListerWatcher<Widget>();
  const informer = new SharedInformer(server, { clock, idleTimeoutMs: 1e9, backoff: { jitter: 0 } });
  const logger = new MemoryLogger();
  const registry = createMetricsRegistry({ processMetrics: false });
  const calls: string[] = [];
  const controller = new Controller({
    name: "widgets",
    kind: "Widget",
    clock,
    logger,
    registry,
    queue: { debounceMs: 100, rateLimiter: new ExponentialBackoffRateLimiter({ baseDelayMs: 1000 }) },
    reconcile: async (key, context) => {
      calls.push(key);
      return reconcile(key, context);
    },
    ...options,
  });
  controller.watch(informer);
  const stop = new AbortController();
  return { clock, server, informer, controller, calls, stop, logger, registry };
}

async function metricValue(
  registry: ReturnType<typeof createMetricsRegistry>,
  name: string,
  labels: Record<string, string>,
) {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as { value: number; labels: Record<string, string | number> }[];
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe("Controller", () => {
  it("reconciles every existing object once the informers have synced, and not before", async () => {
    const { clock, server, informer, controller, calls, stop } = setup(async () => {});
    server.put(widget("a"));
    server.put(widget("b"));
    server.reachable = false;
    informer.start();
    const running = controller.run(stop.signal);
    await clock.advance(5_000);
    expect(controller.synced).toBe(false);
    expect(calls).toEqual([]);
    server.reachable = true;
    await clock.advance(60_000);
    expect(controller.synced).toBe(true);
    expect(calls.sort()).toEqual(["a", "b"]);
    stop.abort();
    await running;
    await informer.stop();
  });

  it("turns a burst of changes into one reconcile", async () => {
    const { clock, server, informer, controller, calls, stop } = setup(async () => {});
    informer.start();
    const running = controller.run(stop.signal);
    await clock.advance(1_000);
    for (let size = 1; size <= 20; size++) {
      server.put(widget("a", size));
      await clock.advance(10);
    }
    await clock.advance(1_000);
    expect(calls).toEqual(["a"]);
    stop.abort();
    await running;
    await informer.stop();
  });

  it("retries a failing key with growing back-off and forgets the failures after a success", async () => {
    let failures = 3;
    const retriesSeen: number[] = [];
    const { clock, server, informer, controller, calls, stop, logger, registry } = setup(
      async (_key, context) => {
        retriesSeen.push(context.retries);
        if (failures-- > 0) throw new Error("API server unavailable");
      },
    );
    informer.start();
    server.put(widget("a"));
    const running = controller.run(stop.signal);
    await clock.advance(100); // first attempt
    expect(calls).toHaveLength(1);
    await clock.advance(999);
    expect(calls).toHaveLength(1);
    await clock.advance(1); // 1 s back-off
    expect(calls).toHaveLength(2);
    await clock.advance(2000); // 2 s
    expect(calls).toHaveLength(3);
    await clock.advance(4000); // 4 s, succeeds
    expect(calls).toHaveLength(4);
    expect(retriesSeen).toEqual([0, 1, 2, 3]);
    expect(controller.queue.numRequeues("a")).toBe(0);
    await clock.advance(60_000);
    expect(calls).toHaveLength(4);
    expect(logger.messages("error")).toEqual(Array(3).fill("reconcile failed; will retry"));
    expect(logger.lines.find((l) => l.level === "error")?.fields).toMatchObject({
      controller: "widgets",
      object: { kind: "Widget", name: "a" },
      retries: 1,
    });
    expect(await metricValue(registry, "controller_runtime_reconcile_total", { result: "error" })).toBe(3);
    expect(await metricValue(registry, "controller_runtime_reconcile_total", { result: "success" })).toBe(1);
    expect(
      await metricValue(registry, "controller_runtime_reconcile_errors_total", { controller: "widgets" }),
    ).toBe(3);
    stop.abort();
    await running;
    await informer.stop();
  });

  it("requeues after requeueAfterMs", async () => {
    const { clock, server, informer, controller, calls, stop } = setup(async () => ({
      requeueAfterMs: 30_000,
    }));
    server.put(widget("a"));
    informer.start();
    const running = controller.run(stop.signal);
    await clock.advance(100);
    await clock.advance(90_000);
    expect(calls).toEqual(["a", "a", "a", "a"]);
    stop.abort();
    await running;
    await informer.stop();
  });

  it("never reconciles one key twice at once; a change during a reconcile gets one more", async () => {
    let release: (() => void) | undefined;
    let concurrent = 0;
    let maxConcurrent = 0;
    const { clock, server, informer, controller, calls, stop } = setup(
      async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await new Promise<void>((resolve) => (release = resolve));
        concurrent--;
      },
      { workers: 4 },
    );
    server.put(widget("a"));
    informer.start();
    const running = controller.run(stop.signal);
    await clock.advance(100);
    expect(calls).toEqual(["a"]);
    server.put(widget("a", 2));
    server.put(widget("a", 3));
    await clock.advance(1_000);
    expect(calls).toEqual(["a"]);
    release?.();
    await flushPromises();
    expect(calls).toEqual(["a", "a"]);
    release?.();
    await clock.advance(1_000);
    expect(maxConcurrent).toBe(1);
    stop.abort();
    await running;
    await informer.stop();
  });

  it("maps derived objects to their owner's key", async () => {
    const { clock, server, informer, calls, stop } = setup(async () => {});
    const owners = new Controller({
      name: "owners",
      clock,
      queue: { debounceMs: 0 },
      reconcile: async (key) => {
        calls.push(`owner:${key}`);
      },
    }).watch(informer, (w) => (w.spec?.owner ? [w.spec.owner] : []));
    server.put(widget("a", 1, "boss"));
    server.put(widget("b", 1));
    informer.start();
    const running = owners.run(stop.signal);
    await clock.advance(100);
    expect(calls).toEqual(["owner:boss"]);
    stop.abort();
    await running;
    await informer.stop();
  });

  it("shutdown() stops taking events, reconciles what is queued, then run() resolves", async () => {
    const { clock, server, informer, controller, calls, stop } = setup(async () => {});
    informer.start();
    const running = controller.run(stop.signal);
    await clock.advance(1_000);
    server.put(widget("a"));
    server.put(widget("b"));
    await flushPromises();
    expect(calls).toEqual([]); // debounced
    await controller.shutdown();
    await running;
    expect(calls.sort()).toEqual(["a", "b"]);
    server.put(widget("c"));
    await clock.advance(1_000);
    expect(calls).toHaveLength(2);
    await informer.stop();
  });

  it("a hard stop aborts the reconcile in flight and starts no other", async () => {
    let seen: AbortSignal | undefined;
    const { clock, server, informer, controller, calls, stop } = setup(
      (_key, context) =>
        new Promise<void>((_resolve, reject) => {
          seen = context.signal;
          context.signal.addEventListener("abort", () => reject(new Error("aborted")));
        }),
      { queue: { debounceMs: 0 } },
    );
    server.put(widget("a"));
    server.put(widget("b"));
    informer.start();
    const running = controller.run(stop.signal);
    await clock.advance(10);
    expect(calls).toEqual(["a"]);
    stop.abort();
    await running;
    expect(seen?.aborted).toBe(true);
    expect(calls).toEqual(["a"]);
    await informer.stop();
  });

  describe("ignoreOwnWrites", () => {
    /** A running controller with ignoreOwnWrites, past the reconcile of the existing widget "a". */
    async function running() {
      const harness = setup(async () => {}, { ignoreOwnWrites: true });
      harness.server.put(widget("a"));
      harness.informer.start();
      const done = harness.controller.run(harness.stop.signal);
      await harness.clock.advance(1_000);
      expect(harness.calls).toEqual(["a"]);
      harness.calls.length = 0;
      const finish = async (): Promise<void> => {
        harness.stop.abort();
        await done;
        await harness.informer.stop();
      };
      return { ...harness, finish };
    }

    it("enqueues nothing for the event of an own write, and reconciles anyone else's change", async () => {
      const { clock, server, controller, calls, finish } = await running();
      const written = await controller.ownWrite(widget("a"), async () => server.put(widget("a", 2)));
      expect(written.metadata.resourceVersion).toBeDefined();
      await clock.advance(1_000);
      expect(calls).toEqual([]);
      server.put(widget("a", 3));
      await clock.advance(1_000);
      expect(calls).toEqual(["a"]);
      await finish();
    });

    it("holds the event that arrives before the write's response, then drops it", async () => {
      const { clock, server, controller, calls, finish } = await running();
      await controller.ownWrite(widget("a"), async () => {
        const stored = server.put(widget("a", 2));
        await clock.advance(500); // the watch event reaches the informer first
        return stored;
      });
      await clock.advance(1_000);
      expect(calls).toEqual([]);
      await finish();
    });

    it("reconciles, once the response names our version, a change someone made while the write was in flight", async () => {
      const { clock, server, controller, calls, finish } = await running();
      await controller.ownWrite(widget("a"), async () => {
        server.put(widget("a", 5, "someone else"));
        await clock.advance(500);
        const stored = server.put(widget("a", 6));
        await clock.advance(500);
        expect(calls).toEqual([]); // both events held
        return stored;
      });
      await clock.advance(1_000);
      expect(calls).toEqual(["a"]);
      await finish();
    });

    it("reconciles the events held during a write that failed", async () => {
      const { clock, server, controller, calls, finish } = await running();
      await expect(
        controller.ownWrite(widget("a"), async () => {
          server.put(widget("a", 7, "someone else"));
          await clock.advance(500);
          throw new Error("conflict");
        }),
      ).rejects.toThrow("conflict");
      await clock.advance(1_000);
      expect(calls).toEqual(["a"]);
      await finish();
    });

    it("is an option: without it, ownWrite() refuses and every event is reconciled", async () => {
      const { controller } = setup(async () => {});
      await expect(controller.ownWrite(widget("a"), async () => widget("a"))).rejects.toThrow(
        "controller widgets: ownWrite() needs the ignoreOwnWrites option",
      );
    });
  });
});
