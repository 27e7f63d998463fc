// The reconcile's decisions, without any API: a render, what is live, and the plan.
import { describe, expect, it } from "@jest/globals";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../../pkg/apis/machineconfiguration/v1/machineconfigpool.ts";
import { render, type Rendered } from "../../pkg/render/render.ts";
import { defaultPools } from "../../pkg/render/snapshot.ts";
import { cip, ip, snapshot } from "../../pkg/render/testing/fixtures.ts";
import { nodePolicyOf, type NodePolicy } from "../../pkg/rollout/node-policy.ts";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { ImagePolicy } from "../../pkg/apis/config/v1/imagepolicy.ts";
import { planReconcile, withManagedByLabel, type LiveState, type Plan, type PolicyObject } from "./plan.ts";

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

/**
 * The cluster as plain data, and what performing a plan's steps leaves in it (what the API server
 * would store), so that several reconciles can follow each other. Not an API client: the executor
 * that talks to the API server is tested against a real one (test/integration/controllers.test.ts).
 */
class World {
  cips: PolicyObject[] = [cip("release", ["quay.io/openshift-release-dev/ocp-release"])];
  ips: PolicyObject[] = [
    ip("team-a", "tools", ["quay.io/openshift-release-dev/ocp-release/tools", "registry.example.com/team-a"]),
  ];
  pools = defaultPools();
  machineConfigs = new Map<string, MachineConfig>();
  events: string[] = [];
  #clock = 0;

