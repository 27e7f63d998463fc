// A controller: informers' events → keys in a work queue → reconcile(key) by a few workers, with
// a log line, a trace ID and metrics per reconcile — controller-runtime's Controller, small.
//
//  - watch(informer, keys?) maps every add/update/delete of an informer to keys (default the
//    object's own "namespace/name"); a controller for derived objects maps them to their owner's key.
//    Handlers are registered when run() starts, so the informers' existing objects are enqueued
//    then (one reconcile of everything at the start of each leadership term).
//  - run(signal) waits until every watched informer has synced before the first reconcile, then
//    processes keys until stopped; `synced` (for readiness) turns true at that point.
//  - reconcile(key, ctx) resolving → the key's back-off is reset (forget); with {requeueAfterMs}
//    it is queued again after that delay. Throwing → the key is retried with per-key exponential
//    back-off. A key is never reconciled twice at once (workqueue.ts).
//  - with ignoreOwnWrites, writes made through ownWrite(object, request) are remembered, and the
//    watch events they cause (the object as the write left it) enqueue nothing (own-writes.ts).
//  - shutdown() is the graceful stop: no new events are taken, keys already waiting are still
//    reconciled (drain), in-flight reconciles finish, then run() resolves. Aborting run's `signal`
//    is the hard stop (leadership lost): in-flight reconciles see their signal abort and no new
//    reconcile starts.
import crypto from "node:crypto";
import type { Registry } from "prom-client";
import type { KubeObject } from "../apis/meta.ts";
import { realClock, type Clock } from "./clock.ts";
import type { SharedInformer } from "./informer.ts";
import { discardLogger, errorFields, type Logger } from "./logging.ts";
import { controllerMetrics, type ControllerMetrics } from "./metrics.ts";
import { OwnWrites } from "./own-writes.ts";
import { objectKey, splitObjectKey } from "./store.ts";
import { WorkQueue, type WorkQueueOptions } from "./workqueue.ts";

export interface ReconcileContext {
  /** Aborts when the controller stops hard (leadership lost); pass it to API calls. */
  signal: AbortSignal;
  /** Carries controller, reconcileID and object. */
  logger: Logger;
  reconcileID: string;
  /** Consecutive failures of this key before this attempt. */
  retries: number;
}

export interface ReconcileResult {
  /** Reconcile this key again after this long (e.g. to poll something outside the cluster). */
  requeueAfterMs?: number;
}

export type Reconciler = (key: string, context: ReconcileContext) => Promise<ReconcileResult | void>;

/** Maps an object of a watched informer to the keys to reconcile. */
export type KeyMapper<T> = (object: T) => Iterable<string>;

export interface ControllerOptions {
  /** Names the controller in logs and metrics ("imagepolicy"). */
  name: string;
  reconcile: Reconciler;
  /** Concurrent reconciles (of different keys); default 1. */
  workers?: number;
  /** The kind the keys name, for the `object` field of log lines. */
  kind?: string;
  /** Debounce, max wait and back-off of the queue. */
  queue?: Omit<WorkQueueOptions, "clock" | "hooks">;
  registry?: Registry;
  logger?: Logger;
  clock?: Clock;
  /**
   * The watch events of the controller's own writes (made through ownWrite()) enqueue nothing: a
   * controller that reconciles everything from its caches need not react to what it just wrote.
   */
  ignoreOwnWrites?: boolean;
}

