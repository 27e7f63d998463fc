import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "../apis/meta.ts";
import { KubeApiError } from "./errors.ts";
import type { EventObject, EventSeries } from "./event-object.ts";
import { EventRecorder, type EventRecorderOptions, type EventSink } from "./events.ts";
import { FakeClock } from "./testing/fake-clock.ts";
import { MemoryLogger } from "./testing/memory-logger.ts";

class FakeSink implements EventSink {
  readonly events = new Map<string, EventObject>();
  readonly calls: string[] = [];
  failNext: unknown[] = [];

  async create(event: EventObject): Promise<EventObject> {
    this.calls.push("create");
    const error = this.failNext.shift();
    if (error) throw error;
    const key = `${event.metadata.namespace}/${event.metadata.name}`;
    if (this.events.has(key)) throw new KubeApiError(409, "AlreadyExists", "exists", "POST");
    this.events.set(key, structuredClone(event));
    return event;
  }

  async patchSeries(namespace: string, name: string, series: EventSeries): Promise<unknown> {
    this.calls.push("patch");
    const error = this.failNext.shift();
    if (error) throw error;
    const event = this.events.get(`${namespace}/${name}`);
    if (!event) throw new KubeApiError(404, "NotFound", "not found", "PATCH");
    event.series = { ...series };
    return event;
  }

  list(): EventObject[] {
    return [...this.events.values()];
  }
}

const policy: KubeObject = {
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterImagePolicy",
  metadata: { name: "p", uid: "uid-1" },
};
const namespaced: KubeObject = {
  apiVersion: "config.openshift.io/v1",
  kind: "ImagePolicy",
  metadata: { name: "q", namespace: "team-a", uid: "uid-2" },
};

function setup(options: Partial<EventRecorderOptions> = {}) {
  const clock = new FakeClock();
  const sink = new FakeSink();
  const logger = new MemoryLogger();
  const recorder = new EventRecorder({
    sink,
    reportingController: "image-policy.dev/imagepolicy",
    reportingInstance: "pod-1",
    clock,
    logger,
    ...options,
  });
  return { clock, sink, recorder, logger };
}