  plan(extra: Partial<typeof options> = {}) {
    const rendered = render(
      snapshot({
        clusterImagePolicies: this.cips as ClusterImagePolicy[],
        imagePolicies: this.ips as ImagePolicy[],
        pools: this.pools,
      }),
    );
    return planReconcile(
      rendered,
      {
        machineConfigs: this.machineConfigs,
        policies: [...this.cips, ...this.ips],
        pools: this.pools,
        nodePolicies: new Map(),
        clusterOperator: "absent",
      },
      { ...options, now: new Date(Date.UTC(2026, 11, 2, 10, 0, this.#clock++)).toISOString(), ...extra },
    );
  }

  /** Plans and performs the steps: applied objects carry our field manager, statuses replace our types. */
  reconcile(extra: Partial<typeof options> = {}) {
    const plan = this.plan(extra);
    for (const step of plan.steps) {
      if (step.kind === "apply") {
        const name = step.machineConfig.metadata.name ?? "";
        const uid = this.machineConfigs.get(name)?.metadata.uid ?? `uid-${name}`;
        const metadata = {
          ...step.machineConfig.metadata,
          uid,
          managedFields: [{ manager: options.fieldManager, operation: "Apply" }],
        };
        this.machineConfigs.set(name, structuredClone({ ...step.machineConfig, metadata }) as MachineConfig);
      } else if (step.kind === "delete") {
        this.machineConfigs.delete(step.name);
      } else if (step.kind === "status") {
        const owned = new Set(step.conditions.map((c) => c.type));
        const others = (step.policy.status?.conditions ?? []).filter(
          (c) => !owned.has(c.type) && !["Applied", "Pending", "Enforced"].includes(c.type),
        );
        step.policy.status = { conditions: [...others, ...step.conditions] };
      } else if (step.kind === "event") {
        this.events.push(
          `${step.type} ${step.reason} ${step.regarding.kind}/${step.regarding.metadata.name}: ${step.message}`,
        );
      }
    }
    return plan;
  }
}

const kinds = (plan: Plan) =>
  plan.steps.map((s) =>
    s.kind === "apply"
      ? `apply ${s.machineConfig.metadata.name}${s.force ? " (force)" : ""}`
      : s.kind === "delete"
        ? `delete ${s.name}`
        : s.kind === "status"
          ? `status ${s.policy.metadata.name} [${s.conditions.map((c) => c.type).join(" ")}]`
          : s.kind,
  );

describe("planReconcile: MachineConfigs and conditions", () => {
  it("creates one MachineConfig per pool without force and writes the policies' status", () => {
    const w = new World();
    const plan = w.reconcile();
    expect(kinds(plan).filter((k) => k.startsWith("apply"))).toEqual([
      "apply 99-master-generated-registries",
      "apply 99-worker-generated-registries",
    ]);
    expect(w.cips[0]?.status?.conditions).toEqual([
      expect.objectContaining({ type: "Applied", status: "True", reason: "Applied", observedGeneration: 1 }),
      expect.objectContaining({
        type: "Enforced",
        status: "False",
        reason: "Pending",
        observedGeneration: 1,
      }),
    ]);
    expect((w.ips[0]?.status?.conditions ?? []).map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Applied", "False", "ConflictScopes"],
      ["Pending", "False", "ConflictScopes"],
      ["Enforced", "False", "Pending"],
    ]);
    expect(w.ips[0]?.status?.conditions?.[1]?.message).toBe(
      'has conflicting scope(s) ["quay.io/openshift-release-dev/ocp-release/tools"] that equal to or nest inside existing clusterimagepolicy, only policy from clusterimagepolicy scope(s) will be applied',
    );
    expect(w.events).toEqual([
      expect.stringMatching(/^Warning ConflictScopes ImagePolicy\/tools: has conflicting/),
    ]);
  });

  it("plans nothing when nothing changed (no churn), and restores a MachineConfig someone edited with force", () => {
    const w = new World();
    w.reconcile();
    expect(w.plan().steps).toEqual([]);
    const edited = w.machineConfigs.get("99-worker-generated-registries");
    if (edited) edited.spec = { config: { ignition: { version: "3.5.0" } } };
    expect(kinds(w.plan())).toEqual(["apply 99-worker-generated-registries (force)"]);
  });

  it("clears the Pending condition when the conflict goes away, with a new transition time and an event", () => {
    const w = new World();
    w.reconcile();
    const before = w.ips[0]?.status?.conditions?.find((x) => x.type === "Applied");
    w.cips = [];
    w.reconcile();
    const after = w.ips[0]?.status?.conditions ?? [];
    expect(after.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Applied", "True", "Applied"],
      ["Enforced", "False", "Pending"],
    ]);
    expect(after[0]?.lastTransitionTime).not.toBe(before?.lastTransitionTime);
    expect(w.events.at(-1)).toMatch(/^Normal Applied ImagePolicy\/tools/);
  });

  it("deletes, with the uid it saw as a precondition, the MachineConfig of a pool that is gone; never one it did not apply", () => {
    const w = new World();
    w.reconcile();
    w.machineConfigs.set("99-infra-generated-registries", {
      apiVersion: "machineconfiguration.openshift.io/v1",
      kind: "MachineConfig",
      metadata: { name: "99-infra-generated-registries" },
      spec: {},
    });
    w.pools = w.pools.filter((p) => p.metadata.name !== "master");
    const deletes = w.plan().steps.filter((s) => s.kind === "delete");
    expect(deletes).toEqual([
      { kind: "delete", name: "99-master-generated-registries", uid: "uid-99-master-generated-registries" },
    ]);
  });

  it("patches only the condition types it owns, never another manager's condition", () => {
    const w = new World();
    const policy = w.cips[0]!;
    policy.status = {
      conditions: [
        {
          type: "Verified",
          status: "True",
          reason: "ByOther",
          message: "",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ],
    };
    const plan = w.reconcile();
    expect(kinds(plan)).toContain("status release [Applied Enforced]");
    expect(policy.status.conditions?.map((x) => x.type)).toEqual(["Verified", "Applied", "Enforced"]);
  });

  it("leaves a generated MachineConfig another manager applied, unless told to take it over", () => {
    const w = new World();
    w.machineConfigs.set("99-worker-generated-registries", {
      apiVersion: "machineconfiguration.openshift.io/v1",
      kind: "MachineConfig",
      metadata: {
        name: "99-worker-generated-registries",
        uid: "mco-uid",
        managedFields: [{ manager: "machine-config-controller", operation: "Update" }],
      } as MachineConfig["metadata"],
      spec: {},
    });
    const left = w.reconcile();
    expect(kinds(left).filter((k) => k.startsWith("apply"))).toEqual([
      "apply 99-master-generated-registries",
    ]);
    expect(left.managedByAnother).toEqual(["99-worker-generated-registries"]);
    expect(w.events).toContainEqual(
      expect.stringMatching(
        /^Warning ManagedByAnother MachineConfig\/99-worker-generated-registries: .* is managed by machine-config-controller, not by this controller/,
      ),
    );
    const takeOver = w.plan({ takeOverMachineConfigs: true });
    expect(kinds(takeOver).filter((k) => k.startsWith("apply"))).toEqual([
      "apply 99-worker-generated-registries (force)",
    ]);
    expect(takeOver.steps).toContainEqual({
      kind: "log",
      message:
        "taking over 99-worker-generated-registries from machine-config-controller (--take-over-machineconfigs)",
      fields: { name: "99-worker-generated-registries", managers: "machine-config-controller" },
    });
    expect(takeOver.steps).toContainEqual(expect.objectContaining({ kind: "event", reason: "TakenOver" }));
  });

  it("applies no MachineConfig when the render fails, and says so on every policy", () => {
    const w = new World();
    const huge = cip(
      "huge",
      Array.from({ length: 250 }, (_, i) => `quay.io/org-${i}/a/very/long/path/to/make/it/big`),
    );
    w.cips = Array.from({ length: 6 }, (_, i) => ({
      ...structuredClone(huge),
      metadata: { name: `huge-${i}`, generation: 1 },
    }));
    w.ips = Array.from({ length: 400 }, (_, i) => ip(`ns-${i}`, "p", [`r.example.com/${i}`]));
    const plan = w.reconcile();
    expect(plan.refused).toEqual([expect.stringMatching(/cannot fit in one MachineConfig/)]);
    expect(kinds(plan).filter((k) => k.startsWith("apply") || k.startsWith("delete"))).toEqual([]);
    expect(plan.steps.filter((s) => s.kind === "status")).toHaveLength(w.cips.length + w.ips.length);
    expect(w.cips[0]?.status?.conditions?.find((c) => c.type === "Applied")).toMatchObject({
      status: "False",
      reason: "RenderRefused",
    });
    expect(w.events.filter((e) => e.startsWith("Warning RenderRefused"))).toHaveLength(
      w.cips.length + w.ips.length,
    );
  });
});