interface Source {
  informer: SharedInformer<KubeObject>;
  keys: KeyMapper<KubeObject>;
}

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  readonly #options: ControllerOptions;
  readonly #logger: Logger;
  readonly #metrics: ControllerMetrics | undefined;
  readonly #clock: Clock;
  readonly #sources: Source[] = [];
  readonly #unsubscribe: (() => void)[] = [];
  readonly #stopping = new AbortController();
  readonly #ownWrites: OwnWrites | undefined;
  #synced = false;
  #running: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#logger = (options.logger ?? discardLogger).child({ controller: options.name });
    this.#metrics = options.registry ? controllerMetrics(options.registry) : undefined;
    this.#ownWrites = options.ignoreOwnWrites
      ? new OwnWrites((keys) => {
          for (const key of keys) this.queue.add(key);
        })
      : undefined;
    const metrics = this.#metrics;
    const labels = { name: options.name };
    this.queue = new WorkQueue({
      ...options.queue,
      clock: this.#clock,
      hooks: metrics
        ? {
            depth: (depth) => metrics.queueDepth.set(labels, depth),
            added: () => metrics.queueAdds.inc(labels),
            retried: () => metrics.queueRetries.inc(labels),
          }
        : {},
    });
  }

  /** Reconcile the keys `keys` maps each changed object of `informer` to (default: its own key). */
  watch<T extends KubeObject>(informer: SharedInformer<T>, keys?: KeyMapper<T>): this {
    if (this.#running) throw new Error(`controller ${this.name}: watch() after run()`);
    this.#sources.push({
      // A mapper of T only ever receives this informer's T objects.
      informer: informer as unknown as SharedInformer<KubeObject>,
      keys: (keys ?? ((object: T) => [objectKey(object)])) as KeyMapper<KubeObject>,
    });
    return this;
  }

  /** Queue a key from outside the watched informers (debounced like events). */
  enqueue(key: string): void {
    this.queue.add(key);
  }

  /**
   * Runs `request`, a write of `object` by this controller, so that the watch event it causes enqueues
   * nothing (the ignoreOwnWrites option); returns what the request returns (the written object).
   */
  ownWrite<T extends KubeObject>(object: KubeObject, request: () => Promise<T>): Promise<T> {
    if (!this.#ownWrites) {
      return Promise.reject(
        new Error(`controller ${this.name}: ownWrite() needs the ignoreOwnWrites option`),
      );
    }
    return this.#ownWrites.write(object, request);
  }

  /** Whether every watched informer had synced and workers started (readiness). */
  get synced(): boolean {
    return this.#synced;
  }

  /** Processes keys until shutdown() has drained the queue or `signal` aborts. Once per Controller. */
  run(signal: AbortSignal): Promise<void> {
    if (this.#running) return Promise.reject(new Error(`controller ${this.name}: run() may be called once`));
    this.#running = this.#run(signal);
    return this.#running;
  }

  async #run(signal: AbortSignal): Promise<void> {
    const onAbort = (): void => this.queue.shutDown();
    signal.addEventListener("abort", onAbort, { once: true });
    try {
      for (const source of this.#sources) {
        const enqueue = (object: KubeObject): void => {
          const keys = [...source.keys(object)];
          if (this.#ownWrites?.ours(object, keys)) return;
          for (const key of keys) this.queue.add(key);
        };
        this.#unsubscribe.push(
          source.informer.addEventHandler({
            onAdd: enqueue,
            onUpdate: (_old, object) => enqueue(object),
            onDelete: enqueue,
          }),
        );
      }
      const syncSignal = AbortSignal.any([signal, this.#stopping.signal]);
      const synced = await Promise.all(this.#sources.map((s) => s.informer.waitForSync(syncSignal)));
      if (!synced.every(Boolean) || syncSignal.aborted) {
        this.#logger.info("stopped before the informers synced");
        return;
      }
      this.#synced = true;
      const workers = Math.max(1, this.#options.workers ?? 1);
      this.#logger.info("starting workers", { workers });
      await Promise.all(Array.from({ length: workers }, () => this.#worker(signal)));
      this.#logger.info("all workers finished");
    } finally {
      this.#stopWatching();
      signal.removeEventListener("abort", onAbort);
      this.queue.shutDown();
      this.#synced = false;
    }
  }

  /** Graceful stop: take no new events, reconcile what is queued, then let run() resolve. */
  async shutdown(): Promise<void> {
    this.#stopWatching();
    this.#stopping.abort();
    this.queue.shutDown();
    await this.#running;
  }

  #stopWatching(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
  }

  async #worker(signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        if (!signal.aborted) await this.#process(key, signal);
      } finally {
        this.queue.done(key);
      }
    }
  }

  async #process(key: string, signal: AbortSignal): Promise<void> {
    const reconcileID = crypto.randomUUID();
    const { namespace, name } = splitObjectKey(key);
    const object: Record<string, string> = { name };
    if (this.#options.kind) object.kind = this.#options.kind;
    if (namespace) object.namespace = namespace;
    const logger = this.#logger.child({ reconcileID, object });
    const retries = this.queue.numRequeues(key);
    const labels = { controller: this.name };
    const startedMs = this.#clock.now();
    const stopTimer = this.#metrics?.reconcileTime.startTimer(labels);
    this.#metrics?.activeWorkers.inc(labels);
    logger.debug("reconciling", { retries });
    try {
      const result = await this.#options.reconcile(key, { signal, logger, reconcileID, retries });
      const durationMs = this.#clock.now() - startedMs;
      this.queue.forget(key);
      const requeueAfterMs = result?.requeueAfterMs;
      if (requeueAfterMs !== undefined && requeueAfterMs >= 0) {
        this.queue.addAfter(key, requeueAfterMs);
        this.#metrics?.reconcileTotal.inc({ ...labels, result: "requeue_after" });
        logger.debug("reconciled; requeued", { durationMs, requeueAfterMs });
      } else {
        this.#metrics?.reconcileTotal.inc({ ...labels, result: "success" });
        logger.debug("reconciled", { durationMs });
      }
    } catch (error) {
      const durationMs = this.#clock.now() - startedMs;
      this.#metrics?.reconcileTotal.inc({ ...labels, result: "error" });
      this.#metrics?.reconcileErrors.inc(labels);
      if (signal.aborted) {
        logger.info("reconcile interrupted by shutdown", { durationMs, err: errorFields(error) });
        return;
      }
      this.queue.addRateLimited(key);
      logger.error("reconcile failed; will retry", {
        durationMs,
        retries: retries + 1,
        err: errorFields(error),
      });
    } finally {
      stopTimer?.();
      this.#metrics?.activeWorkers.dec(labels);
    }
  }
}