describe("EventRecorder", () => {
  it("writes an events.k8s.io/v1 Event about the object", async () => {
    const { sink, recorder } = setup();
    recorder.event(namespaced, {
      type: "Warning",
      reason: "ConflictingScopes",
      note: "scope x",
      action: "Render",
    });
    await recorder.flush();
    const [event] = sink.list();
    expect(event).toMatchObject({
      apiVersion: "events.k8s.io/v1",
      kind: "Event",
      metadata: { namespace: "team-a" },
      eventTime: "2026-01-01T00:00:00.000000Z",
      reportingController: "image-policy.dev/imagepolicy",
      reportingInstance: "pod-1",
      action: "Render",
      reason: "ConflictingScopes",
      note: "scope x",
      type: "Warning",
      regarding: {
        apiVersion: "config.openshift.io/v1",
        kind: "ImagePolicy",
        namespace: "team-a",
        name: "q",
        uid: "uid-2",
      },
    });
    expect(event?.metadata.name).toMatch(/^q\.[0-9a-f]+$/);
    expect(event?.series).toBeUndefined();
  });

  it("puts events about cluster-scoped objects in the default namespace", async () => {
    const { sink, recorder } = setup();
    recorder.event(policy, { type: "Normal", reason: "Applied", note: "ok" });
    await recorder.flush();
    expect(sink.list()[0]?.metadata.namespace).toBe("default");
    expect(sink.list()[0]?.action).toBe("Reconcile");
  });

  it("counts repeats within the window in series instead of new Events", async () => {
    const { clock, sink, recorder } = setup();
    for (let i = 0; i < 5; i++) {
      recorder.event(policy, { type: "Warning", reason: "Invalid", note: "bad key" });
      await clock.advance(30_000);
    }
    await recorder.flush();
    expect(sink.list()).toHaveLength(1);
    expect(sink.list()[0]?.series).toEqual({ count: 5, lastObservedTime: "2026-01-01T00:02:00.000000Z" });
    expect(sink.calls).toEqual(["create", "patch", "patch", "patch", "patch"]);
  });

  it("starts a new Event for a different note, reason, type or object, or after the window", async () => {
    const { clock, sink, recorder } = setup({ dedupWindowMs: 60_000 });
    recorder.event(policy, { type: "Warning", reason: "Invalid", note: "a" });
    recorder.event(policy, { type: "Warning", reason: "Invalid", note: "b" });
    recorder.event(policy, { type: "Warning", reason: "Other", note: "a" });
    recorder.event(policy, { type: "Normal", reason: "Invalid", note: "a" });
    recorder.event(namespaced, { type: "Warning", reason: "Invalid", note: "a" });
    await recorder.flush();
    expect(sink.list()).toHaveLength(5);
    await clock.advance(60_001);
    recorder.event(policy, { type: "Warning", reason: "Invalid", note: "a" });
    await recorder.flush();
    expect(sink.list()).toHaveLength(6);
    expect(sink.list().every((e) => e.series === undefined)).toBe(true);
  });

  it("rate limits writes per object and carries the count into the next allowed write", async () => {
    const { clock, sink, recorder } = setup({ rateLimit: { burst: 3, refillIntervalMs: 60_000 } });
    for (let i = 0; i < 10; i++) {
      recorder.event(policy, { type: "Warning", reason: "Invalid", note: "x" });
      await recorder.flush();
    }
    expect(sink.calls).toEqual(["create", "patch", "patch"]);
    expect(recorder.dropped).toBe(7);
    expect(sink.list()[0]?.series?.count).toBe(3);
    // Another object has its own bucket.
    recorder.event(namespaced, { type: "Warning", reason: "Invalid", note: "x" });
    await recorder.flush();
    expect(sink.calls).toHaveLength(4);
    await clock.advance(60_000);
    recorder.event(policy, { type: "Warning", reason: "Invalid", note: "x" });
    await recorder.flush();
    expect(sink.list().find((e) => e.regarding.name === "p")?.series?.count).toBe(11);
  });

  it("folds occurrences that arrive while a write is pending into that write", async () => {
    const { sink, recorder } = setup();
    for (let i = 0; i < 10; i++) recorder.event(policy, { type: "Warning", reason: "Invalid", note: "x" });
    await recorder.flush();
    expect(sink.calls).toEqual(["create"]);
    expect(sink.list()[0]?.series?.count).toBe(10);
  });

  it("never throws into the caller; logs failed writes", async () => {
    const { sink, recorder, logger } = setup();
    sink.failNext.push(new Error("connect ECONNREFUSED"));
    expect(() => recorder.event(policy, { type: "Normal", reason: "Applied", note: "ok" })).not.toThrow();
    await recorder.flush();
    expect(sink.list()).toHaveLength(0);
    expect(logger.messages("warn")).toContain("writing an event failed");
    // The occurrence is not lost: the next one creates the Event with both counted.
    recorder.event(policy, { type: "Normal", reason: "Applied", note: "ok" });
    await recorder.flush();
    expect(sink.list()[0]?.series?.count).toBe(2);
  });

  it("creates a new Event when the series' Event has expired", async () => {
    const { sink, recorder } = setup();
    recorder.event(policy, { type: "Normal", reason: "Applied", note: "ok" });
    await recorder.flush();
    sink.events.clear(); // the API server's event TTL
    recorder.event(policy, { type: "Normal", reason: "Applied", note: "ok" });
    await recorder.flush();
    expect(sink.calls).toEqual(["create", "patch", "create"]);
    expect(sink.list()[0]?.series?.count).toBe(2);
  });

  it("cuts the note to 1 KiB and long fields to 128 characters", async () => {
    const { sink, recorder } = setup();
    recorder.event(policy, {
      type: "Normal",
      reason: "R".repeat(300),
      note: "é".repeat(1000),
      action: "A".repeat(200),
    });
    await recorder.flush();
    const event = sink.list()[0];
    expect(Buffer.byteLength(event?.note ?? "")).toBeLessThanOrEqual(1024);
    expect(event?.note?.endsWith("...")).toBe(true);
    expect(event?.note).not.toContain("\uFFFD");
    expect(event?.reason).toHaveLength(128);
    expect(event?.action).toHaveLength(128);
  });
});
