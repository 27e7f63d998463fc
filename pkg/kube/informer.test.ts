import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "../apis/meta.ts";
import { KubeApiError } from "./errors.ts";
import { SharedInformer, type InformerOptions } from "./informer.ts";
import { objectKey } from "./store.ts";
import { FakeClock, flushPromises } from "./testing/fake-clock.ts";
import { FakeListerWatcher } from "./testing/fake-lister-watcher.ts";
import { MemoryLogger } from "./testing/memory-logger.ts";

interface Widget extends KubeObject {
  spec?: { size: number };
}

function widget(name: string, size = 1, namespace?: string): Widget {
  return { apiVersion: "test/v1", kind: "Widget", metadata: { name, namespace }, spec: { size } };
}

type Delivered = string;

function setup(options: InformerOptions = {}) {
  const clock = new FakeClock();
  const server = new FakeListerWatcher<Widget>();
  const logger = new MemoryLogger();
  const informer = new SharedInformer(server, {
    clock,
    logger,
    backoff: { initialMs: 1000, maxMs: 8000, jitter: 0 },
    idleTimeoutMs: 60_000,
    watchTimeoutSeconds: () => 300,
    ...options,
  });
  const events: Delivered[] = [];
  informer.addEventHandler({
    onAdd: (o, initial) => events.push(`add ${objectKey(o)}${initial ? " (initial)" : ""}`),
    onUpdate: (old, o) =>
      events.push(
        old === o ? `resync ${objectKey(o)}` : `update ${objectKey(o)} ${old.spec?.size}->${o.spec?.size}`,
      ),
    onDelete: (o, unknown) => events.push(`delete ${objectKey(o)}${unknown ? " (final state unknown)" : ""}`),
  });
  return { clock, server, informer, events, logger };
}

function listsAndWatches(server: FakeListerWatcher<Widget>): string[] {
  return server.calls.map((c) => (c.kind === "list" ? "list" : `watch@${c.resourceVersion}`));
}

