import { describe, expect, it } from "@jest/globals";
import type { KubeObject } from "../apis/meta.ts";
import { featureGateState } from "../featuregates/featuregates.ts";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import { DEFAULT_CLUSTER_PROFILE, manifestInclusion, type InclusionContext } from "./include.ts";

const policy = (annotations: Record<string, string>): KubeObject => ({
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterImagePolicy",
  metadata: { name: "openshift", annotations },
});
const upstream = {
  "kubernetes.io/description": "Require Red Hat signatures",
  "exclude.release.openshift.io/internal-openshift-hosted": "true",
  "include.release.openshift.io/self-managed-high-availability": "true",
};
const fg = (featureSet: FeatureGate["spec"]["featureSet"]): FeatureGate => ({
  apiVersion: "config.openshift.io/v1",
  kind: "FeatureGate",
  metadata: { name: "cluster" },
  spec: { featureSet },
});
const context = (over: Partial<InclusionContext> = {}): InclusionContext => ({
  featureGates: featureGateState(fg("")),
  profile: DEFAULT_CLUSTER_PROFILE,
  overrides: [],
  ...over,
});

describe("manifestInclusion", () => {
  it("includes the upstream manifest on a default self-managed cluster", () => {
    expect(manifestInclusion(policy(upstream), context())).toEqual({ included: true });
  });

  it("excludes a manifest without annotations", () => {
    expect(manifestInclusion(policy({}), context())).toMatchObject({
      included: false,
      reason: "no annotations",
    });
  });

  it("honours the exclude identifier (HyperShift's hosted CVO)", () => {
    expect(
      manifestInclusion(policy(upstream), context({ excludeIdentifier: "internal-openshift-hosted" })),
    ).toMatchObject({
      included: false,
      reason: "exclude.release.openshift.io/internal-openshift-hosted=true",
    });
  });

  it("requires the cluster's feature set when annotated", () => {
    const tp = policy({ ...upstream, "release.openshift.io/feature-set": "TechPreviewNoUpgrade" });
    expect(manifestInclusion(tp, context())).toMatchObject({
      included: false,
      reason: '"Default" is required, and release.openshift.io/feature-set=TechPreviewNoUpgrade',
    });
    expect(
      manifestInclusion(tp, context({ featureGates: featureGateState(fg("TechPreviewNoUpgrade")) })),
    ).toEqual({
      included: true,
    });
    const bad = policy({ ...upstream, "release.openshift.io/feature-set": "Preview" });
    expect(manifestInclusion(bad, context())).toMatchObject({ included: false });
  });

  it("checks feature-gate annotations, including negation, and refuses both annotations", () => {
    const gated = policy({ ...upstream, "release.openshift.io/feature-gate": "SigstoreImageVerification" });
    expect(manifestInclusion(gated, context())).toEqual({ included: true });
    const custom = featureGateState({
      ...fg("CustomNoUpgrade"),
      spec: { featureSet: "CustomNoUpgrade", customNoUpgrade: { disabled: ["SigstoreImageVerification"] } },
    });
    expect(manifestInclusion(gated, context({ featureGates: custom }))).toMatchObject({ included: false });
    const negated = policy({
      ...upstream,
      "release.openshift.io/feature-gate": "-SigstoreImageVerification",
    });
    expect(manifestInclusion(negated, context())).toMatchObject({ included: false });
    const both = policy({ ...gated.metadata.annotations, "release.openshift.io/feature-set": "Default" });
    expect(manifestInclusion(both, context())).toMatchObject({ included: false });
  });

  it("requires the profile's include annotation", () => {
    expect(manifestInclusion(policy(upstream), context({ profile: "hypershift" }))).toMatchObject({
      included: false,
      reason: "include.release.openshift.io/hypershift unset",
    });
  });

  it("steps aside for an unmanaged override, and only a matching one", () => {
    const override = {
      kind: "ClusterImagePolicy",
      group: "config.openshift.io",
      namespace: "",
      name: "openshift",
      unmanaged: true,
    };
    expect(manifestInclusion(policy(upstream), context({ overrides: [override] }))).toEqual({
      included: false,
      reason: "overridden",
      overridden: true,
    });
    expect(
      manifestInclusion(policy(upstream), context({ overrides: [{ ...override, unmanaged: false }] })),
    ).toEqual({
      included: true,
    });
    expect(
      manifestInclusion(policy(upstream), context({ overrides: [{ ...override, name: "other" }] })),
    ).toEqual({
      included: true,
    });
  });
});
