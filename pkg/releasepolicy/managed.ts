// What to do with the managed `openshift` ClusterImagePolicy, the way the cluster-version operator
// applies a release manifest (cluster-version-operator pkg/cvo/internal/generic.go): create it when
// missing; when it differs, put back the manifest's spec and replace labels, annotations and owner
// references with the manifest's; when the manifest stops being included, leave the live object
// alone. Pure: the controller supplies the live object and applies the decision.
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import type { OwnerReference } from "../apis/meta.ts";
import { jsonEqual } from "../util/json.ts";
import { isGateEnabled, SigstoreImageVerification } from "../featuregates/featuregates.ts";
import { manifestInclusion, type InclusionContext } from "./include.ts";

export type ReleasePolicyDecision =
  | { action: "create"; object: ClusterImagePolicy }
  | { action: "update"; object: ClusterImagePolicy; reverted: string[] }
  | { action: "none" }
  /** Not managed: the live object, if any, is left as it is. */
  | { action: "unmanaged"; reason: string; overridden: boolean; liveObjectLeft: boolean };

/** The owner reference the CVO puts on the objects of its payload. */
export function clusterVersionOwnerReference(clusterVersion: ClusterVersion): OwnerReference {
  return {
    apiVersion: "config.openshift.io/v1",
    kind: "ClusterVersion",
    name: clusterVersion.metadata.name ?? "version",
    uid: clusterVersion.metadata.uid ?? "",
    controller: true,
  };
}

/** The manifest as the controller wants it on the cluster: labels and annotations as shipped, owned by the ClusterVersion. */
export function desiredReleasePolicy(
  manifest: ClusterImagePolicy,
  clusterVersion: ClusterVersion | undefined,
): ClusterImagePolicy {
  const metadata: ClusterImagePolicy["metadata"] = { name: manifest.metadata.name ?? "openshift" };
  if (manifest.metadata.labels) metadata.labels = { ...manifest.metadata.labels };
  if (manifest.metadata.annotations) metadata.annotations = { ...manifest.metadata.annotations };
  if (clusterVersion?.metadata.uid) metadata.ownerReferences = [clusterVersionOwnerReference(clusterVersion)];
  return {
    apiVersion: manifest.apiVersion,
    kind: manifest.kind,
    metadata,
    spec: structuredClone(manifest.spec),
  };
}

export interface ReleasePolicyInput {
  /** The flavour's manifest; undefined when the flavour ships none (OKD) and none is configured. */
  manifest: ClusterImagePolicy | undefined;
  flavour: string;
  inclusion: InclusionContext;
  clusterVersion: ClusterVersion | undefined;
  live: ClusterImagePolicy | undefined;
}

export function decideReleasePolicy(input: ReleasePolicyInput): ReleasePolicyDecision {
  const liveObjectLeft = input.live !== undefined;
  if (!input.manifest) {
    return {
      action: "unmanaged",
      reason: `the ${input.flavour} flavour ships no release image policy`,
      overridden: false,
      liveObjectLeft,
    };
  }
  if (!isGateEnabled(input.inclusion.featureGates, SigstoreImageVerification)) {
    return {
      action: "unmanaged",
      reason: `feature gate ${SigstoreImageVerification} is not enabled (${input.inclusion.featureGates.source})`,
      overridden: false,
      liveObjectLeft,
    };
  }
  const inclusion = manifestInclusion(input.manifest, input.inclusion);
  if (!inclusion.included) {
    return {
      action: "unmanaged",
      reason: inclusion.reason,
      overridden: inclusion.overridden,
      liveObjectLeft,
    };
  }
  const desired = desiredReleasePolicy(input.manifest, input.clusterVersion);
  if (!input.live) return { action: "create", object: desired };

  const reverted = differences(desired, input.live);
  if (reverted.length === 0) return { action: "none" };
  const object: ClusterImagePolicy = {
    ...input.live,
    metadata: { ...input.live.metadata },
    spec: structuredClone(desired.spec),
  };
  setOrDelete(object.metadata, "labels", desired.metadata.labels);
  setOrDelete(object.metadata, "annotations", desired.metadata.annotations);
  setOrDelete(object.metadata, "ownerReferences", desired.metadata.ownerReferences);
  return { action: "update", object, reverted };
}

/** The managed fields in which the live object differs from the desired one. */
export function differences(desired: ClusterImagePolicy, live: ClusterImagePolicy): string[] {
  const fields: string[] = [];
  if (!jsonEqual(desired.spec, live.spec)) fields.push("spec");
  for (const key of ["labels", "annotations", "ownerReferences"] as const) {
    if (!jsonEqual(emptyAsUndefined(desired.metadata[key]), emptyAsUndefined(live.metadata[key]))) {
      fields.push(`metadata.${key}`);
    }
  }
  return fields;
}

function emptyAsUndefined<T>(value: T | undefined): T | undefined {
  if (value === undefined) return undefined;
  if (
    Array.isArray(value)
      ? value.length === 0
      : typeof value === "object" && value !== null && Object.keys(value).length === 0
  ) {
    return undefined;
  }
  return value;
}

function setOrDelete<K extends "labels" | "annotations" | "ownerReferences">(
  metadata: ClusterImagePolicy["metadata"],
  key: K,
  value: ClusterImagePolicy["metadata"][K],
): void {
  if (value === undefined) delete metadata[key];
  else metadata[key] = structuredClone(value);
}
