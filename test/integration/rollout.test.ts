// "Is my policy enforced on every node yet?" on the real API server, with the test harness playing
// the Machine Config Operator (test/harness/fake-mco.ts: rendered-* MachineConfigs merged from the
// pool's MachineConfigs, pool status moved through updating → updated, or degraded). Assertions
// are on the objects an SRE reads: the policy's Enforced condition and the ClusterOperator.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { stringify } from "yaml";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { Condition } from "../../pkg/apis/meta.ts";
import type { MachineConfigPool } from "../../pkg/apis/machineconfiguration/v1/machineconfigpool.ts";
import { runController } from "../../pkg/cli/controller.ts";
import {
  CLUSTER_IMAGE_POLICIES,
  CLUSTER_OPERATORS,
  IMAGE_POLICIES,
  isNotFound,
  KubeClient,
  MACHINE_CONFIG_POOLS,
  MACHINE_CONFIGS,
} from "../../pkg/kube/index.ts";
import { eventually } from "../../pkg/kube/testing/eventually.ts";
import { defaultPools } from "../../pkg/render/snapshot.ts";
import { cip, ip, roots } from "../../pkg/render/testing/fixtures.ts";
import { FakeMachineConfigOperator } from "../harness/fake-mco.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";
import { freePort } from "../harness/tools.ts";

let client: KubeClient;
let namespace: TestNamespace;
let mco: FakeMachineConfigOperator;
let metricsPort: number;
let stopController: (() => Promise<void>) | undefined;

const WAIT = { timeoutMs: 60_000 };

async function enforced(name: string): Promise<Condition | undefined> {
  const policy = await client.resource(CLUSTER_IMAGE_POLICIES).get(name);
  return policy.status?.conditions?.find((c) => c.type === "Enforced");
}

async function expectEnforced(
  name: string,
  expected: Partial<Record<keyof Condition, unknown>>,
): Promise<void> {
  await eventually(async () => expect(await enforced(name)).toMatchObject(expected), WAIT);
}

/** Both built-in pools render their MachineConfigs and report `updated` of their machines done. */
async function rollOut(worker: number, master = 1): Promise<void> {
  await mco.render("worker");
  await mco.render("master");
  await mco.progress("worker", { machineCount: 3, updatedMachineCount: worker });
  await mco.progress("master", { machineCount: 1, updatedMachineCount: master });
}

async function metricsText(): Promise<string> {
  return (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
}

beforeAll(async () => {
  const plane = getTestEnvironment();
  client = new KubeClient(plane.kubeConfig);
  namespace = await createTestNamespace(plane.kubeConfig, "rollout");
  mco = new FakeMachineConfigOperator(client);
  for (const pool of defaultPools()) await client.resource(MACHINE_CONFIG_POOLS).create(pool);
  // A pool none of the generated MachineConfigs reach: it must never hold a policy back.
  await client.resource(MACHINE_CONFIG_POOLS).create({
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfigPool",
    metadata: { name: "gpu" },
    spec: { machineConfigSelector: { matchLabels: { "machineconfiguration.openshift.io/role": "gpu" } } },
  } as MachineConfigPool);
  metricsPort = await freePort();
  const abort = new AbortController();
  const done = runController(
    [
      "--kubeconfig",
      plane.kubeconfigPath,
      "--metrics-bind-address",
      `127.0.0.1:${metricsPort}`,
      "--log-level",
      "error",
      "--namespace",
      namespace.name,
    ],
    { out: () => undefined, err: () => undefined },
    abort.signal,
  );
  stopController = async () => {
    abort.abort();
    await done;
  };
}, 120_000);

afterAll(async () => {
  await stopController?.();
  const del = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  };
  for (const c of (await client.resource(CLUSTER_IMAGE_POLICIES).list()).items)
    await del(() => client.resource(CLUSTER_IMAGE_POLICIES).delete(c.metadata.name ?? ""));
  for (const name of ["master", "worker", "gpu"])
    await del(() => client.resource(MACHINE_CONFIG_POOLS).delete(name));
  for (const name of ["99-worker-generated-registries", "99-master-generated-registries"])
    await del(() => client.resource(MACHINE_CONFIGS).delete(name));
  await del(() => client.resource(CLUSTER_OPERATORS).delete("image-policy"));
  await mco.cleanup();
  await namespace.cleanup();
  client.close();
});

