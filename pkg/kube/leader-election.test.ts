import { describe, expect, it } from "@jest/globals";
import { formatMicroTime } from "./clock.ts";
import { LeaderElector, type LeaderElectionOptions } from "./leader-election.ts";
import { FakeClock, flushPromises } from "./testing/fake-clock.ts";
import { FakeLeaseLock } from "./testing/fake-lease-lock.ts";

const LEASE_MS = 15_000;
const RENEW_MS = 10_000;
const RETRY_MS = 2_000;

interface Candidate {
  elector: LeaderElector;
  stop: AbortController;
  done: Promise<void>;
  /** The signal onStartedLeading got. */
  leading: AbortSignal | undefined;
  stoppedLeading: number;
  newLeaders: string[];
}

function candidate(
  lock: FakeLeaseLock,
  clock: FakeClock,
  identity: string,
  options: Partial<LeaderElectionOptions> = {},
): Candidate {
  const stop = new AbortController();
  const c: Partial<Candidate> & { stoppedLeading: number; newLeaders: string[] } = {
    stoppedLeading: 0,
    newLeaders: [],
  };
  c.elector = new LeaderElector({
    lock,
    identity,
    leaseDurationMs: LEASE_MS,
    renewDeadlineMs: RENEW_MS,
    retryPeriodMs: RETRY_MS,
    clock,
    random: () => 0,
    callbacks: {
      onStartedLeading: (signal) => {
        c.leading = signal;
      },
      onStoppedLeading: () => c.stoppedLeading++,
      onNewLeader: (leader) => c.newLeaders.push(leader),
    },
    ...options,
  });
  c.stop = stop;
  c.done = c.elector.run(stop.signal);
  return c as Candidate;
}

/** Advances the clock in small steps until `condition` holds; returns the time it took. */
async function advanceUntil(clock: FakeClock, condition: () => boolean, limitMs = 120_000): Promise<number> {
  const start = clock.now();
  while (!condition()) {
    if (clock.now() - start > limitMs) throw new Error("condition not reached");
    await clock.advance(100);
  }
  return clock.now() - start;
}

