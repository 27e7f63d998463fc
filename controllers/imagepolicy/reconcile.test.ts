import { describe, expect, it } from "@jest/globals";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { Condition, KubeObject } from "../../pkg/apis/meta.ts";
import { NEWEST_CRIO } from "../../pkg/render/crio-version.ts";
import { defaultPools } from "../../pkg/render/snapshot.ts";
import { cip, ip } from "../../pkg/render/testing/fixtures.ts";
import type { NodePolicy } from "../../pkg/rollout/node-policy.ts";
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  reconcileImagePolicies,
  type ClusterState,
  type ImagePolicyWriter,
  type PolicyObject,
} from "./reconcile.ts";

const FIELD_MANAGER = "image-policy-controller";

/** An in-memory cluster that behaves like the API server for what the reconciler does. */
class FakeCluster implements ClusterState, ImagePolicyWriter {
  cips = [cip("release", ["quay.io/openshift-release-dev/ocp-release"])];
  ips = [
    ip("team-a", "tools", ["quay.io/openshift-release-dev/ocp-release/tools", "registry.example.com/team-a"]),
  ];
  mcs = new Map<string, MachineConfig>();
  poolList = defaultPools();
  writes: string[] = [];
  events: string[] = [];
  clusterImagePolicies = () => this.cips;
  imagePolicies = () => this.ips;
  simpleSigningPolicies = () => [];
  featureGate = () => undefined;
  clusterVersion = () => undefined;
  image = () => undefined;
  imageDigestMirrorSets = () => [];
  imageTagMirrorSets = () => [];
  imageContentSourcePolicies = () => [];
  /** What the label-selected informer holds: only what this controller labelled. */
  machineConfigs = () =>
    [...this.mcs.values()].filter((mc) => mc.metadata.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE);
  pools = () => this.poolList;
  /** Condition types this controller's field manager owns, per policy (as the API server tracks). */
  ownedTypes = new Map<PolicyObject, Set<string>>();
  signals: (AbortSignal | undefined)[] = [];

