// pkg/kube's leader election against a real kube-apiserver: candidates in separate clients on one
// Lease. Exactly one leads; a graceful stop releases the lease so the other takes over without
// waiting for it to expire; a leader that just stops renewing is replaced only once its lease has
// expired; a leader that cannot renew (API server down) stops leading. Assertions are on the Lease
// object and the electors' states; durations are short (2 s lease) so the test is quick.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { KubeClient } from "../../pkg/kube/client.ts";
import type { Lease } from "../../pkg/kube/lease.ts";
import { LeaderElector, leaseLock, type LeaderElectionOptions } from "../../pkg/kube/leader-election.ts";
import { LEASES } from "../../pkg/kube/resources.ts";
import { consistently, eventually } from "../../pkg/kube/testing/eventually.ts";
import { MemoryLogger } from "../../pkg/kube/testing/memory-logger.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";

const plane = getTestEnvironment();
let namespace: TestNamespace;
const clients: KubeClient[] = [];

const SHORT = { leaseDurationMs: 2_000, renewDeadlineMs: 1_500, retryPeriodMs: 300 };

interface Candidate {
  identity: string;
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  log: string[];
  logger: MemoryLogger;
}

/** A candidate with its own client (as another replica would have). */
function candidate(
  leaseName: string,
  identity: string,
  options: Partial<LeaderElectionOptions> = {},
): Candidate {
  const client = new KubeClient(plane.kubeConfig);
  clients.push(client);
  const log: string[] = [];
  const logger = new MemoryLogger();
  const elector = new LeaderElector({
    lock: leaseLock(client.resource(LEASES), namespace.name, leaseName),
    identity,
    ...SHORT,
    logger,
    callbacks: {
      onStartedLeading: (signal) => {
        log.push("started");
        signal.addEventListener("abort", () => log.push("leading signal aborted"));
      },
      onStoppedLeading: () => log.push("stopped"),
      onNewLeader: (leader) => log.push(`leader ${leader || "(none)"}`),
    },
    ...options,
  });
  const stop = new AbortController();
  return { identity, elector, stop, done: elector.run(stop.signal), log, logger };
}

async function lease(name: string): Promise<NonNullable<Lease["spec"]>> {
  const object = await clients[0]!.resource(LEASES).get(name, namespace.name);
  return object.spec ?? {};
}

function leaders(candidates: Candidate[]): string[] {
  return candidates.filter((c) => c.elector.isLeader()).map((c) => c.identity);
}

beforeAll(async () => {
  clients.push(new KubeClient(plane.kubeConfig));
  namespace = await createTestNamespace(plane.kubeConfig, "kube-leader-election");
});

afterAll(async () => {
  if (!plane.apiServerRunning) await plane.startApiServer();
  await namespace.cleanup();
  for (const client of clients) client.close();
});

describe("LeaderElector on a real API server", () => {
  it("makes exactly one of two candidates leader, and the Lease names it", async () => {
    const a = candidate("one-leader", "replica-a");
    const b = candidate("one-leader", "replica-b");
    const [leader] = await eventually(() => {
      const current = leaders([a, b]);
      expect(current).toHaveLength(1);
      return current;
    });
    await consistently(() => expect(leaders([a, b])).toEqual([leader]), {
      durationMs: 3 * SHORT.leaseDurationMs,
    });
    const spec = await lease("one-leader");
    expect(spec).toMatchObject({ holderIdentity: leader, leaseDurationSeconds: 2, leaseTransitions: 0 });
    const follower = leader === a.identity ? b : a;
    expect(follower.elector.getLeader()).toBe(leader);
    expect(follower.log).toEqual([`leader ${leader}`]);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it("releases the lease on graceful stop; the other candidate takes over before it would have expired", async () => {
    // A long lease: taking over before it expires can only be the release's doing.
    const durations = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 300 };
    const a = candidate("release", "replica-a", durations);
    await eventually(() => a.elector.isLeader());
    const b = candidate("release", "replica-b", durations);
    await eventually(() => expect(b.elector.getLeader()).toBe("replica-a"));

    const beforeStop = await lease("release");
    expect(beforeStop.holderIdentity).toBe("replica-a");
    a.stop.abort();
    await a.done;
    expect(a.log).toEqual([
      "leader replica-a",
      "started",
      "leading signal aborted",
      "leader (none)",
      "stopped",
    ]);
    expect(a.logger.messages("info")).toContain("released the leader lease");

    await eventually(() => b.elector.isLeader());
    const spec = await lease("release");
    expect(spec.holderIdentity).toBe("replica-b");
    expect(spec.leaseTransitions).toBe(1);
    // b acquired well within the 15 s a's last renewal was good for: it did not wait for expiry.
    expect(Date.parse(spec.acquireTime ?? "") - Date.parse(beforeStop.renewTime ?? "")).toBeLessThan(
      durations.leaseDurationMs,
    );
    b.stop.abort();
    await b.done;
    const afterRelease = await lease("release");
    expect(afterRelease.holderIdentity).toBe("");
    expect(afterRelease.leaseDurationSeconds).toBe(1);
  });

  it("replaces a leader that stops renewing only after its lease has expired", async () => {
    const a = candidate("crash", "replica-a", { releaseOnCancel: false });
    await eventually(() => a.elector.isLeader());
    const b = candidate("crash", "replica-b");
    await eventually(() => expect(b.elector.getLeader()).toBe("replica-a"));

    a.stop.abort(); // a "crash": it stops renewing and does not release
    await a.done;
    const abandoned = await lease("crash");
    expect(abandoned.holderIdentity).toBe("replica-a");

    await eventually(() => b.elector.isLeader(), { timeoutMs: 30_000 });
    const taken = await lease("crash");
    expect(taken).toMatchObject({ holderIdentity: "replica-b", leaseTransitions: 1 });
    // b waited for the lease to expire: it acquired at least leaseDuration after a's last renewal.
    expect(
      Date.parse(taken.acquireTime ?? "") - Date.parse(abandoned.renewTime ?? ""),
    ).toBeGreaterThanOrEqual(SHORT.leaseDurationMs);
    b.stop.abort();
    await b.done;
  });

  it("stops leading when it cannot renew for the renew deadline (API server down)", async () => {
    const a = candidate("outage", "replica-a");
    await eventually(() => a.elector.isLeader());
    await plane.stopApiServer();
    try {
      await eventually(() => expect(a.log).toContain("stopped"), { timeoutMs: 30_000 });
      expect(a.elector.isLeader()).toBe(false);
      expect(a.logger.messages("error")).toContain(
        "leader election lost: renewal failed for the renew deadline",
      );
      await a.done;
    } finally {
      await plane.startApiServer();
    }
    // A new candidate (a restarted replica) can lead again once the API server is back.
    const again = candidate("outage", "replica-a2");
    await eventually(() => again.elector.isLeader(), { timeoutMs: 30_000 });
    again.stop.abort();
    await again.done;
  });
});
