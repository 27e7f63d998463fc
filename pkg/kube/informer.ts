// A shared informer: an in-memory cache of one resource, kept current by LIST then WATCH, with
// event handlers. It does what client-go's reflector + DeltaFIFO + sharedIndexInformer do, and
// unlike client-node's informer it never gives up.
//
// Semantics
//  - start(): LIST (paginated, resourceVersion "" = the latest state from etcd), then WATCH from the
//    list's resourceVersion with allowWatchBookmarks and a server-side timeout of 5–10 min
//    (randomised like client-go's, so replicas don't reconnect in step).
//  - The first LIST fills the cache and delivers onAdd(object, true) for every object; hasSynced()
//    is true and waitForSync() resolves only after those handlers ran.
//  - Watch events update the cache, then handlers run: ADDED/MODIFIED → onAdd (not cached) or
//    onUpdate(old, new) (cached; an event repeating the cached resourceVersion is dropped);
//    DELETED → onDelete(last state, false); BOOKMARK only advances the resourceVersion.
//  - The watch ending cleanly (server timeout) → watch again from the last resourceVersion seen.
//    A watch that ends in under a second without events counts as a failure (client-go's "very
//    short watch"), so a server that keeps closing at once cannot make us spin.
//  - No event at all for `idleTimeoutMs` (5 min, the client-side watch timeout) → the connection
//    may be half-open: watch again from the last resourceVersion (no relist). kube-apiserver sends
//    bookmarks only for resources with recent writes (none came in 75 s on a quiet CRD), so on a
//    quiet resource this simply renews the watch every 5 min. (client-node 2.0's Watch cuts a watch
//    after 30 s without data, and its informer's reconnect back-off can then delay events.)
//  - Any failure — LIST or WATCH request errors (connection refused/reset, 429, 5xx, 403…), a watch
//    ERROR event, a broken stream — → wait an exponential back-off with jitter (800 ms … 30 s by
//    default, at least a 429's Retry-After; reset by the next event received), then relist.
//    410 Gone (resourceVersion compacted away) relists at once the first time.
//  - A relist is diffed against the cache (store.ts): onAdd for new objects, onUpdate(old, new) for
//    objects whose resourceVersion changed, onDelete(last known state, true) for objects that
//    vanished while disconnected (client-go's DeletedFinalStateUnknown); unchanged objects are
//    not re-delivered.
//  - Every `resyncPeriodMs` (0 = never, the default) after the first sync, every cached object is
//    re-delivered as onUpdate(object, object) — same object, same resourceVersion — a safety net
//    for controllers whose earlier reconcile failed silently.
//  - Handlers run synchronously, in registration order, after the cache has changed; they must not
//    block (enqueue a key, don't reconcile) and must not mutate the objects, which are the cache's
//    own. A handler that throws is logged and does not affect the others. A handler added after
//    the first sync is given onAdd(object, true) for every cached object first.
//  - stop() aborts the watch, ends the loop and delivers nothing more.
import type { KubeObject } from "../apis/meta.ts";
import { Backoff, type BackoffOptions } from "./backoff.ts";
import type { ResourceClient, WatchEvent } from "./client.ts";
import { realClock, sleep, type Clock, type TimerHandle } from "./clock.ts";
import { KubeApiError, isGone, isTooManyRequests } from "./errors.ts";
import { discardLogger, errorFields, type Logger } from "./logging.ts";
import { diffRelist, objectKey, ObjectStore } from "./store.ts";

/** The two calls an informer makes; listerWatcherFor() makes them against the API server. */
export interface ListerWatcher<T> {
  list(signal: AbortSignal): Promise<{ items: T[]; resourceVersion: string }>;
  watch(options: {
    resourceVersion: string;
    timeoutSeconds: number;
    signal: AbortSignal;
  }): AsyncIterable<WatchEvent<T>>;
}

/** Which objects of a resource an informer holds. */
export interface InformerScope {
  /** Only this namespace (namespaced resources); default all. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export function listerWatcherFor<T extends KubeObject>(
  resource: ResourceClient<T>,
  scope: InformerScope = {},
  pageSize = 500,
): ListerWatcher<T> {
  return {
    list: (signal) => resource.listAll({ ...scope, pageSize, signal }),
    watch: ({ resourceVersion, timeoutSeconds, signal }) =>
      resource.watch({ ...scope, resourceVersion, timeoutSeconds, allowWatchBookmarks: true, signal }),
  };
}

export interface InformerEventHandler<T> {
  /** `inInitialList`: delivered by the first LIST (or the replay to a late handler). */
  onAdd?(object: T, inInitialList: boolean): void;
  /** On resync, `oldObject === newObject`. */
  onUpdate?(oldObject: T, newObject: T): void;
  /** `finalStateUnknown`: the deletion was inferred by a relist; `object` is its last known state. */
  onDelete?(object: T, finalStateUnknown: boolean): void;
}