describe("SharedInformer", () => {
  it("lists, delivers the initial objects, then reports synced", async () => {
    const { server, informer, events } = setup();
    server.put(widget("a"));
    server.put(widget("b", 1, "ns"));
    const synced = informer.waitForSync();
    expect(informer.hasSynced()).toBe(false);
    informer.start();
    expect(await synced).toBe(true);
    expect(events).toEqual(["add a (initial)", "add ns/b (initial)"]);
    expect(informer.list().map(objectKey)).toEqual(["a", "ns/b"]);
    expect(informer.list("ns").map(objectKey)).toEqual(["ns/b"]);
    expect(informer.get("b", "ns")?.spec?.size).toBe(1);
    expect(listsAndWatches(server)).toEqual(["list", "watch@102"]);
    await informer.stop();
  });

  it("applies watch events to the cache and delivers add, update and delete", async () => {
    const { server, informer, events } = setup();
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    server.put(widget("a", 1));
    server.put(widget("a", 2));
    server.remove("a");
    await flushPromises();
    expect(events).toEqual(["add a", "update a 1->2", "delete a"]);
    expect(informer.get("a")).toBeUndefined();
    expect(informer.lastSyncResourceVersion).toBe("103");
    await informer.stop();
  });

  it("drops an event that repeats the cached resourceVersion", async () => {
    const { server, informer, events } = setup();
    const stored = server.put(widget("a"));
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    server.objects.set("a", stored);
    // e.g. a watch restarted from an older resourceVersion replays it
    server.put(stored);
    await flushPromises();
    expect(events).toEqual(["add a (initial)", "update a 1->1"]);
    await informer.stop();
  });

  it("watches again from the last resourceVersion (bookmarks included) when the server ends the watch", async () => {
    const { clock, server, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    server.put(widget("a"));
    server.resourceVersion = 150; // other resources' writes
    server.bookmark();
    await clock.advance(5_000);
    server.endWatch();
    await flushPromises();
    expect(listsAndWatches(server)).toEqual(["list", "watch@100", "watch@150"]);
    await informer.stop();
  });

  it("after a broken watch, relists and delivers what changed while it was down", async () => {
    const { clock, server, informer, events } = setup();
    server.put(widget("same"));
    server.put(widget("changed", 1));
    server.put(widget("gone"));
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    events.length = 0;
    server.deliver = false; // the connection is dead; changes happen meanwhile
    server.put(widget("changed", 2));
    server.remove("gone");
    server.put(widget("new"));
    server.endWatch(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }));
    server.deliver = true;
    await flushPromises();
    expect(events).toEqual([]); // backing off
    await clock.advance(1000);
    expect(events).toEqual(["delete gone (final state unknown)", "add new", "update changed 1->2"]);
    expect(informer.list().map(objectKey)).toEqual(["changed", "new", "same"]);
    expect(listsAndWatches(server)).toEqual(["list", "watch@103", "list", "watch@106"]);
    await informer.stop();
  });

  it("backs off exponentially while the server is unreachable and converges when it is back", async () => {
    const { clock, server, informer, events } = setup();
    server.put(widget("a"));
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    server.reachable = false;
    server.endWatch(new Error("socket hang up"));
    const listTimes: number[] = [];
    const start = clock.now();
    for (let t = 0; t < 40_000; t += 100) {
      const before = server.calls.length;
      await clock.advance(100);
      if (server.calls.slice(before).some((c) => c.kind === "list")) listTimes.push(clock.now() - start);
    }
    const gaps = listTimes.map((t, i) => t - (listTimes[i - 1] ?? 0));
    expect(gaps).toEqual([1000, 2000, 4000, 8000, 8000, 8000, 8000]);
    server.put(widget("a", 2));
    server.reachable = true;
    await clock.advance(8000);
    expect(events).toContain("update a 1->2");
    expect(informer.get("a")?.spec?.size).toBe(2);
    // Events reset the back-off: the next failure waits the initial delay again.
    server.put(widget("a", 3));
    await flushPromises();
    const listsBefore = server.calls.filter((c) => c.kind === "list").length;
    server.endWatch(new Error("reset"));
    await clock.advance(1000);
    expect(server.calls.filter((c) => c.kind === "list").length).toBe(listsBefore + 1);
    await informer.stop();
  });

  it("relists at once after 410 Gone, and after a back-off after other watch ERROR events", async () => {
    const { clock, server, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    server.errorEvent({ kind: "Status", code: 410, reason: "Expired", message: "too old resource version" });
    await flushPromises();
    expect(listsAndWatches(server)).toEqual(["list", "watch@100", "list", "watch@100"]);
    server.errorEvent({ kind: "Status", code: 500, reason: "InternalError", message: "etcd is sad" });
    await flushPromises();
    expect(server.calls).toHaveLength(4);
    await clock.advance(1000);
    expect(listsAndWatches(server).slice(4)).toEqual(["list", "watch@100"]);
    await informer.stop();
  });

  it("waits at least a 429's Retry-After", async () => {
    const { clock, server, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    await clock.advance(10_000);
    server.watchErrors.push(
      new KubeApiError(429, "TooManyRequests", "slow down", "GET", { retryAfterSeconds: 5 }),
    );
    server.endWatch(); // the server's timeout: watch again at once, which is refused
    await clock.advance(1);
    expect(listsAndWatches(server)).toEqual(["list", "watch@100", "watch@100"]);
    await clock.advance(4_900);
    expect(server.calls).toHaveLength(3);
    await clock.advance(200);
    expect(server.calls.at(3)).toEqual({ kind: "list" });
    await informer.stop();
  });

  it("treats a watch that closes at once without events as a failure", async () => {
    const { clock, server, informer } = setup();
    informer.start();
    await informer.waitForSync();
    await flushPromises();
    server.endWatch(); // immediately, no events
    await flushPromises();
    expect(server.calls).toHaveLength(2);
    await clock.advance(1000);
    expect(listsAndWatches(server)).toEqual(["list", "watch@100", "list", "watch@100"]);
    await informer.stop();
  });

  it("restarts a watch that has been silent for the idle timeout, without relisting", async () => {
    const { clock, server, informer } = setup({ idleTimeoutMs: 60_000 });
    informer.start();
    await informer.waitForSync();
    await clock.advance(59_000);
    expect(server.calls).toHaveLength(2);
    await clock.advance(1_000);
    expect(listsAndWatches(server)).toEqual(["list", "watch@100", "watch@100"]);
    await informer.stop();
  });

  it("re-delivers every cached object as an update each resync period", async () => {
    const { clock, server, informer, events } = setup({ resyncPeriodMs: 30_000, idleTimeoutMs: 1e9 });
    server.put(widget("a"));
    server.put(widget("b"));
    informer.start();
    await informer.waitForSync();
    events.length = 0;
    await clock.advance(30_000);
    expect(events).toEqual(["resync a", "resync b"]);
    await clock.advance(30_000);
    expect(events).toHaveLength(4);
    await informer.stop();
  });

  it("replays the cache to a handler added after sync, and isolates a throwing handler", async () => {
    const { server, informer, events, logger } = setup();
    server.put(widget("a"));
    informer.start();
    await informer.waitForSync();
    const late: string[] = [];
    informer.addEventHandler({
      onAdd: () => {
        throw new Error("boom");
      },
    });
    const remove = informer.addEventHandler({
      onAdd: (o, initial) => late.push(`${objectKey(o)} ${initial}`),
    });
    expect(late).toEqual(["a true"]);
    await flushPromises();
    server.put(widget("b"));
    await flushPromises();
    expect(late).toEqual(["a true", "b false"]);
    expect(events).toEqual(["add a (initial)", "add b"]);
    expect(logger.messages("error")).toContain("event handler failed");
    remove();
    server.put(widget("c"));
    await flushPromises();
    expect(late).toHaveLength(2);
    await informer.stop();
  });

  it("delivers nothing after stop(); waitForSync() is false when stopped before syncing", async () => {
    const { server, informer, events } = setup();
    server.reachable = false;
    informer.start();
    const synced = informer.waitForSync();
    await flushPromises();
    await informer.stop();
    expect(await synced).toBe(false);
    server.reachable = true;
    server.put(widget("a"));
    await flushPromises();
    expect(events).toEqual([]);
    expect(informer.running).toBe(false);
  });
});
