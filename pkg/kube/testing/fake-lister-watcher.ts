// A scripted API server for one resource, for informer and controller unit tests: objects with
// resourceVersions, watches that replay the changes after their resourceVersion and then stream
// new ones, and switches to break the stream or fail lists and watches like an unreachable or
// overloaded server.
import type { KubeObject } from "../../apis/meta.ts";
import type { WatchEvent } from "../client.ts";
import type { Status } from "../errors.ts";
import type { ListerWatcher } from "../informer.ts";
import { objectKey } from "../store.ts";

interface ActiveWatch<T> {
  resourceVersion: string;
  push(event: WatchEvent<T>): void;
  end(error?: unknown): void;
}

export class FakeListerWatcher<T extends KubeObject> implements ListerWatcher<T> {
  readonly objects = new Map<string, T>();
  resourceVersion = 100;
  /** Calls made, in order. */
  readonly calls: ({ kind: "list" } | { kind: "watch"; resourceVersion: string })[] = [];
  /** Errors the next lists / watch requests throw, one per call. */
  readonly listErrors: unknown[] = [];
  readonly watchErrors: unknown[] = [];
  /** While false, lists and watches fail with ECONNREFUSED. */
  reachable = true;
  /** When false, changes are not sent to the open watch (as if it were broken). */
  deliver = true;
  #watch: ActiveWatch<T> | undefined;
  /** Every change, for watches that start from an older resourceVersion. */
  readonly #history: { resourceVersion: number; event: WatchEvent<T> }[] = [];

  get watching(): boolean {
    return this.#watch !== undefined;
  }

  async list(): Promise<{ items: T[]; resourceVersion: string }> {
    this.calls.push({ kind: "list" });
    this.#failIfUnreachable();
    const error = this.listErrors.shift();
    if (error) throw error;
    return {
      items: [...this.objects.values()].map((o) => structuredClone(o)),
      resourceVersion: String(this.resourceVersion),
    };
  }

  watch(options: { resourceVersion: string; signal: AbortSignal }): AsyncIterable<WatchEvent<T>> {
    this.calls.push({ kind: "watch", resourceVersion: options.resourceVersion });
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the generator below needs the fake
    const fake = this;
    return {
      async *[Symbol.asyncIterator]() {
        fake.#failIfUnreachable();
        const error = fake.watchErrors.shift();
        if (error) throw error;
        const queue: WatchEvent<T>[] = [];
        let ended: { error?: unknown } | undefined;
        let wake: (() => void) | undefined;
        const active: ActiveWatch<T> = {
          resourceVersion: options.resourceVersion,
          push(event) {
            queue.push(event);
            wake?.();
          },
          end(endError) {
            ended = { error: endError };
            wake?.();
          },
        };
        fake.#watch = active;
        // Like the API server: a watch from resourceVersion N first sees the changes after N.
        for (const entry of fake.#history) {
          if (entry.resourceVersion > Number(options.resourceVersion)) queue.push(entry.event);
        }
        const onAbort = (): void => active.end(options.signal.reason);
        options.signal.addEventListener("abort", onAbort, { once: true });
        try {
          for (;;) {
            const event = queue.shift();
            if (event) {
              yield event;
              continue;
            }
            if (ended) {
              if (ended.error !== undefined) throw ended.error;
              return;
            }
            await new Promise<void>((resolve) => (wake = resolve));
            wake = undefined;
          }
        } finally {
          options.signal.removeEventListener("abort", onAbort);
          if (fake.#watch === active) fake.#watch = undefined;
        }
      },
    };
  }

  /** Creates or replaces an object (new resourceVersion); the open watch sees ADDED/MODIFIED. */
  put(object: T): T {
    const key = objectKey(object);
    const existed = this.objects.has(key);
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(++this.resourceVersion);
    this.objects.set(key, stored);
    this.#send({ type: existed ? "MODIFIED" : "ADDED", object: structuredClone(stored) });
    return stored;
  }

  /** Deletes an object; the open watch sees DELETED. */
  remove(key: string): void {
    const object = this.objects.get(key);
    if (!object) return;
    this.objects.delete(key);
    const deleted = structuredClone(object);
    deleted.metadata.resourceVersion = String(++this.resourceVersion);
    this.#send({ type: "DELETED", object: deleted });
  }

  /** Sends a bookmark at the current resourceVersion. */
  bookmark(): void {
    this.#watch?.push({
      type: "BOOKMARK",
      object: { metadata: { resourceVersion: String(this.resourceVersion) } } as T,
    });
  }

  /** Sends an ERROR event (e.g. 410 Expired). */
  errorEvent(status: Status): void {
    this.#watch?.push({ type: "ERROR", object: status });
  }

  /** Ends the open watch: cleanly, or with `error` (a broken connection). */
  endWatch(error?: unknown): void {
    this.#watch?.end(error);
  }

  #send(event: WatchEvent<T>): void {
    this.#history.push({ resourceVersion: this.resourceVersion, event });
    if (this.deliver) this.#watch?.push(event);
  }

  #failIfUnreachable(): void {
    if (!this.reachable) {
      throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6443"), { code: "ECONNREFUSED" });
    }
  }
}
