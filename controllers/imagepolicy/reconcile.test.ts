import { describe, expect, it } from "@jest/globals";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { Condition, KubeObject } from "../../pkg/apis/meta.ts";
import { NEWEST_CRIO } from "../../pkg/render/crio-version.ts";
import { defaultPools } from "../../pkg/render/snapshot.ts";
import { cip, ip } from "../../pkg/render/testing/fixtures.ts";
import {
  reconcileImagePolicies,
  RenderFailedError,
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
  machineConfigs = () => [...this.mcs.values()];
  pools = () => this.poolList;

  async applyMachineConfig(mc: MachineConfig): Promise<void> {
    this.writes.push(`mc ${mc.metadata.name}`);
    const managedFields = [{ manager: FIELD_MANAGER, operation: "Apply" }];
    this.mcs.set(
      mc.metadata.name ?? "",
      structuredClone({ ...mc, metadata: { ...mc.metadata, managedFields } }) as MachineConfig,
    );
  }
  async deleteMachineConfig(name: string): Promise<void> {
    this.writes.push(`delete ${name}`);
    this.mcs.delete(name);
  }
  async applyStatus(policy: PolicyObject, conditions: Condition[]): Promise<void> {
    this.writes.push(`status ${policy.kind} ${policy.metadata.name}`);
    policy.status = { conditions };
  }
  event(regarding: KubeObject, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason} ${regarding.kind}/${regarding.metadata.name}: ${message}`);
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
    ]);
    const ipConditions = c.ips[0]?.status?.conditions ?? [];
    expect(ipConditions.map((x) => [x.type, x.status, x.reason])).toEqual([
      ["Applied", "False", "ConflictScopes"],
      ["Pending", "False", "ConflictScopes"],
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
    expect(after.map((x) => [x.type, x.status, x.reason])).toEqual([["Applied", "True", "Applied"]]);
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

  it("applies nothing when the render fails", async () => {
    const c = cluster();
    c.ips = Array.from({ length: 3 }, (_, i) => ip(`ns-${i}`, "p", [`r.example.com/${i}`]));
    const huge = cip(
      "huge",
      Array.from({ length: 250 }, (_, i) => `quay.io/org-${i}/a/very/long/path/to/make/it/big`),
    );
    c.cips = Array.from({ length: 6 }, (_, i) => ({ ...huge, metadata: { name: `huge-${i}` } }));
    const many = Array.from({ length: 400 }, (_, i) => ip(`ns-${i}`, "p", [`r.example.com/${i}`]));
    c.ips = many;
    await expect(reconcileImagePolicies(c, c, options)).rejects.toThrow(RenderFailedError);
    expect(c.writes).toEqual([]);
  });
});
