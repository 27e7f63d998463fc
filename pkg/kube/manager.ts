// The process around the controllers, like controller-runtime's Manager:
//   start the health/metrics server → start the informers (every replica, so a standby's caches
//   are warm) → wait for them to sync (then /readyz passes) → campaign for the lease, if leader
//   election is on → while leading, run the controllers.
// Graceful shutdown (the signal given to run(), e.g. from shutdownSignal() on SIGTERM): controllers
// drain their queues (bounded by shutdownTimeoutMs, after which in-flight reconciles are aborted),
// then the lease is released, the informers stop and the server closes; run() resolves.
// Losing the lease aborts the controllers at once and run() rejects with LeaderElectionLostError:
// the process should exit (its pod restarts and campaigns again), as controller-runtime does.
import os from "node:os";
import crypto from "node:crypto";
import type { Registry } from "prom-client";
import type { KubeClient } from "./client.ts";
import { realClock, sleep, type Clock } from "./clock.ts";
import type { Controller } from "./controller.ts";
import { HealthServer } from "./health-server.ts";
import { InformerFactory } from "./informer-factory.ts";
import type { InformerOptions } from "./informer.ts";
import { LeaderElector, leaseLock } from "./leader-election.ts";
import { discardLogger, errorFields, type Logger } from "./logging.ts";
import { controllerMetrics, createMetricsRegistry } from "./metrics.ts";
import { LEASES } from "./resources.ts";

export interface ManagerLeaderElection {
  /** Where the Lease lives. */
  namespace: string;
  /** The Lease's name. */
  name: string;
  /** Default: hostname + "_" + a random UUID, as controller-runtime does. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Default true. */
  releaseOnCancel?: boolean;
}

export interface ManagerOptions {
  client: KubeClient;
  /** Options of every informer (resync period, back-off); the clock and logger are the manager's. */
  informers?: Omit<InformerOptions, "name" | "clock" | "logger">;
  /** /healthz, /readyz, /metrics; "0" or undefined: no server. */
  bindAddress?: string;
  /** Default: a new registry with process metrics. */
  registry?: Registry;
  /** Off when undefined. */
  leaderElection?: ManagerLeaderElection;
  /** How long controllers may drain on shutdown; default 30 s. */
  shutdownTimeoutMs?: number;
  logger?: Logger;
  clock?: Clock;
}

export class LeaderElectionLostError extends Error {
  constructor(lease: string) {
    super(`leader election lost (lease ${lease})`);
    this.name = "LeaderElectionLostError";
  }
}

export class Manager {
  readonly client: KubeClient;
  readonly informers: InformerFactory;
  readonly registry: Registry;
  readonly health: HealthServer | undefined;
  readonly #options: ManagerOptions;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #controllers: Controller[] = [];
  #elector: LeaderElector | undefined;
  #running = false;

  constructor(options: ManagerOptions) {
    this.#options = options;
    this.client = options.client;
    this.#logger = options.logger ?? discardLogger;
    this.#clock = options.clock ?? realClock;
    this.registry = options.registry ?? createMetricsRegistry();
    this.informers = new InformerFactory(options.client, {
      ...options.informers,
      clock: this.#clock,
      logger: this.#logger,
    });
    if (options.bindAddress && options.bindAddress !== "0") {
      this.health = new HealthServer({
        bindAddress: options.bindAddress,
        registry: this.registry,
        logger: this.#logger,
      });
      this.health.addReadyCheck(
        "informers-synced",
        () => this.informers.hasSynced() || "not all informers have synced",
      );
      if (options.leaderElection) {
        this.health.addReadyCheck("leader-election", () => {
          const state = this.#elector?.state;
          return state === "acquiring" || state === "leading" || `leader election ${state ?? "not started"}`;
        });
      }
    }
  }

