// An event recorder writing events.k8s.io/v1 Events, with client-go's de-duplication and spam
// protection (tools/events and tools/record):
//  - The same event — same regarding object, type, reason, action and note — seen again within
//    `dedupWindowMs` (6 min, client-go's) of its last occurrence is not a new Event object: the
//    existing one gets series.count and series.lastObservedTime (a merge patch). Outside the window
//    it starts a new Event.
//  - Writes per regarding object are rate limited by a token bucket (burst 25, one token per 5 min,
//    as client-go's EventSourceObjectSpamFilter). A write refused by the limiter is not lost for a
//    series: the count keeps growing in memory and the next allowed write carries it.
//  - Writes for one event are serialised; occurrences during a write are folded into the next one.
//  - event() never throws and never waits: failures are logged. flush() waits for pending writes
//    (tests, shutdown).
// Events live in the regarding object's namespace, or "default" for cluster-scoped objects.
import type { KubeObject } from "../apis/meta.ts";
import type { ResourceClient } from "./client.ts";
import { formatMicroTime, realClock, type Clock } from "./clock.ts";
import { isAlreadyExists, isNotFound } from "./errors.ts";
import type { EventObject, EventType, ObjectReference } from "./event-object.ts";
import { discardLogger, errorFields, type Logger } from "./logging.ts";
import { TokenBucket, type TokenBucketOptions } from "./token-bucket.ts";

/** Where events are written; eventSinkFor() writes to the API server. */
export interface EventSink {
  create(event: EventObject): Promise<EventObject>;
  patchSeries(namespace: string, name: string, series: NonNullable<EventObject["series"]>): Promise<unknown>;
}

export function eventSinkFor(events: ResourceClient<EventObject>): EventSink {
  return {
    create: (event) => events.create(event),
    patchSeries: (namespace, name, series) => events.mergePatch(name, namespace, { series }),
  };
}

export interface EventInput {
  type: EventType;
  /** CamelCase, why it happened ("PolicyApplied"); at most 128 characters. */
  reason: string;
  /** Human readable; cut to 1 KiB. */
  note: string;
  /** What was done or failed ("Render", "Apply"); default "Reconcile". */
  action?: string;
  related?: ObjectReference;
}

export interface EventRecorderOptions {
  sink: EventSink;
  /** e.g. "image-policy.dev/imagepolicy-controller". */
  reportingController: string;
  /** This replica, e.g. the pod name. */
  reportingInstance: string;
  /** Default 6 min. */
  dedupWindowMs?: number;
  /** Per regarding object; default {burst: 25, refillIntervalMs: 300_000}. */
  rateLimit?: TokenBucketOptions;
  clock?: Clock;
  logger?: Logger;
}

interface Series {
  /** Once created. */
  name?: string;
  namespace: string;
  event: EventObject;
  count: number;
  writtenCount: number;
  lastObservedMs: number;
  writing: Promise<void>;
}

const NOTE_LIMIT_BYTES = 1024;
const FIELD_LIMIT = 128;

/** The reference an event is about, from an object. */
export function referenceTo(object: KubeObject): ObjectReference {
  const ref: ObjectReference = {
    apiVersion: object.apiVersion,
    kind: object.kind,
    name: object.metadata.name,
  };
  if (object.metadata.namespace) ref.namespace = object.metadata.namespace;
  if (object.metadata.uid) ref.uid = object.metadata.uid;
  return ref;
}

function truncateBytes(text: string, limit: number): string {
  if (Buffer.byteLength(text) <= limit) return text;
  let cut = Buffer.from(text)
    .subarray(0, limit - 3)
    .toString("utf8");
  // A multi-byte character cut in half decodes as U+FFFD; drop it.
  cut = cut.replace(/\uFFFD$/, "");
  return `${cut}...`;
}

export class EventRecorder {
  readonly #options: EventRecorderOptions;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #windowMs: number;
  readonly #series = new Map<string, Series>();
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #pending = new Set<Promise<void>>();
  #lastSweepMs: number;
  #nameCounter = 0;
  #dropped = 0;

  constructor(options: EventRecorderOptions) {
    this.#options = options;
    this.#clock = options.clock ?? realClock;
    this.#logger = options.logger ?? discardLogger;
    this.#windowMs = options.dedupWindowMs ?? 6 * 60_000;
    this.#lastSweepMs = this.#clock.now();
  }

  /** Writes refused by the rate limiter so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Records an event about `regarding` (an object or a reference). Never throws. */
  event(regarding: KubeObject | ObjectReference, input: EventInput): void {
    try {
      this.#record("metadata" in regarding ? referenceTo(regarding) : regarding, input);
    } catch (error) {
      this.#logger.error("recording an event failed", { reason: input.reason, err: errorFields(error) });
    }
  }