describe("LeaderElector", () => {
  it("creates a missing lease, leads, and renews it keeping acquireTime", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a");
    await flushPromises();
    expect(a.elector.isLeader()).toBe(true);
    expect(a.leading?.aborted).toBe(false);
    expect(lock.record).toMatchObject({ holderIdentity: "a", leaseDurationSeconds: 15, leaseTransitions: 0 });
    const acquireTime = lock.record?.acquireTime;
    await clock.advance(RETRY_MS * 3);
    expect(lock.writes.length).toBe(4);
    expect(lock.record?.acquireTime).toBe(acquireTime);
    expect(lock.record?.renewTime).toBe(formatMicroTime(clock.now()));
    a.stop.abort();
    await a.done;
  });

  it("makes exactly one of two candidates leader; the other waits while the lease is renewed", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a");
    const b = candidate(lock, clock, "b");
    await clock.advance(60_000);
    expect([a.elector.isLeader(), b.elector.isLeader()]).toEqual([true, false]);
    expect(b.elector.getLeader()).toBe("a");
    expect(b.newLeaders).toEqual(["a"]);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it("releases the lease on graceful shutdown, after the leader's work has finished, so another takes over at once", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const order: string[] = [];
    const a = candidate(lock, clock, "a", {
      callbacks: {
        onStartedLeading: (signal) =>
          new Promise<void>((resolve) =>
            signal.addEventListener("abort", () => {
              order.push("work stopped");
              resolve();
            }),
          ),
        onStoppedLeading: () => order.push("stopped leading"),
      },
    });
    await flushPromises();
    const b = candidate(lock, clock, "b");
    await clock.advance(10_000);
    const writesBefore = lock.writes.length;
    a.stop.abort();
    await a.done;
    expect(order).toEqual(["work stopped", "stopped leading"]);
    expect(lock.writes.length).toBe(writesBefore + 1);
    expect(lock.record).toMatchObject({ holderIdentity: "", leaseDurationSeconds: 1 });
    const waited = await advanceUntil(clock, () => b.elector.isLeader());
    expect(waited).toBeLessThanOrEqual(RETRY_MS * 2.2);
    expect(lock.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    expect(b.newLeaders).toEqual(["a", "b"]);
    b.stop.abort();
    await b.done;
  });

  it("takes over a lease whose holder stopped renewing only after the lease duration, by its own clock", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a", { releaseOnCancel: false });
    await flushPromises();
    const b = candidate(lock, clock, "b");
    await clock.advance(5_000);
    a.stop.abort(); // a crash: no release
    await a.done;
    const lastRenewal = lock.writes.length;
    expect(lock.record?.holderIdentity).toBe("a");
    // b's clock: the record last changed at a's last renewal, which b saw at its next poll.
    await clock.advance(LEASE_MS - RETRY_MS - 100);
    expect(b.elector.isLeader()).toBe(false);
    expect(lock.writes.length).toBe(lastRenewal);
    await advanceUntil(clock, () => b.elector.isLeader(), LEASE_MS);
    expect(lock.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 1 });
    b.stop.abort();
    await b.done;
  });

  it("judges expiry by when it saw the record change, not by the record's renewTime", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    // Another replica with a clock decades behind renews every 5 s.
    const renewAsOther = (): void =>
      lock.set({
        holderIdentity: "other",
        leaseDurationSeconds: 15,
        acquireTime: "2000-01-01T00:00:00.000000Z",
        renewTime: formatMicroTime(Date.UTC(2000, 0, 1) + (clock.now() % 1_000_000)),
        leaseTransitions: 4,
      });
    renewAsOther();
    const b = candidate(lock, clock, "b");
    for (let i = 0; i < 12; i++) {
      await clock.advance(5_000);
      renewAsOther();
    }
    expect(b.elector.isLeader()).toBe(false);
    // The other replica stops: b takes over once 15 s have passed on its own clock.
    const waited = await advanceUntil(clock, () => b.elector.isLeader());
    expect(waited).toBeGreaterThanOrEqual(LEASE_MS - RETRY_MS);
    expect(lock.record).toMatchObject({ holderIdentity: "b", leaseTransitions: 5 });
    b.stop.abort();
    await b.done;
  });

  it("stops leading when renewals fail for the renew deadline, before the lease could expire", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a");
    await clock.advance(RETRY_MS);
    const lastRenewalAt = clock.now();
    lock.unreachableFor = "*";
    await advanceUntil(clock, () => a.leading?.aborted === true);
    await a.done;
    expect(clock.now() - lastRenewalAt).toBeLessThan(LEASE_MS);
    expect(a.elector.isLeader()).toBe(false);
    expect(a.stoppedLeading).toBe(1);
    expect(a.elector.state).toBe("stopped");
  });

  it("keeps leading through a renewal that fails briefly", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a");
    await clock.advance(RETRY_MS);
    lock.unreachableFor = "*";
    await clock.advance(RENEW_MS / 2);
    lock.unreachableFor = undefined;
    await clock.advance(RENEW_MS * 2);
    expect(a.elector.isLeader()).toBe(true);
    expect(a.leading?.aborted).toBe(false);
    a.stop.abort();
    await a.done;
  });

  it("re-reads the lease when another writer changed it, and keeps it when it is still the holder", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a");
    await flushPromises();
    // e.g. someone annotated the Lease: same record, new resourceVersion.
    lock.set({ ...lock.record! });
    await clock.advance(RETRY_MS * 3);
    expect(a.elector.isLeader()).toBe(true);
    expect(lock.record?.holderIdentity).toBe("a");
    expect(lock.record?.leaseTransitions).toBe(0);
    a.stop.abort();
    await a.done;
  });

  it("lets only one of two candidates take an expired lease (optimistic concurrency)", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    lock.set({
      holderIdentity: "gone",
      leaseDurationSeconds: 15,
      acquireTime: formatMicroTime(clock.now()),
      renewTime: formatMicroTime(clock.now()),
      leaseTransitions: 0,
    });
    const a = candidate(lock, clock, "a");
    const b = candidate(lock, clock, "b");
    await clock.advance(LEASE_MS + RETRY_MS * 3);
    expect([a.elector.isLeader(), b.elector.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(lock.record?.leaseTransitions).toBe(1);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it("never calls onStoppedLeading for a candidate that never led", async () => {
    const clock = new FakeClock();
    const lock = new FakeLeaseLock();
    const a = candidate(lock, clock, "a");
    const b = candidate(lock, clock, "b");
    await clock.advance(5_000);
    b.stop.abort();
    await b.done;
    expect(b.stoppedLeading).toBe(0);
    expect(lock.record?.holderIdentity).toBe("a");
    a.stop.abort();
    await a.done;
  });

  it("rejects inconsistent durations", () => {
    const lock = new FakeLeaseLock();
    const make = (options: Partial<LeaderElectionOptions>) => () =>
      new LeaderElector({ lock, identity: "a", callbacks: { onStartedLeading: () => {} }, ...options });
    expect(make({})).not.toThrow();
    expect(make({ identity: "" })).toThrow(/identity/);
    expect(make({ leaseDurationMs: 10_000, renewDeadlineMs: 10_000 })).toThrow(/leaseDuration/);
    expect(make({ renewDeadlineMs: 2_000, retryPeriodMs: 2_000 })).toThrow(/renewDeadline/);
    expect(make({ leaseDurationMs: 500, renewDeadlineMs: 400, retryPeriodMs: 100 })).toThrow(/1 s/);
  });
});
