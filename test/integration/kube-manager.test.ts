// pkg/kube's Manager and Controller end to end on a real kube-apiserver: informers → work queue →
// reconcile → status written by server-side apply; readiness only after the informers synced;
// metrics; graceful shutdown; and two replicas under leader election, of which only the leader
// reconciles, the other taking over when the leader shuts down.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import { KubeClient, type ResourceClient } from "../../pkg/kube/client.ts";
import { findCondition, setCondition } from "../../pkg/kube/conditions.ts";
import { Controller } from "../../pkg/kube/controller.ts";
import { Manager, type ManagerLeaderElection } from "../../pkg/kube/manager.ts";
import { CLUSTER_IMAGE_POLICIES, LEASES } from "../../pkg/kube/resources.ts";
import { consistently, eventually } from "../../pkg/kube/testing/eventually.ts";
import { MemoryLogger } from "../../pkg/kube/testing/memory-logger.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";

const plane = getTestEnvironment();
const run = crypto.randomBytes(3).toString("hex");
const LABEL = "kube-manager-test";
const KEY_DATA = Buffer.from(
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKNkqqCeTubXTagqs+AXLaxW69349\nMShW63AuPdIw/H2pWtzw+i++cyeo1Hdlw+jcLkMeIEUSEeySMgtRBk4iSg==\n-----END PUBLIC KEY-----",
).toString("base64");

let admin: KubeClient;
let policies: ResourceClient<ClusterImagePolicy>;
let namespace: TestNamespace;
const clients: KubeClient[] = [];

function policy(name: string, group: string, scope = "registry.example.com/app"): ClusterImagePolicy {
  return {
    apiVersion: "config.openshift.io/v1",
    kind: "ClusterImagePolicy",
    metadata: { name: `${name}-${run}`, labels: { [LABEL]: `${group}-${run}` } },
    spec: {
      scopes: [scope],
      policy: { rootOfTrust: { policyType: "PublicKey", publicKey: { keyData: KEY_DATA } } },
    },
  } as ClusterImagePolicy;
}

/**
 * A replica: a Manager with one controller that writes an "Observed" condition on each policy.
 * `beforeWrite` runs between reading and writing (a slow reconcile); `outcomes` records how each
 * write ended.
 */
function replica(
  group: string,
  identity: string,
  leaderElection?: ManagerLeaderElection,
  beforeWrite?: (signal: AbortSignal) => Promise<void>,
) {
  const client = new KubeClient(plane.kubeConfig);
  clients.push(client);
  const logger = new MemoryLogger();
  const manager = new Manager({
    client,
    bindAddress: "127.0.0.1:0",
    leaderElection: leaderElection && { ...leaderElection, identity },
    informers: { backoff: { initialMs: 200, maxMs: 2_000 } },
    logger,
  });
  const informer = manager.informers.informerFor(CLUSTER_IMAGE_POLICIES, {
    labelSelector: `${LABEL}=${group}-${run}`,
  });
  const writer = client.resource(CLUSTER_IMAGE_POLICIES);
  const reconciled: string[] = [];
  const outcomes: string[] = [];
  const controller = new Controller({
    name: "observer",
    kind: "ClusterImagePolicy",
    registry: manager.registry,
    logger,
    queue: { debounceMs: 50 },
    reconcile: async (key, { signal }) => {
      const current = informer.getByKey(key);
      if (!current) return;
      reconciled.push(key.replace(`-${run}`, ""));
      const conditions = setCondition(
        current.status?.conditions,
        {
          type: "Observed",
          status: "True",
          reason: "Seen",
          message: `by ${identity}`,
          observedGeneration: current.metadata.generation,
        },
        Date.now(),
      );
      await beforeWrite?.(signal);
      try {
        await writer.applyStatus(
          {
            apiVersion: current.apiVersion,
            kind: current.kind,
            metadata: { name: key },
            status: { conditions },
          } as ClusterImagePolicy,
          { fieldManager: "observer", signal },
        );
        outcomes.push("written");
      } catch (error) {
        outcomes.push(signal.aborted ? "aborted" : `failed: ${(error as Error).message}`);
        throw error;
      }
    },
  }).watch(informer);
  manager.add(controller);
  const stop = new AbortController();
  return { manager, reconciled, outcomes, logger, stop, identity, done: () => manager.run(stop.signal) };
}

async function observed(name: string) {
  const object = await policies.get(`${name}-${run}`);
  return {
    generation: object.metadata.generation,
    condition: findCondition(object.status?.conditions, "Observed"),
  };
}

beforeAll(async () => {
  admin = new KubeClient(plane.kubeConfig);
  policies = admin.resource(CLUSTER_IMAGE_POLICIES);
  namespace = await createTestNamespace(plane.kubeConfig, "kube-manager");
});