describe("Enforced: a policy's rollout to the nodes", () => {
  it("goes Pending → RollingOut (with counts) → Enforced, and an edit goes back to rolling out", async () => {
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip("rollout", ["quay.io/rollout"]));
    // The MachineConfig is written, but no pool has rendered it yet.
    await expectEnforced("rollout", {
      status: "False",
      reason: "Pending",
      message: "no rendered configuration carries it yet on master, worker",
      observedGeneration: 1,
    });
    await rollOut(0, 0);
    await expectEnforced("rollout", {
      reason: "RollingOut",
      message: "master: 0 of 1 machines updated; worker: 0 of 3 machines updated",
    });
    await mco.progress("worker", { machineCount: 3, updatedMachineCount: 2 });
    await expectEnforced("rollout", {
      reason: "RollingOut",
      message: expect.stringContaining("worker: 2 of 3 machines updated"),
    });
    await rollOut(3, 1);
    await expectEnforced("rollout", {
      status: "True",
      reason: "Enforced",
      message: "enforced on every node: master: done; worker: done",
    });
    // The metrics say so too, per pool and per reason.
    await eventually(async () => {
      const text = await metricsText();
      expect(text).toMatch(/^image_policy_pool_machines_enforcing\{pool="worker"\} 3$/m);
      expect(text).toMatch(
        /^image_policy_policies_enforced\{kind="ClusterImagePolicy",reason="Enforced"\} 1$/m,
      );
      expect(text).toMatch(/^image_policy_time_to_enforced_seconds_count 1$/m);
    }, WAIT);

    // An edit (another key): the nodes still run the old requirement.
    const live = await client.resource(CLUSTER_IMAGE_POLICIES).get("rollout");
    await client.resource(CLUSTER_IMAGE_POLICIES).update({
      ...live,
      spec: { ...live.spec, policy: { ...live.spec.policy, rootOfTrust: roots.publicKeyWithRekor() } },
    } as ClusterImagePolicy);
    await expectEnforced("rollout", { status: "False", reason: "Pending", observedGeneration: 2 });
    await rollOut(1, 1);
    await expectEnforced("rollout", {
      reason: "RollingOut",
      message: "master: done; worker: 1 of 3 machines updated",
    });
    await rollOut(3, 1);
    await expectEnforced("rollout", { status: "True", reason: "Enforced", observedGeneration: 2 });
    if (process.env.IPC_PRINT_STATUS) {
      const shown = await client.resource(CLUSTER_IMAGE_POLICIES).get("rollout");
      process.stdout.write(`${stringify({ status: shown.status })}\n`);
    }
  });

  it("a degraded pool gives PoolDegraded and a Degraded ClusterOperator", async () => {
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip("degraded", ["quay.io/degraded"]));
    await expectEnforced("degraded", { reason: "Pending" });
    await mco.render("worker");
    await mco.render("master");
    await mco.progress("master", { machineCount: 1, updatedMachineCount: 1 });
    await mco.progress("worker", {
      machineCount: 3,
      updatedMachineCount: 1,
      degraded: "Node w-2 is reporting: drain failed",
    });
    await expectEnforced("degraded", {
      status: "False",
      reason: "PoolDegraded",
      message: "worker is degraded: Node w-2 is reporting: drain failed",
    });
    await eventually(async () => {
      const operator = await client.resource(CLUSTER_OPERATORS).get("image-policy");
      const byType = Object.fromEntries((operator.status?.conditions ?? []).map((c) => [c.type, c]));
      expect(byType.Degraded).toMatchObject({ status: "True", reason: "PoolDegraded" });
      expect(byType.Available).toMatchObject({ status: "True" });
      expect(operator.status?.versions).toEqual([{ name: "operator", version: expect.any(String) }]);
    }, WAIT);
    // Recovered: every machine updated, nothing degraded.
    await rollOut(3, 1);
    await expectEnforced("degraded", { status: "True", reason: "Enforced" });
    await eventually(async () => {
      const operator = await client.resource(CLUSTER_OPERATORS).get("image-policy");
      const byType = Object.fromEntries((operator.status?.conditions ?? []).map((c) => [c.type, c]));
      expect(byType.Degraded).toMatchObject({ status: "False" });
      expect(byType.Progressing).toMatchObject({ status: "False" });
    }, WAIT);
  });

  it("an ImagePolicy is Enforced only once its namespace file is in the rendered configuration", async () => {
    const policies = client.resource(IMAGE_POLICIES);
    await policies.create(ip(namespace.name, "team", ["registry.example.com/team-rollout"]));
    const condition = async () =>
      (await policies.get("team", namespace.name)).status?.conditions?.find((c) => c.type === "Enforced");
    await eventually(async () => expect(await condition()).toMatchObject({ reason: "Pending" }), WAIT);
    await rollOut(3, 1);
    await eventually(
      async () => expect(await condition()).toMatchObject({ status: "True", reason: "Enforced" }),
      WAIT,
    );
    const worker = await client.resource(MACHINE_CONFIG_POOLS).get("worker");
    const rendered = (worker.spec as { configuration?: { name?: string } }).configuration?.name ?? "";
    const files = (
      (await client.resource(MACHINE_CONFIGS).get(rendered)).spec?.config as {
        storage: { files: { path: string }[] };
      }
    ).storage.files.map((f) => f.path);
    expect(files).toContain(`/etc/crio/policies/${namespace.name}.json`);
  });

  it("a refused render gives Applied=False on every policy and keeps the delivered MachineConfig", async () => {
    const before = await client.resource(MACHINE_CONFIGS).get("99-worker-generated-registries");
    // A built-in pool whose name is valid but whose generated MachineConfig's name would exceed 253
    // characters: the render is refused as a whole, nothing may be delivered.
    const long = "p".repeat(240);
    await client.resource(MACHINE_CONFIG_POOLS).create({
      ...defaultPools()[1]!,
      metadata: { name: long, labels: { "machineconfiguration.openshift.io/mco-built-in": "" } },
    });
    try {
      await eventually(async () => {
        const applied = (
          await client.resource(CLUSTER_IMAGE_POLICIES).get("rollout")
        ).status?.conditions?.find((c) => c.type === "Applied");
        expect(applied).toMatchObject({ status: "False", reason: "RenderRefused" });
        expect(applied?.message).toMatch(
          /^the node files cannot be delivered, nodes keep the last good configuration: /,
        );
      }, WAIT);
      // Every policy says so, not only one.
      await eventually(async () => {
        const all = [
          ...(await client.resource(CLUSTER_IMAGE_POLICIES).list()).items,
          ...(await client.resource(IMAGE_POLICIES).list()).items,
        ];
        expect(all.length).toBeGreaterThanOrEqual(3);
        for (const policy of all) {
          expect(policy.status?.conditions?.find((c) => c.type === "Applied")).toMatchObject({
            status: "False",
            reason: "RenderRefused",
          });
        }
      }, WAIT);
      // The ClusterOperator is written after the policies' conditions, in the same reconcile.
      await eventually(async () => {
        const operator = await client.resource(CLUSTER_OPERATORS).get("image-policy");
        expect(operator.status?.conditions?.find((c) => c.type === "Degraded")).toMatchObject({
          status: "True",
          reason: "RenderRefused",
        });
      }, WAIT);
      const after = await client.resource(MACHINE_CONFIGS).get("99-worker-generated-registries");
      expect(after.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    } finally {
      await client.resource(MACHINE_CONFIG_POOLS).delete(long);
    }
    await eventually(async () => {
      const applied = (await client.resource(CLUSTER_IMAGE_POLICIES).get("rollout")).status?.conditions?.find(
        (c) => c.type === "Applied",
      );
      expect(applied).toMatchObject({ status: "True" });
    }, WAIT);
  });
});
