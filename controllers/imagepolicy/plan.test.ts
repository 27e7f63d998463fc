// The reconcile's decisions, without any API: a render, what is live, and the plan.
import { describe, expect, it } from "@jest/globals";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../../pkg/apis/machineconfiguration/v1/machineconfigpool.ts";
import { render, type Rendered } from "../../pkg/render/render.ts";
import { defaultPools } from "../../pkg/render/snapshot.ts";
import { cip, ip, snapshot } from "../../pkg/render/testing/fixtures.ts";
import { nodePolicyOf, type NodePolicy } from "../../pkg/rollout/node-policy.ts";
import { planReconcile, withManagedByLabel, type LiveState, type PolicyObject } from "./plan.ts";

const options = {
  fieldManager: "image-policy-controller",
  takeOverMachineConfigs: false,
  controllerVersion: "test",
  namespace: "image-policy-system",
  now: "2026-12-02T10:00:00Z",
  synced: true,
};

const release = cip("release", ["quay.io/openshift-release-dev/ocp-release"]);
const team = ip("team-a", "tools", ["registry.example.com/team-a"]);

/** The Machine Config Operator's merge for a pool, reduced to what matters: our generated files. */
function renderedFor(pool: string, rendered: Rendered): NodePolicy {
  const generated = rendered.machineConfigs.find(
    (mc) => mc.metadata.name === `99-${pool}-generated-registries`,
  );
  return nodePolicyOf(generated ?? ({ metadata: {}, spec: {} } as MachineConfig));
}

function poolWith(
  name: string,
  status: { current: string; target: string; machines: number; updated: number; degraded?: string },
): MachineConfigPool {
  const base = defaultPools().find((p) => p.metadata.name === name) ?? defaultPools()[1]!;
  return {
    ...base,
    spec: { ...base.spec, configuration: { name: status.target } } as MachineConfigPool["spec"],
    status: {
      configuration: { name: status.current },
      machineCount: status.machines,
      updatedMachineCount: status.updated,
      conditions: [
        {
          type: "Updated",
          status: status.updated === status.machines && status.current === status.target ? "True" : "False",
        },
        ...(status.degraded ? [{ type: "Degraded", status: "True", message: status.degraded }] : []),
      ],
    },
  };
}

function live(
  rendered: Rendered,
  pools: MachineConfigPool[],
  nodePolicies: Record<string, NodePolicy | undefined>,
): LiveState {
  return {
    // As this controller applied them: with its label and its field manager's Apply entry.
    machineConfigs: new Map(
      rendered.machineConfigs.map((mc) => {
        const ours = withManagedByLabel(mc);
        const metadata = {
          ...ours.metadata,
          managedFields: [{ manager: options.fieldManager, operation: "Apply" }],
        };
        return [mc.metadata.name ?? "", { ...ours, metadata } as MachineConfig];
      }),
    ),
    policies: [release, team] as PolicyObject[],
    pools,
    nodePolicies: new Map(Object.entries(nodePolicies)),
    clusterOperator: undefined,
  };
}

const enforcedOf = (plan: ReturnType<typeof planReconcile>, name: string) =>
  plan.enforced.find((e) => e.outcome.name === name)?.condition;

