// Leader election on a coordination.k8s.io/v1 Lease, following client-go's tools/leaderelection
// (LeaderElector) with controller-runtime's defaults (lease 15 s, renew deadline 10 s, retry 2 s).
//
//  - Acquire: every retryPeriod (+ up to 1.2× jitter) try to take the lease. It is free when it
//    does not exist (create it), when holderIdentity is empty (released), or when it has expired —
//    judged by *our* clock: leaseDurationSeconds after we last saw the record change, never by
//    comparing the remote renewTime with our clock (clocks of replicas may differ).
//  - Taking a lease held by someone else increments leaseTransitions and sets acquireTime;
//    renewing keeps both. Every write is an update conditioned on the resourceVersion we read
//    (optimistic concurrency): of two candidates racing for an expired lease, one gets a conflict.
//  - Lead: onStartedLeading(signal) is called; the leader renews every retryPeriod. If renewals
//    keep failing for renewDeadline, it stops leading: `signal` aborts, then onStoppedLeading().
//    renewDeadline < leaseDuration guarantees it stops before anyone else may take over.
//  - Shutdown (run's signal aborts): the leader's `signal` aborts, the elector waits for the promise
//    onStartedLeading returned (the protected work must have stopped), then — with
//    releaseOnCancel (default) — releases the lease: holderIdentity "" and leaseDurationSeconds 1,
//    so another replica takes over at its next retry instead of after a whole lease duration.
//  - onNewLeader(identity) is called whenever the observed holder changes ("" when released).
//  - One run() is one term: after it returns (lost or shut down) the elector is done; a process that
//    lost its lease should exit and start afresh, as controller-runtime's managers do.
import type { ResourceClient } from "./client.ts";
import { formatMicroTime, realClock, sleep, timeoutSignal, type Clock } from "./clock.ts";
import { isNotFound } from "./errors.ts";
import type { Lease } from "./lease.ts";
import { discardLogger, errorFields, type Logger } from "./logging.ts";

/** The lease's content, as client-go's resourcelock.LeaderElectionRecord. */
export interface LeaderElectionRecord {
  holderIdentity: string;
  leaseDurationSeconds: number;
  /** MicroTime. */
  acquireTime: string;
  /** MicroTime. */
  renewTime: string;
  leaseTransitions: number;
}

/** The lock object; leaseLock() is the Kubernetes Lease one. */
export interface LeaseLock {
  readonly description: string;
  /** The record and its resourceVersion; undefined when the lease does not exist. */
  get(signal: AbortSignal): Promise<{ record: LeaderElectionRecord; resourceVersion: string } | undefined>;
  /** Creates the lease; resolves to its resourceVersion; fails if it exists. */
  create(record: LeaderElectionRecord, signal: AbortSignal): Promise<string>;
  /** Writes the record if the lease is still at `resourceVersion`; resolves to the new one. */
  update(record: LeaderElectionRecord, resourceVersion: string, signal: AbortSignal): Promise<string>;
}