export interface InformerOptions {
  /** For logs; default "informer". */
  name?: string;
  /** Re-deliver every cached object as an update this often; 0 (default) never. */
  resyncPeriodMs?: number;
  backoff?: BackoffOptions;
  /** Server-side watch timeout per watch request; default random 300–600 s. */
  watchTimeoutSeconds?: () => number;
  /** Restart a watch that delivered nothing (not even a bookmark) for this long; default 5 min. */
  idleTimeoutMs?: number;
  clock?: Clock;
  logger?: Logger;
}

/** Counters, for tests and debugging. */
export interface InformerStats {
  lists: number;
  watches: number;
  failures: number;
}

class IdleTimeout extends Error {}

export class SharedInformer<T extends KubeObject = KubeObject> {
  readonly name: string;
  readonly #listerWatcher: ListerWatcher<T>;
  readonly #store = new ObjectStore<T>();
  readonly #handlers = new Set<InformerEventHandler<T>>();
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #backoff: Backoff;
  readonly #resyncPeriodMs: number;
  readonly #watchTimeoutSeconds: () => number;
  readonly #idleTimeoutMs: number;
  readonly #stats: InformerStats = { lists: 0, watches: 0, failures: 0 };
  readonly #syncWaiters = new Set<(synced: boolean) => void>();
  #resourceVersion = "";
  #synced = false;
  #stopped = false;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;
  #resyncTimer: TimerHandle | undefined;

  constructor(listerWatcher: ListerWatcher<T>, options: InformerOptions = {}) {
    this.name = options.name ?? "informer";
    this.#listerWatcher = listerWatcher;
    this.#clock = options.clock ?? realClock;
    this.#logger = (options.logger ?? discardLogger).child({ informer: this.name });
    this.#backoff = new Backoff(options.backoff);
    this.#resyncPeriodMs = options.resyncPeriodMs ?? 0;
    this.#watchTimeoutSeconds = options.watchTimeoutSeconds ?? (() => Math.floor(300 * (1 + Math.random())));
    this.#idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
  }