describe("planReconcile: Enforced follows the pools' rollout", () => {
  const rendered = render(snapshot({ clusterImagePolicies: [release], imagePolicies: [team] }));
  const empty: NodePolicy = new Map();
  const worker = renderedFor("worker", rendered);
  const master = renderedFor("master", rendered);

  it("Pending while no rendered configuration carries the policy", () => {
    const plan = planReconcile(
      rendered,
      live(
        rendered,
        [poolWith("worker", { current: "r-w-old", target: "r-w-old", machines: 3, updated: 3 })],
        {
          "r-w-old": empty,
        },
      ),
      options,
    );
    expect(enforcedOf(plan, "release")).toMatchObject({
      status: "False",
      reason: "Pending",
      message: "no rendered configuration carries it yet on worker",
      observedGeneration: 1,
    });
    // Already live, ours and up to date: nothing to apply, nobody else's to warn about.
    expect(
      plan.steps.filter((s) => s.kind === "apply" || (s.kind === "event" && s.reason === "ManagedByAnother")),
    ).toEqual([]);
  });

  it("RollingOut with counts, then Enforced; a pool the MachineConfig does not reach does not count", () => {
    const gpu: MachineConfigPool = {
      ...poolWith("worker", { current: "r-gpu", target: "r-gpu", machines: 2, updated: 0 }),
      metadata: { name: "gpu" },
      spec: { machineConfigSelector: { matchLabels: { "machineconfiguration.openshift.io/role": "gpu" } } },
    };
    const rolling = planReconcile(
      rendered,
      live(
        rendered,
        [
          poolWith("worker", { current: "r-w-old", target: "r-w-new", machines: 5, updated: 3 }),
          poolWith("master", { current: "r-m-new", target: "r-m-new", machines: 3, updated: 3 }),
          gpu,
        ],
        { "r-w-old": empty, "r-w-new": worker, "r-m-new": master, "r-gpu": empty },
      ),
      options,
    );
    expect(enforcedOf(rolling, "release")).toMatchObject({
      status: "False",
      reason: "RollingOut",
      message: "master: done; worker: 3 of 5 machines updated",
    });
    expect(rolling.pools).toEqual([
      { name: "master", machineCount: 3, enforcingMachines: 3 },
      { name: "worker", machineCount: 5, enforcingMachines: 3 },
    ]);
    const done = planReconcile(
      rendered,
      live(
        rendered,
        [
          poolWith("worker", { current: "r-w-new", target: "r-w-new", machines: 5, updated: 5 }),
          poolWith("master", { current: "r-m-new", target: "r-m-new", machines: 3, updated: 3 }),
          gpu,
        ],
        { "r-w-new": worker, "r-m-new": master, "r-gpu": empty },
      ),
      options,
    );
    expect(enforcedOf(done, "release")).toMatchObject({ status: "True", reason: "Enforced" });
    expect(enforcedOf(done, "tools")).toMatchObject({ status: "True", reason: "Enforced" });
    // The event says so once.
    expect(done.steps).toContainEqual(
      expect.objectContaining({
        kind: "event",
        reason: "Enforced",
        regarding: expect.objectContaining({ kind: "ClusterImagePolicy" }),
      }),
    );
  });

  it("an ImagePolicy is enforced only when its namespace file is in the rendered configuration", () => {
    // A rendered configuration with the cluster policy but no namespace file.
    const clusterOnly = render(snapshot({ clusterImagePolicies: [release] }));
    const plan = planReconcile(
      rendered,
      live(rendered, [poolWith("worker", { current: "r", target: "r", machines: 1, updated: 1 })], {
        r: renderedFor("worker", clusterOnly),
      }),
      options,
    );
    expect(enforcedOf(plan, "release")?.reason).toBe("Enforced");
    expect(enforcedOf(plan, "tools")?.reason).toBe("Pending");
  });

  it("PoolDegraded names the pool, and the ClusterOperator turns Degraded", () => {
    const plan = planReconcile(
      rendered,
      live(
        rendered,
        [
          poolWith("worker", {
            current: "r-w-old",
            target: "r-w-new",
            machines: 5,
            updated: 2,
            degraded: "Node w-3 is reporting: drain failed",
          }),
        ],
        { "r-w-old": empty, "r-w-new": worker },
      ),
      options,
    );
    expect(enforcedOf(plan, "release")).toMatchObject({
      status: "False",
      reason: "PoolDegraded",
      message: "worker is degraded: Node w-3 is reporting: drain failed",
    });
    const operator = plan.steps.find((s) => s.kind === "clusterOperator");
    expect(
      operator?.kind === "clusterOperator" && operator.status.conditions?.find((c) => c.type === "Degraded"),
    ).toMatchObject({
      status: "True",
      reason: "PoolDegraded",
    });
  });

  it("Unknown when a rendered configuration cannot be read", () => {
    const plan = planReconcile(
      rendered,
      live(rendered, [poolWith("worker", { current: "gone", target: "gone", machines: 1, updated: 1 })], {
        gone: undefined,
      }),
      options,
    );
    expect(enforcedOf(plan, "release")).toMatchObject({ status: "Unknown", reason: "PoolsUnknown" });
  });
});

describe("planReconcile: a refused render", () => {
  it("touches no MachineConfig, sets Applied=False RenderRefused on every policy with an event, and Degrades the operator", () => {
    const rendered: Rendered = {
      ...render(snapshot({ clusterImagePolicies: [release], imagePolicies: [team] })),
      errors: ["too large"],
    };
    const state = live(rendered, [], {});
    const plan = planReconcile(
      { ...rendered, machineConfigs: rendered.machineConfigs.map((mc) => ({ ...mc, spec: {} })) },
      state,
      options,
    );
    expect(plan.steps.filter((s) => s.kind === "apply" || s.kind === "delete")).toEqual([]);
    const statuses = plan.steps.filter((s) => s.kind === "status");
    expect(statuses).toHaveLength(2);
    for (const s of statuses) {
      if (s.kind !== "status") continue;
      expect(s.conditions.find((c) => c.type === "Applied")).toMatchObject({
        status: "False",
        reason: "RenderRefused",
        message: "the node files cannot be delivered, nodes keep the last good configuration: too large",
      });
    }
    expect(plan.steps.filter((s) => s.kind === "event" && s.reason === "RenderRefused")).toHaveLength(2);
    const operator = plan.steps.find((s) => s.kind === "clusterOperator");
    expect(
      operator?.kind === "clusterOperator" &&
        operator.status.conditions?.find((c) => c.type === "Degraded")?.reason,
    ).toBe("RenderRefused");
  });

  it("writes no ClusterOperator where the kind does not exist", () => {
    const rendered = render(snapshot({ clusterImagePolicies: [release] }));
    const plan = planReconcile(rendered, { ...live(rendered, [], {}), clusterOperator: "absent" }, options);
    expect(plan.steps.filter((s) => s.kind === "clusterOperator")).toEqual([]);
  });
});