afterAll(async () => {
  const all = await policies.list({ labelSelector: LABEL });
  await Promise.all(
    all.items
      .filter((p) => p.metadata.name?.endsWith(run))
      .map((p) => policies.delete(p.metadata.name ?? "")),
  );
  await namespace.cleanup();
  admin.close();
  for (const client of clients) client.close();
});

describe("Manager on a real API server", () => {
  it("syncs, reports ready, reconciles every change, serves metrics, and shuts down gracefully", async () => {
    await policies.create(policy("existing", "solo"));
    const r = replica("solo", "solo");
    const running = r.done();
    await eventually(async () =>
      expect((await observed("existing")).condition).toMatchObject({
        message: "by solo",
        observedGeneration: 1,
      }),
    );
    const url = r.manager.health?.url ?? "";
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz?verbose`)).text()).toContain("[+]informers-synced ok");

    await policies.create(policy("new", "solo"));
    await policies.mergePatch(`existing-${run}`, undefined, {
      spec: { scopes: ["registry.example.com/changed"] },
    });
    await eventually(async () => {
      expect((await observed("new")).condition?.status).toBe("True");
      expect((await observed("existing")).condition?.observedGeneration).toBe(2);
    });
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(
      /controller_runtime_reconcile_total\{controller="observer",result="success"\} [1-9]/,
    );
    expect(metrics).toContain('workqueue_depth{name="observer"}');
    expect(metrics).toContain("process_resident_memory_bytes");

    r.stop.abort();
    await running;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    expect(r.logger.messages("info")).toContain("manager stopped");
  });

  it("a lost Lease stops the leader's write in flight: the API server never sees it", async () => {
    const election = {
      namespace: namespace.name,
      name: `lost-${run}`,
      leaseDurationMs: 2_000,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 300,
    };
    let reconcileStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (reconcileStarted = resolve));
    // The reconcile is mid-way (read done, write not yet sent) until leadership goes.
    const slow = replica("lost", "replica-lost", election, async (signal) => {
      reconcileStarted();
      await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    });
    await policies.create(policy("inflight", "lost"));
    const running = slow.done().then(
      () => "resolved",
      (error: unknown) => (error as Error).name,
    );
    await started;
    // Someone else takes the Lease: the leader cannot renew and loses it after the renew deadline.
    const leases = admin.resource(LEASES);
    const lease = await leases.get(election.name, namespace.name);
    await leases.update({
      ...lease,
      spec: {
        ...lease.spec,
        holderIdentity: "thief",
        leaseDurationSeconds: 60,
        renewTime: new Date().toISOString().replace("Z", "000Z"),
      },
    });
    expect(await running).toBe("LeaderElectionLostError");
    expect(slow.outcomes).toEqual(["aborted"]);
    const after = await observed("inflight");
    expect(after.condition).toBeUndefined();
  });

  it("runs the controllers only on the leader; the other replica takes over on the leader's graceful shutdown", async () => {
    const election = {
      namespace: namespace.name,
      name: `observer-${run}`,
      leaseDurationMs: 2_000,
      renewDeadlineMs: 1_500,
      retryPeriodMs: 300,
    };
    await policies.create(policy("first", "ha"));
    const one = replica("ha", "replica-one", election);
    const two = replica("ha", "replica-two", election);
    const runs = new Map([
      [one, one.done()],
      [two, two.done()],
    ]);
    const leader = await eventually(() => {
      const leading = [one, two].filter((r) => r.manager.isLeader());
      expect(leading).toHaveLength(1);
      return leading[0]!;
    });
    const standby = leader === one ? two : one;
    await eventually(async () =>
      expect((await observed("first")).condition?.message).toBe(`by ${leader.identity}`),
    );
    // Both replicas are ready (caches synced, campaigning); only the leader reconciles.
    for (const r of [one, two]) expect((await fetch(`${r.manager.health?.url}/readyz`)).status).toBe(200);
    await policies.create(policy("second", "ha"));
    await eventually(async () =>
      expect((await observed("second")).condition?.message).toBe(`by ${leader.identity}`),
    );
    await consistently(() => expect(standby.reconciled).toEqual([]), { durationMs: 1_000 });

    leader.stop.abort();
    await runs.get(leader);
    const lease = await admin.resource(LEASES).get(election.name, namespace.name);
    expect(["", standby.identity]).toContain(lease.spec?.holderIdentity);

    // The new leader reconciles everything once, then follows changes.
    await eventually(() => standby.manager.isLeader());
    await eventually(async () => {
      expect((await observed("first")).condition?.message).toBe(`by ${standby.identity}`);
      expect((await observed("second")).condition?.message).toBe(`by ${standby.identity}`);
    });
    await policies.create(policy("third", "ha"));
    await eventually(async () =>
      expect((await observed("third")).condition?.message).toBe(`by ${standby.identity}`),
    );
    expect(leader.reconciled).not.toContain("third");

    standby.stop.abort();
    await runs.get(standby);
    expect((await admin.resource(LEASES).get(election.name, namespace.name)).spec?.holderIdentity).toBe("");
  });
});
