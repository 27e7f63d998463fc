import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import { featureGateState } from "../featuregates/featuregates.ts";
import { DEFAULT_CLUSTER_PROFILE } from "./include.ts";
import { decideReleasePolicy, type ReleasePolicyInput } from "./managed.ts";

const manifest = parse(
  readFileSync(
    join(import.meta.dirname, "../../manifests/release/ocp/0000_90_openshift-cluster-image-policy.yaml"),
    "utf8",
  ),
) as ClusterImagePolicy;
const clusterVersion: ClusterVersion = {
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterVersion",
  metadata: { name: "version", uid: "cv-uid" },
  spec: { clusterID: "id" },
};
const input = (over: Partial<ReleasePolicyInput> = {}): ReleasePolicyInput => ({
  manifest,
  flavour: "ocp",
  inclusion: { featureGates: featureGateState(undefined), profile: DEFAULT_CLUSTER_PROFILE, overrides: [] },
  clusterVersion,
  live: undefined,
  ...over,
});

describe("decideReleasePolicy", () => {
  it("creates the policy, owned by the ClusterVersion", () => {
    const decision = decideReleasePolicy(input());
    expect(decision.action).toBe("create");
    if (decision.action !== "create") return;
    expect(decision.object.spec.scopes).toEqual([
      "quay.io/openshift-release-dev/ocp-release",
      "quay.io/openshift-release-dev/ocp-v4.0-art-dev",
      "quay.io/openshift-release-dev/ocp-v5.0-art-dev",
    ]);
    expect(decision.object.metadata.ownerReferences).toEqual([
      {
        apiVersion: "config.openshift.io/v1",
        kind: "ClusterVersion",
        name: "version",
        uid: "cv-uid",
        controller: true,
      },
    ]);
  });

  it("does nothing when the live object matches", () => {
    const created = decideReleasePolicy(input());
    if (created.action !== "create") throw new Error("expected create");
    const live = {
      ...created.object,
      metadata: { ...created.object.metadata, resourceVersion: "7", uid: "u" },
    };
    expect(decideReleasePolicy(input({ live }))).toEqual({ action: "none" });
  });

  it("reverts spec, labels and annotations edits and says which", () => {
    const created = decideReleasePolicy(input());
    if (created.action !== "create") throw new Error("expected create");
    const live: ClusterImagePolicy = structuredClone(created.object);
    live.metadata.resourceVersion = "9";
    live.spec.scopes = ["quay.io/openshift-release-dev/ocp-release-evil"];
    live.metadata.labels = { extra: "x" };
    const decision = decideReleasePolicy(input({ live }));
    expect(decision).toMatchObject({ action: "update", reverted: ["spec", "metadata.labels"] });
    if (decision.action !== "update") return;
    expect(decision.object.spec).toEqual(manifest.spec);
    expect(decision.object.metadata.labels).toBeUndefined();
    expect(decision.object.metadata.resourceVersion).toBe("9");
  });

  it("steps aside under an override or when the gate is off, leaving the live object", () => {
    const override = {
      kind: "ClusterImagePolicy",
      group: "config.openshift.io",
      namespace: "",
      name: "openshift",
      unmanaged: true,
    };
    const live = manifest;
    expect(
      decideReleasePolicy(input({ live, inclusion: { ...input().inclusion, overrides: [override] } })),
    ).toEqual({ action: "unmanaged", reason: "overridden", overridden: true, liveObjectLeft: true });
    const gateOff: FeatureGate = {
      apiVersion: "config.openshift.io/v1",
      kind: "FeatureGate",
      metadata: { name: "cluster" },
      spec: { featureSet: "CustomNoUpgrade", customNoUpgrade: { disabled: ["SigstoreImageVerification"] } },
    };
    const decision = decideReleasePolicy(
      input({ inclusion: { ...input().inclusion, featureGates: featureGateState(gateOff) } }),
    );
    expect(decision).toMatchObject({ action: "unmanaged", liveObjectLeft: false });
  });

  it("manages nothing for a flavour without a manifest", () => {
    expect(decideReleasePolicy(input({ manifest: undefined, flavour: "okd" }))).toEqual({
      action: "unmanaged",
      reason: "the okd flavour ships no release image policy",
      overridden: false,
      liveObjectLeft: false,
    });
  });
});