  /** Adds a controller (before run()); build it with this manager's informers, registry and logger. */
  add(controller: Controller): this {
    if (this.#running) throw new Error("Manager.add() after run()");
    this.#controllers.push(controller);
    return this;
  }

  /** Whether this replica leads (always true without leader election once running). */
  isLeader(): boolean {
    return this.#options.leaderElection ? (this.#elector?.isLeader() ?? false) : this.#running;
  }

  /** Runs until `signal` aborts (resolves) or the lease is lost (rejects with LeaderElectionLostError). */
  async run(signal: AbortSignal): Promise<void> {
    if (this.#running) throw new Error("Manager.run() may be called once");
    this.#running = true;
    try {
      await this.health?.start();
      this.informers.start();
      this.#logger.info("waiting for informers to sync");
      if (!(await this.informers.waitForSync(signal))) return;
      this.#logger.info("informers synced");
      const election = this.#options.leaderElection;
      if (!election) {
        await this.#runControllers(signal, new AbortController().signal);
        return;
      }
      await this.#runElected(election, signal);
    } finally {
      await this.informers.stop();
      await this.health?.close();
      this.#logger.info("manager stopped");
    }
  }

  async #runElected(election: ManagerLeaderElection, signal: AbortSignal): Promise<void> {
    const leaderStatus = controllerMetrics(this.registry).leaderStatus;
    const lease = `${election.namespace}/${election.name}`;
    // Abort the elector only after the controllers have drained, so that the lease is released
    // when no reconcile can run any more.
    const electorStop = new AbortController();
    const elector = new LeaderElector({
      lock: leaseLock(this.client.resource(LEASES), election.namespace, election.name),
      identity: election.identity ?? `${os.hostname()}_${crypto.randomUUID()}`,
      leaseDurationMs: election.leaseDurationMs,
      renewDeadlineMs: election.renewDeadlineMs,
      retryPeriodMs: election.retryPeriodMs,
      releaseOnCancel: election.releaseOnCancel,
      clock: this.#clock,
      logger: this.#logger,
      callbacks: {
        onStartedLeading: async (leading) => {
          leaderStatus.set({ name: election.name }, 1);
          try {
            await this.#runControllers(signal, leading);
          } finally {
            // Drained after a shutdown: now the elector may release the lease.
            if (signal.aborted) electorStop.abort();
          }
        },
        onStoppedLeading: () => leaderStatus.set({ name: election.name }, 0),
        onNewLeader: (identity) => this.#logger.info("leader", { lease, leader: identity }),
      },
    });
    this.#elector = elector;
    const onAbort = (): void => {
      // Not leading: nothing to drain, stop campaigning now. Leading: onStartedLeading stops it.
      if (!elector.isLeader()) electorStop.abort();
    };
    if (signal.aborted) electorStop.abort();
    else signal.addEventListener("abort", onAbort, { once: true });
    try {
      await elector.run(electorStop.signal);
    } finally {
      signal.removeEventListener("abort", onAbort);
    }
    if (!signal.aborted) throw new LeaderElectionLostError(lease);
  }

  /**
   * Runs the controllers until `shutdown` aborts (graceful: drain, bounded by shutdownTimeoutMs) or
   * `hardStop` aborts (leadership lost: abort in-flight reconciles).
   */
  async #runControllers(shutdown: AbortSignal, hardStop: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const onHardStop = (): void => stop.abort(hardStop.reason);
    hardStop.addEventListener("abort", onHardStop, { once: true });
    const onShutdown = (): void => {
      this.#logger.info("shutting down: draining controllers");
      const timeoutMs = this.#options.shutdownTimeoutMs ?? 30_000;
      void Promise.all(this.#controllers.map((c) => c.shutdown())).then(() => stop.abort());
      void sleep(this.#clock, timeoutMs, stop.signal).then((timedOut) => {
        if (!timedOut) return;
        this.#logger.warn("controllers did not drain in time; aborting them", { timeoutMs });
        stop.abort(new Error("shutdown timeout"));
      });
    };
    if (shutdown.aborted) onShutdown();
    else shutdown.addEventListener("abort", onShutdown, { once: true });
    try {
      const results = await Promise.allSettled(this.#controllers.map((c) => c.run(stop.signal)));
      for (const result of results) {
        if (result.status === "rejected") {
          this.#logger.error("controller failed", { err: errorFields(result.reason) });
        }
      }
    } finally {
      hardStop.removeEventListener("abort", onHardStop);
      shutdown.removeEventListener("abort", onShutdown);
    }
  }
}

/**
 * An AbortSignal that aborts on the first of `signals` (default SIGTERM and SIGINT); a second one
 * exits the process at once with status 1, as controller-runtime's SetupSignalHandler does.
 */
export function shutdownSignal(signals: NodeJS.Signals[] = ["SIGTERM", "SIGINT"]): AbortSignal {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(1);
    controller.abort(new Error(`received ${name}`));
  };
  for (const name of signals) process.on(name, onSignal);
  return controller.signal;
}