  async applyMachineConfig(mc: MachineConfig, { force, signal }: { force: boolean; signal?: AbortSignal }) {
    this.signals.push(signal);
    this.writes.push(`mc ${mc.metadata.name}${force ? " (force)" : ""}`);
    const managedFields = [{ manager: FIELD_MANAGER, operation: "Apply" }];
    const uid = this.mcs.get(mc.metadata.name ?? "")?.metadata.uid ?? `uid-${mc.metadata.name}`;
    this.mcs.set(
      mc.metadata.name ?? "",
      structuredClone({ ...mc, metadata: { ...mc.metadata, uid, managedFields } }) as MachineConfig,
    );
  }
  async getMachineConfig(name: string): Promise<MachineConfig | undefined> {
    return this.mcs.get(name);
  }
  async deleteMachineConfig(name: string, uid: string | undefined, signal?: AbortSignal): Promise<void> {
    this.signals.push(signal);
    // The API server's precondition: a different object of the same name is not deleted.
    if (uid !== this.mcs.get(name)?.metadata.uid) throw new Error(`precondition failed: uid ${uid}`);
    this.writes.push(`delete ${name}`);
    this.mcs.delete(name);
  }
  /** Server-side apply of a list-map: our entries are replaced, other managers' entries stay. */
  async applyStatus(policy: PolicyObject, conditions: Condition[], signal?: AbortSignal): Promise<void> {
    this.signals.push(signal);
    this.writes.push(
      `status ${policy.kind} ${policy.metadata.name} [${conditions.map((c) => c.type).join(" ")}]`,
    );
    const previouslyOurs = this.ownedTypes.get(policy) ?? new Set<string>();
    const applied = new Set(conditions.map((c) => c.type));
    const others = (policy.status?.conditions ?? []).filter(
      (c) => !previouslyOurs.has(c.type) && !applied.has(c.type),
    );
    policy.status = { conditions: [...others, ...conditions] };
    this.ownedTypes.set(policy, applied);
  }
  event(regarding: KubeObject, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${regarding.kind}/${regarding.metadata.name}: ${message}`);
  }
  async nodePolicy(): Promise<NodePolicy | undefined> {
    return undefined;
  }
  /** A cluster without the ClusterOperator kind (plan.test.ts covers the operator status). */
  async clusterOperatorStatus(): Promise<"absent"> {
    return "absent";
  }
  async applyClusterOperatorStatus(): Promise<void> {
    throw new Error("no ClusterOperator kind here");
  }
}

function cluster(): FakeCluster {
  return new FakeCluster();
}

let clock = 0;
const options = {
  crioVersion: NEWEST_CRIO,
  controllerVersion: "test",
  fieldManager: FIELD_MANAGER,
  now: () => new Date(Date.UTC(2026, 10, 23, 10, 0, clock++)).toISOString(),
};

describe("reconcileImagePolicies", () => {
  it("creates one MachineConfig per pool and writes the policies' status", async () => {
    const c = cluster();
    const result = await reconcileImagePolicies(c, c, options);
    expect(result.machineConfigWrites).toEqual([
      "99-master-generated-registries",
      "99-worker-generated-registries",
    ]);
    expect(c.cips[0]?.status?.conditions).toEqual([
      expect.objectContaining({ type: "Applied", status: "True", reason: "Applied", observedGeneration: 1 }),
      // The pools have no rendered configuration yet (no Machine Config Operator here).
      expect.objectContaining({
        type: "Enforced",
        status: "False",
        reason: "Pending",
        observedGeneration: 1,
      }),
    ]);
    const ipConditions = c.ips[0]?.status?.conditions ?? [];
    expect(ipConditions.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Applied", "False", "ConflictScopes"],
      ["Pending", "False", "ConflictScopes"],
      ["Enforced", "False", "Pending"],
    ]);
    expect(ipConditions[1]?.message).toBe(
      'has conflicting scope(s) ["quay.io/openshift-release-dev/ocp-release/tools"] that equal to or nest inside existing clusterimagepolicy, only policy from clusterimagepolicy scope(s) will be applied',
    );
    expect(c.events).toEqual([
      expect.stringMatching(/^Warning ConflictScopes ImagePolicy\/tools: has conflicting/),
    ]);
  });

  it("writes nothing when nothing changed (no churn)", async () => {
    const c = cluster();
    await reconcileImagePolicies(c, c, options);
    c.writes = [];
    const again = await reconcileImagePolicies(c, c, options);
    expect(again.machineConfigWrites).toEqual([]);
    expect(again.statusWrites).toBe(0);
    expect(c.writes).toEqual([]);
  });

  it("restores a MachineConfig someone edited", async () => {
    const c = cluster();
    await reconcileImagePolicies(c, c, options);
    const edited = c.mcs.get("99-worker-generated-registries");
    if (!edited) throw new Error("missing");
    edited.spec.config = { ignition: { version: "3.5.0" } };
    const result = await reconcileImagePolicies(c, c, options);
    expect(result.machineConfigWrites).toEqual(["99-worker-generated-registries"]);
  });

  it("clears the Pending condition when the conflict goes away, keeping the transition time rules", async () => {
    const c = cluster();
    await reconcileImagePolicies(c, c, options);
    const before = c.ips[0]?.status?.conditions?.find((x) => x.type === "Applied");
    c.cips = [];
    await reconcileImagePolicies(c, c, options);
    const after = c.ips[0]?.status?.conditions ?? [];
    expect(after.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Applied", "True", "Applied"],
      ["Enforced", "False", "Pending"],
    ]);
    expect(after[0]?.lastTransitionTime).not.toBe(before?.lastTransitionTime);
    expect(c.events.at(-1)).toMatch(/^Normal Applied ImagePolicy\/tools/);
  });

  it("deletes the generated MachineConfig of a pool that is gone, and never one it did not apply", async () => {
    const c = cluster();
    await reconcileImagePolicies(c, c, options);
    c.mcs.set("99-infra-generated-registries", {
      apiVersion: "machineconfiguration.openshift.io/v1",
      kind: "MachineConfig",
      metadata: { name: "99-infra-generated-registries" },
      spec: {},
    });
    c.poolList = c.poolList.filter((p) => p.metadata.name !== "master");
    const result = await reconcileImagePolicies(c, c, options);
    expect(result.machineConfigDeletes).toEqual(["99-master-generated-registries"]);
    expect(c.mcs.has("99-infra-generated-registries")).toBe(true);
  });

  it("applies only the condition types it owns, and never takes another manager's condition", async () => {
    const c = cluster();
    const policy = c.cips[0]!;
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
    await reconcileImagePolicies(c, c, options);
    expect(c.writes).toContain("status ClusterImagePolicy release [Applied Enforced]");
    expect(policy.status.conditions?.map((x) => x.type)).toEqual(["Verified", "Applied", "Enforced"]);
  });

  it("leaves a generated MachineConfig another manager applied, unless told to take it over", async () => {
    const c = cluster();
    const foreign: MachineConfig = {
      apiVersion: "machineconfiguration.openshift.io/v1",
      kind: "MachineConfig",
      metadata: {
        name: "99-worker-generated-registries",
        uid: "mco-uid",
        managedFields: [{ manager: "machine-config-controller", operation: "Update" }],
      } as MachineConfig["metadata"],
      spec: {},
    };
    c.mcs.set("99-worker-generated-registries", structuredClone(foreign));
    const result = await reconcileImagePolicies(c, c, options);
    expect(result.machineConfigWrites).toEqual(["99-master-generated-registries"]);
    expect(result.machineConfigsManagedByAnother).toEqual(["99-worker-generated-registries"]);
    expect(c.mcs.get("99-worker-generated-registries")?.metadata.uid).toBe("mco-uid");
    expect(c.events).toContainEqual(
      expect.stringMatching(
        /^Warning ManagedByAnother MachineConfig\/99-worker-generated-registries: .* is managed by machine-config-controller, not by this controller/,
      ),
    );

    const logged: string[] = [];
    const takeOver = await reconcileImagePolicies(c, c, {
      ...options,
      takeOverMachineConfigs: true,
      log: (message) => logged.push(message),
    });
    expect(takeOver.machineConfigWrites).toEqual(["99-worker-generated-registries"]);
    expect(c.writes).toContain("mc 99-worker-generated-registries (force)");
    expect(logged).toEqual([
      "taking over 99-worker-generated-registries from machine-config-controller (--take-over-machineconfigs)",
    ]);
    expect(c.events).toContainEqual(
      expect.stringMatching(/^Normal TakenOver MachineConfig\/99-worker-generated-registries/),
    );
  });

  it("creates without force, and forces only to restore its own object", async () => {
    const c = cluster();
    await reconcileImagePolicies(c, c, options);
    expect(c.writes.filter((w) => w.startsWith("mc "))).toEqual([
      "mc 99-master-generated-registries",
      "mc 99-worker-generated-registries",
    ]);
  });

  it("passes the abort signal to every write and stops between writes once it aborts", async () => {
    const c = cluster();
    const abort = new AbortController();
    await reconcileImagePolicies(c, c, { ...options, signal: abort.signal });
    expect(c.signals.length).toBeGreaterThan(0);
    expect(c.signals.every((signal) => signal === abort.signal)).toBe(true);

    const d = cluster();
    const lost = new AbortController();
    const original = d.applyMachineConfig.bind(d);
    d.applyMachineConfig = async (mc, opts) => {
      await original(mc, opts);
      lost.abort(new Error("leadership lost"));
    };
    await expect(reconcileImagePolicies(d, d, { ...options, signal: lost.signal })).rejects.toThrow(
      "leadership lost",
    );
    expect(d.writes).toEqual(["mc 99-master-generated-registries"]);
  });

  it("deletes with the uid it saw as a precondition", async () => {
    const c = cluster();
    await reconcileImagePolicies(c, c, options);
    const master = c.mcs.get("99-master-generated-registries")!;
    master.metadata.uid = "recreated-by-someone";
    c.poolList = c.poolList.filter((p) => p.metadata.name !== "master");
    // The cache still shows the uid this controller applied; the live object is another one.
    const stale = { ...master, metadata: { ...master.metadata, uid: "uid-99-master-generated-registries" } };
    const cached = c.machineConfigs;
    c.machineConfigs = () => cached().map((mc) => (mc.metadata.name === stale.metadata.name ? stale : mc));
    await expect(reconcileImagePolicies(c, c, options)).rejects.toThrow("precondition failed");
    expect(c.mcs.has("99-master-generated-registries")).toBe(true);
  });

  it("applies no MachineConfig when the render fails, and says so on every policy", async () => {
    const c = cluster();
    c.ips = Array.from({ length: 3 }, (_, i) => ip(`ns-${i}`, "p", [`r.example.com/${i}`]));
    const huge = cip(
      "huge",
      Array.from({ length: 250 }, (_, i) => `quay.io/org-${i}/a/very/long/path/to/make/it/big`),
    );
    c.cips = Array.from({ length: 6 }, (_, i) => ({ ...huge, metadata: { name: `huge-${i}` } }));
    const many = Array.from({ length: 400 }, (_, i) => ip(`ns-${i}`, "p", [`r.example.com/${i}`]));
    c.ips = many;
    const result = await reconcileImagePolicies(c, c, options);
    expect(result.refused).toEqual([expect.stringMatching(/cannot fit in one MachineConfig/)]);
    expect(c.writes.filter((w) => w.startsWith("mc ") || w.startsWith("delete "))).toEqual([]);
    expect(c.writes.filter((w) => w.startsWith("status "))).toHaveLength(c.cips.length + c.ips.length);
    const applied = c.cips[0]?.status?.conditions?.find((cond) => cond.type === "Applied");
    expect(applied).toMatchObject({ status: "False", reason: "RenderRefused" });
    expect(c.events.filter((e) => e.startsWith("Warning RenderRefused"))).toHaveLength(
      c.cips.length + c.ips.length,
    );
  });
});