  /** Starts listing and watching (once; a stopped informer stays stopped). */
  start(): void {
    if (this.#abort || this.#stopped) return;
    this.#abort = new AbortController();
    this.#loop = this.#run(this.#abort.signal);
  }

  /** Stops watching; resolves when the loop has ended. No handler runs afterwards. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#abort?.abort();
    if (this.#resyncTimer !== undefined) this.#clock.clearTimeout(this.#resyncTimer);
    this.#resyncTimer = undefined;
    for (const waiter of this.#syncWaiters) waiter(false);
    this.#syncWaiters.clear();
    await this.#loop;
  }

  get running(): boolean {
    return this.#abort !== undefined && !this.#stopped;
  }

  /** Whether the first LIST has been delivered. */
  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves true once synced; false if `signal` aborts or the informer stops first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.#synced) return Promise.resolve(true);
    if (this.#stopped || signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter = (synced: boolean): void => {
        signal?.removeEventListener("abort", onAbort);
        this.#syncWaiters.delete(waiter);
        resolve(synced);
      };
      const onAbort = (): void => waiter(false);
      this.#syncWaiters.add(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** The resourceVersion of the last LIST or event. */
  get lastSyncResourceVersion(): string {
    return this.#resourceVersion;
  }

  get stats(): Readonly<InformerStats> {
    return { ...this.#stats };
  }

  get(name: string, namespace?: string): T | undefined {
    return this.#store.get(name, namespace);
  }

  getByKey(key: string): T | undefined {
    return this.#store.getByKey(key);
  }

  /** Cached objects (of one namespace), sorted by key. Read-only: they are the cache's own. */
  list(namespace?: string): T[] {
    return this.#store.list(namespace);
  }

  keys(): string[] {
    return this.#store.keys();
  }

  /** Registers handlers; returns a function that removes them. */
  addEventHandler(handler: InformerEventHandler<T>): () => void {
    this.#handlers.add(handler);
    if (this.#synced) {
      for (const object of this.#store.list()) this.#call("onAdd", () => handler.onAdd?.(object, true));
    }
    return () => this.#handlers.delete(handler);
  }

  async #run(signal: AbortSignal): Promise<void> {
    let needList = true;
    let previousGone = false;
    while (!signal.aborted) {
      let delayMs = 0;
      try {
        if (needList) {
          this.#stats.lists++;
          const list = await this.#listerWatcher.list(signal);
          if (signal.aborted) break;
          this.#replace(list.items);
          this.#resourceVersion = list.resourceVersion;
          needList = false;
          this.#markSynced();
        }
        await this.#watch(signal);
        previousGone = false;
      } catch (error) {
        if (signal.aborted) break;
        this.#stats.failures++;
        needList = true;
        const gone = isGone(error);
        if (gone && !previousGone) {
          this.#logger.info("resourceVersion too old; relisting", { resourceVersion: this.#resourceVersion });
        } else {
          delayMs = this.#backoff.next();
          const retryAfterMs =
            isTooManyRequests(error) && error instanceof KubeApiError
              ? (error.details?.retryAfterSeconds ?? 0) * 1000
              : 0;
          delayMs = Math.max(delayMs, retryAfterMs);
          this.#logger.warn("list/watch failed; relisting after back-off", {
            err: errorFields(error),
            delayMs,
            attempt: this.#backoff.attempt,
          });
        }
        previousGone = gone;
      }
      if (delayMs > 0 && !(await sleep(this.#clock, delayMs, signal))) break;
    }
  }

  /** One watch, until it ends cleanly or idles out; throws on failure. */
  async #watch(signal: AbortSignal): Promise<void> {
    this.#stats.watches++;
    const watch = new AbortController();
    const onAbort = (): void => watch.abort(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let idleTimer: TimerHandle | undefined;
    const armIdleTimer = (): void => {
      if (idleTimer !== undefined) this.#clock.clearTimeout(idleTimer);
      idleTimer = this.#clock.setTimeout(() => watch.abort(new IdleTimeout()), this.#idleTimeoutMs);
    };
    const startedMs = this.#clock.now();
    let events = 0;
    try {
      armIdleTimer();
      const stream = this.#listerWatcher.watch({
        resourceVersion: this.#resourceVersion,
        timeoutSeconds: this.#watchTimeoutSeconds(),
        signal: watch.signal,
      });
      for await (const event of stream) {
        if (signal.aborted) return;
        armIdleTimer();
        if (event.type === "ERROR") {
          throw KubeApiError.fromStatus(event.object, 500, `watch ${this.name}`);
        }
        events++;
        this.#backoff.reset();
        const resourceVersion = event.object.metadata.resourceVersion;
        switch (event.type) {
          case "ADDED":
          case "MODIFIED":
            this.#upsert(event.object);
            break;
          case "DELETED":
            this.#remove(event.object);
            break;
          case "BOOKMARK":
            break;
        }
        if (resourceVersion) this.#resourceVersion = resourceVersion;
      }
      if (signal.aborted) return;
      if (events === 0 && this.#clock.now() - startedMs < 1000) {
        throw new Error(`watch ${this.name} closed at once without events`);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (watch.signal.reason instanceof IdleTimeout) {
        this.#logger.info("watch idle; restarting it", { idleTimeoutMs: this.#idleTimeoutMs });
        return;
      }
      throw error;
    } finally {
      if (idleTimer !== undefined) this.#clock.clearTimeout(idleTimer);
      signal.removeEventListener("abort", onAbort);
      watch.abort();
    }
  }

  #upsert(object: T): void {
    const key = objectKey(object);
    const old = this.#store.getByKey(key);
    if (old && old.metadata.resourceVersion === object.metadata.resourceVersion) return;
    this.#store.set(object);
    if (old) this.#dispatch("onUpdate", (h) => h.onUpdate?.(old, object));
    else this.#dispatch("onAdd", (h) => h.onAdd?.(object, false));
  }

  #remove(object: T): void {
    const key = objectKey(object);
    if (!this.#store.getByKey(key)) return;
    this.#store.delete(key);
    this.#dispatch("onDelete", (h) => h.onDelete?.(object, false));
  }

  #replace(items: T[]): void {
    const diff = diffRelist(this.#store.entries(), items);
    const initial = !this.#synced;
    for (const old of diff.deleted) {
      this.#store.delete(objectKey(old));
      this.#dispatch("onDelete", (h) => h.onDelete?.(old, true));
    }
    for (const object of diff.added) {
      this.#store.set(object);
      this.#dispatch("onAdd", (h) => h.onAdd?.(object, initial));
    }
    for (const [old, object] of diff.updated) {
      this.#store.set(object);
      this.#dispatch("onUpdate", (h) => h.onUpdate?.(old, object));
    }
    if (!initial) {
      this.#logger.info("relisted", {
        added: diff.added.length,
        updated: diff.updated.length,
        deleted: diff.deleted.length,
        unchanged: diff.unchanged.length,
      });
    }
  }

  #markSynced(): void {
    if (this.#synced) return;
    this.#synced = true;
    this.#logger.debug("synced", { objects: this.#store.size, resourceVersion: this.#resourceVersion });
    for (const waiter of [...this.#syncWaiters]) waiter(true);
    this.#scheduleResync();
  }

  #scheduleResync(): void {
    if (this.#resyncPeriodMs <= 0 || this.#stopped) return;
    this.#resyncTimer = this.#clock.setTimeout(() => {
      if (this.#stopped) return;
      for (const object of this.#store.list())
        this.#dispatch("onUpdate", (h) => h.onUpdate?.(object, object));
      this.#scheduleResync();
    }, this.#resyncPeriodMs);
  }

  #dispatch(kind: string, call: (handler: InformerEventHandler<T>) => void): void {
    if (this.#stopped) return;
    for (const handler of this.#handlers) this.#call(kind, () => call(handler));
  }

  #call(kind: string, call: () => void): void {
    try {
      call();
    } catch (error) {
      this.#logger.error("event handler failed", { handler: kind, err: errorFields(error) });
    }
  }
}