  /** Resolves when every write started so far has finished (successfully or not). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #record(regarding: ObjectReference, input: EventInput): void {
    const now = this.#clock.now();
    this.#sweep(now);
    const action = input.action ?? "Reconcile";
    const note = truncateBytes(input.note, NOTE_LIMIT_BYTES);
    const regardingKey =
      regarding.uid ?? `${regarding.apiVersion}/${regarding.kind}/${regarding.namespace}/${regarding.name}`;
    const key = JSON.stringify([regardingKey, input.type, input.reason, action, note]);
    let series = this.#series.get(key);
    if (series && now - series.lastObservedMs <= this.#windowMs) {
      series.count++;
      series.lastObservedMs = now;
    } else {
      const namespace = regarding.namespace || "default";
      const event: EventObject = {
        apiVersion: "events.k8s.io/v1",
        kind: "Event",
        metadata: { namespace },
        eventTime: formatMicroTime(now),
        reportingController: this.#options.reportingController.slice(0, FIELD_LIMIT),
        reportingInstance: this.#options.reportingInstance.slice(0, FIELD_LIMIT),
        action: action.slice(0, FIELD_LIMIT),
        reason: input.reason.slice(0, FIELD_LIMIT),
        regarding,
        note,
        type: input.type,
      };
      if (input.related) event.related = input.related;
      series = {
        namespace,
        event,
        count: 1,
        writtenCount: 0,
        lastObservedMs: now,
        writing: Promise.resolve(),
      };
      this.#series.set(key, series);
    }
    if (!this.#bucketFor(regardingKey).tryTake()) {
      this.#dropped++;
      this.#logger.debug("event rate limited", { reason: input.reason, regarding, count: series.count });
      return;
    }
    const target = series;
    const write = target.writing.then(() => this.#write(target));
    target.writing = write;
    this.#pending.add(write);
    void write.finally(() => this.#pending.delete(write));
  }

  async #write(series: Series): Promise<void> {
    if (series.writtenCount === series.count) return; // folded into an earlier write
    const count = series.count;
    const lastObservedTime = formatMicroTime(series.lastObservedMs);
    try {
      if (series.name) {
        try {
          await this.#options.sink.patchSeries(series.namespace, series.name, { count, lastObservedTime });
          series.writtenCount = count;
          return;
        } catch (error) {
          // The Event expired (TTL, 1 h by default) or was deleted: start a new one.
          if (!isNotFound(error)) throw error;
          series.name = undefined;
        }
      }
      await this.#create(series, count, lastObservedTime);
      series.writtenCount = count;
    } catch (error) {
      this.#logger.warn("writing an event failed", {
        reason: series.event.reason,
        regarding: series.event.regarding,
        err: errorFields(error),
      });
    }
  }

  async #create(series: Series, count: number, lastObservedTime: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const name = this.#eventName(series.event.regarding.name ?? "event");
      const event: EventObject = { ...series.event, metadata: { ...series.event.metadata, name } };
      // The API rejects a series of fewer than 2 occurrences.
      if (count >= 2) event.series = { count, lastObservedTime };
      try {
        await this.#options.sink.create(event);
        series.name = name;
        return;
      } catch (error) {
        if (!isAlreadyExists(error) || attempt > 0) throw error;
      }
    }
  }

  /** client-go's "<regarding name>.<nanoseconds in hex>", unique per recorder. */
  #eventName(regardingName: string): string {
    const nanos = BigInt(this.#clock.now()) * 1_000_000n + BigInt(this.#nameCounter++ % 1_000_000);
    return `${regardingName.slice(0, 200)}.${nanos.toString(16)}`;
  }

  #bucketFor(regardingKey: string): TokenBucket {
    let bucket = this.#buckets.get(regardingKey);
    if (!bucket) {
      bucket = new TokenBucket(
        this.#options.rateLimit ?? { burst: 25, refillIntervalMs: 300_000 },
        this.#clock,
      );
      this.#buckets.set(regardingKey, bucket);
    }
    return bucket;
  }

  /** Forgets series past their window and full buckets, at most once per window. */
  #sweep(now: number): void {
    if (now - this.#lastSweepMs < this.#windowMs) return;
    this.#lastSweepMs = now;
    for (const [key, series] of this.#series) {
      if (now - series.lastObservedMs > this.#windowMs && series.writtenCount === series.count) {
        this.#series.delete(key);
      }
    }
    for (const [key, bucket] of this.#buckets) {
      if (bucket.isFull()) this.#buckets.delete(key);
    }
  }
}