function recordFromLease(lease: Lease): LeaderElectionRecord {
  const spec = lease.spec ?? {};
  return {
    holderIdentity: spec.holderIdentity ?? "",
    leaseDurationSeconds: spec.leaseDurationSeconds ?? 0,
    acquireTime: spec.acquireTime ?? "",
    renewTime: spec.renewTime ?? "",
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

function specFromRecord(record: LeaderElectionRecord): NonNullable<Lease["spec"]> {
  return {
    holderIdentity: record.holderIdentity,
    leaseDurationSeconds: record.leaseDurationSeconds,
    acquireTime: record.acquireTime || null,
    renewTime: record.renewTime || null,
    leaseTransitions: record.leaseTransitions,
  };
}

/** A LeaseLock on the Lease `namespace/name`. Updates are merge patches carrying the resourceVersion. */
export function leaseLock(leases: ResourceClient<Lease>, namespace: string, name: string): LeaseLock {
  return {
    description: `${namespace}/${name}`,
    async get(signal) {
      try {
        const lease = await leases.get(name, namespace, signal);
        return { record: recordFromLease(lease), resourceVersion: lease.metadata.resourceVersion ?? "" };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async create(record, signal) {
      const lease = await leases.create(
        {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name, namespace },
          spec: specFromRecord(record),
        },
        { signal },
      );
      return lease.metadata.resourceVersion ?? "";
    },
    async update(record, resourceVersion, signal) {
      // metadata.resourceVersion in a patch is a precondition: a stale one is a 409 Conflict.
      const lease = await leases.mergePatch(
        name,
        namespace,
        { metadata: { resourceVersion }, spec: specFromRecord(record) },
        { signal },
      );
      return lease.metadata.resourceVersion ?? "";
    },
  };
}

export interface LeaderCallbacks {
  /** Called on becoming leader; `signal` aborts when leadership ends. A returned promise is awaited before release. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Called after leading ends (lost or shut down); not called when this elector never led. */
  onStoppedLeading?(): void;
  /** The observed holder changed ("" = released). */
  onNewLeader?(identity: string): void;
}

export interface LeaderElectionOptions {
  lock: LeaseLock;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  identity: string;
  /** Default 15 s; at least 1 s (the lease holds whole seconds). */
  leaseDurationMs?: number;
  /** Default 10 s. */
  renewDeadlineMs?: number;
  /** Default 2 s. */
  retryPeriodMs?: number;
  /** Release the lease when run's signal aborts; default true. */
  releaseOnCancel?: boolean;
  callbacks: LeaderCallbacks;
  clock?: Clock;
  logger?: Logger;
  /** Jitter source; default Math.random. */
  random?: () => number;
}

/** client-go's JitterFactor for acquire retries. */
const JITTER_FACTOR = 1.2;

export type ElectorState = "idle" | "acquiring" | "leading" | "stopped";

export class LeaderElector {
  readonly identity: string;
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
  readonly #options: LeaderElectionOptions;
  readonly #lock: LeaseLock;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: () => number;
  #state: ElectorState = "idle";
  #observedRecord: LeaderElectionRecord | undefined;
  #observedRaw = "";
  #observedResourceVersion = "";
  /** Our clock when the observed record last changed. */
  #observedTimeMs = 0;
  #reportedLeader: string | undefined;

  constructor(options: LeaderElectionOptions) {
    this.#options = options;
    this.identity = options.identity;
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    this.#lock = options.lock;
    this.#clock = options.clock ?? realClock;
    this.#logger = (options.logger ?? discardLogger).child({
      lease: options.lock.description,
      identity: options.identity,
    });
    this.#random = options.random ?? Math.random;
    if (!options.identity) throw new Error("leader election: identity is empty");
    if (this.leaseDurationMs < 1000) throw new Error("leader election: leaseDuration must be at least 1 s");
    if (this.leaseDurationMs <= this.renewDeadlineMs) {
      throw new Error("leader election: leaseDuration must be greater than renewDeadline");
    }
    if (this.renewDeadlineMs <= JITTER_FACTOR * this.retryPeriodMs) {
      throw new Error(`leader election: renewDeadline must be greater than retryPeriod × ${JITTER_FACTOR}`);
    }
    if (this.retryPeriodMs <= 0) throw new Error("leader election: retryPeriod must be positive");
  }

  get state(): ElectorState {
    return this.#state;
  }

  /** Whether this elector leads now. */
  isLeader(): boolean {
    return this.#state === "leading";
  }

  /** The holder we last observed ("" when released or unknown). */
  getLeader(): string {
    return this.#observedRecord?.holderIdentity ?? "";
  }

  /** Campaigns, leads, and returns when leadership ends or `signal` aborts (see the module comment). */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#state !== "idle") throw new Error("leader election: run() may be called once");
    this.#state = "acquiring";
    try {
      if (!(await this.#acquire(signal))) return;
      this.#state = "leading";
      this.#logger.info("became leader");
      const leading = new AbortController();
      let work: Promise<void> = Promise.resolve();
      try {
        work = Promise.resolve(this.#options.callbacks.onStartedLeading(leading.signal)).catch(
          (error: unknown) => {
            this.#logger.error("onStartedLeading failed", { err: errorFields(error) });
          },
        );
      } catch (error) {
        this.#logger.error("onStartedLeading failed", { err: errorFields(error) });
      }
      const lost = await this.#renewUntilLost(signal);
      leading.abort(new Error(lost ? "leader election lost" : "leader election stopped"));
      await work;
      if (lost) this.#logger.error("leader election lost: renewal failed for the renew deadline");
      if (this.#options.releaseOnCancel ?? true) await this.#release();
      this.#state = "stopped";
      try {
        this.#options.callbacks.onStoppedLeading?.();
      } catch (error) {
        this.#logger.error("onStoppedLeading failed", { err: errorFields(error) });
      }
    } finally {
      this.#state = "stopped";
    }
  }

  /** Tries until acquired (true) or `signal` aborts (false). */
  async #acquire(signal: AbortSignal): Promise<boolean> {
    this.#logger.info("attempting to acquire leader lease");
    while (!signal.aborted) {
      const { signal: attempt, dispose } = timeoutSignal(this.#clock, this.renewDeadlineMs, signal);
      const acquired = await this.#tryAcquireOrRenew(attempt).finally(dispose);
      this.#maybeReportTransition();
      if (acquired) return true;
      const delayMs = this.retryPeriodMs * (1 + this.#random() * JITTER_FACTOR);
      if (!(await sleep(this.#clock, delayMs, signal))) return false;
    }
    return false;
  }

  /** Renews every retryPeriod; resolves true when a renewal round failed for renewDeadline, false on abort. */
  async #renewUntilLost(signal: AbortSignal): Promise<boolean> {
    for (;;) {
      if (!(await sleep(this.#clock, this.retryPeriodMs, signal))) return false;
      // One round: retry every retryPeriod until renewed or renewDeadline has passed.
      const { signal: round, dispose } = timeoutSignal(this.#clock, this.renewDeadlineMs, signal);
      let renewed = false;
      try {
        while (!round.aborted) {
          if (await this.#tryAcquireOrRenew(round)) {
            renewed = true;
            break;
          }
          if (!(await sleep(this.#clock, this.retryPeriodMs, round))) break;
        }
      } finally {
        dispose();
      }
      this.#maybeReportTransition();
      if (signal.aborted) return false;
      if (!renewed) return true;
    }
  }

  async #tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const nowMs = this.#clock.now();
    const now = formatMicroTime(nowMs);
    const record: LeaderElectionRecord = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.floor(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };

    // 1. The leader's fast path: update the record we wrote last, assuming it is still current.
    const observed = this.#observedRecord;
    if (observed && this.#holdsObserved() && this.#isLeaseValid(nowMs)) {
      record.acquireTime = observed.acquireTime;
      record.leaseTransitions = observed.leaseTransitions;
      try {
        const resourceVersion = await this.#lock.update(record, this.#observedResourceVersion, signal);
        this.#setObserved(record, resourceVersion);
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        this.#logger.info("optimistic lease update failed; re-reading the lease", {
          err: errorFields(error),
        });
      }
    }

    // 2. Read the lease, or create it.
    let current: Awaited<ReturnType<LeaseLock["get"]>>;
    try {
      current = await this.#lock.get(signal);
    } catch (error) {
      if (!signal.aborted) this.#logger.warn("reading the lease failed", { err: errorFields(error) });
      return false;
    }
    if (!current) {
      try {
        const resourceVersion = await this.#lock.create(record, signal);
        this.#setObserved(record, resourceVersion);
        return true;
      } catch (error) {
        if (!signal.aborted) this.#logger.info("creating the lease failed", { err: errorFields(error) });
        return false;
      }
    }

    // 3. Someone else's valid lease: wait.
    const raw = JSON.stringify(current.record);
    if (raw !== this.#observedRaw) {
      this.#observedRecord = current.record;
      this.#observedRaw = raw;
      this.#observedTimeMs = nowMs;
    }
    this.#observedResourceVersion = current.resourceVersion;
    if (current.record.holderIdentity !== "" && this.#isLeaseValid(nowMs) && !this.#holdsObserved()) {
      return false;
    }

    // 4. Free, expired, or ours: take or renew it.
    if (this.#holdsObserved()) {
      record.acquireTime = current.record.acquireTime;
      record.leaseTransitions = current.record.leaseTransitions;
    } else {
      record.leaseTransitions = current.record.leaseTransitions + 1;
    }
    try {
      const resourceVersion = await this.#lock.update(record, current.resourceVersion, signal);
      this.#setObserved(record, resourceVersion);
      return true;
    } catch (error) {
      if (!signal.aborted) this.#logger.info("updating the lease failed", { err: errorFields(error) });
      return false;
    }
  }

  async #release(): Promise<void> {
    if (!this.#holdsObserved() || !this.#observedRecord) return;
    const now = formatMicroTime(this.#clock.now());
    const record: LeaderElectionRecord = {
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: this.#observedRecord.leaseTransitions,
    };
    // A fresh signal: run's own has aborted by now.
    const { signal, dispose } = timeoutSignal(this.#clock, this.renewDeadlineMs);
    try {
      const resourceVersion = await this.#lock.update(record, this.#observedResourceVersion, signal);
      this.#setObserved(record, resourceVersion);
      this.#logger.info("released the leader lease");
    } catch (error) {
      this.#logger.warn("releasing the lease failed", { err: errorFields(error) });
    } finally {
      dispose();
    }
    this.#maybeReportTransition();
  }

  #holdsObserved(): boolean {
    return this.#observedRecord?.holderIdentity === this.identity;
  }

  #isLeaseValid(nowMs: number): boolean {
    const durationMs = (this.#observedRecord?.leaseDurationSeconds ?? 0) * 1000;
    return this.#observedTimeMs + durationMs > nowMs;
  }

  #setObserved(record: LeaderElectionRecord, resourceVersion: string): void {
    this.#observedRecord = record;
    this.#observedRaw = JSON.stringify(record);
    this.#observedResourceVersion = resourceVersion;
    this.#observedTimeMs = this.#clock.now();
  }

  #maybeReportTransition(): void {
    const holder = this.#observedRecord?.holderIdentity;
    if (holder === undefined || holder === this.#reportedLeader) return;
    this.#reportedLeader = holder;
    if (holder) this.#logger.info("new leader observed", { leader: holder });
    try {
      this.#options.callbacks.onNewLeader?.(holder);
    } catch (error) {
      this.#logger.error("onNewLeader failed", { err: errorFields(error) });
    }
  }
}
