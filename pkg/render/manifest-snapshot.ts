// A Snapshot from a folder of manifests (what `image-policy render -f DIR` reads), with sensible
// defaults for what is not given: the feature gate on (Default feature set), pools master and
// worker, the upstream base policy. Release-payload manifests (those carrying release.openshift.io
// annotations) are filtered with the cluster-version operator's include rules against the given
// FeatureGate and ClusterVersion overrides, as the CVO's bootstrap render does, so an install that
// disables the `openshift` policy never renders it into the first node configuration.
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import type { Image } from "../apis/config/v1/image.ts";
import type { ImageContentSourcePolicy } from "../apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
import type { ImageDigestMirrorSet } from "../apis/config/v1/imagedigestmirrorset.ts";
import type { ImagePolicy } from "../apis/config/v1/imagepolicy.ts";
import type { ImageTagMirrorSet } from "../apis/config/v1/imagetagmirrorset.ts";
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { KubeObject } from "../apis/meta.ts";
import type { ClusterSimpleSigningPolicy } from "../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import { featureGateState } from "../featuregates/featuregates.ts";
import { DEFAULT_CLUSTER_PROFILE, manifestInclusion } from "../releasepolicy/include.ts";
import { NEWEST_CRIO, type CrioVersion } from "./crio-version.ts";
import { defaultPools, type Snapshot } from "./snapshot.ts";

export interface ManifestObject {
  source: string;
  object: KubeObject;
}

export interface ManifestSnapshot {
  snapshot: Snapshot;
  /** Release manifests left out by the include rules, with the reason. */
  excluded: { source: string; name: string; reason: string }[];
  /** Objects of kinds render does not read (reported, not fatal). */
  ignored: { source: string; kind: string }[];
  /** Conflicting singletons and similar problems that make the input unusable. */
  problems: string[];
}

export interface ManifestSnapshotOptions {
  crioVersion?: CrioVersion;
  controllerVersion: string;
  profile?: string;
  excludeIdentifier?: string;
}

const RELEASE_ANNOTATION =
  /^(include\.release\.openshift\.io|exclude\.release\.openshift\.io|release\.openshift\.io)\//;

/** True for a manifest of a release payload, which the CVO filters before applying. */
export function isReleaseManifest(object: KubeObject): boolean {
  return Object.keys(object.metadata.annotations ?? {}).some((k) => RELEASE_ANNOTATION.test(k));
}

export function snapshotFromManifests(
  objects: ManifestObject[],
  options: ManifestSnapshotOptions,
): ManifestSnapshot {
  const problems: string[] = [];
  const ignored: ManifestSnapshot["ignored"] = [];
  const pick = <T>(kind: string) =>
    objects.filter((o) => o.object.kind === kind).map((o) => o as { source: string; object: T });
  const single = <T extends KubeObject>(kind: string): T | undefined => {
    const found = pick<T>(kind);
    if (found.length > 1)
      problems.push(`more than one ${kind} given (${found.map((f) => f.source).join(", ")}); give one`);
    return found[0]?.object;
  };
  const featureGate = single<FeatureGate>("FeatureGate");
  const clusterVersion = single<ClusterVersion>("ClusterVersion");
  const image = single<Image>("Image");
  const known = new Set([
    "ClusterImagePolicy",
    "ImagePolicy",
    "ClusterSimpleSigningPolicy",
    "FeatureGate",
    "ClusterVersion",
    "Image",
    "ImageDigestMirrorSet",
    "ImageTagMirrorSet",
    "ImageContentSourcePolicy",
    "MachineConfigPool",
  ]);
  for (const o of objects)
    if (!known.has(o.object.kind)) ignored.push({ source: o.source, kind: o.object.kind });

  const context = {
    featureGates: featureGateState(featureGate, clusterVersion?.status?.desired?.version),
    profile: options.profile ?? DEFAULT_CLUSTER_PROFILE,
    overrides: clusterVersion?.spec?.overrides ?? [],
    ...(options.excludeIdentifier ? { excludeIdentifier: options.excludeIdentifier } : {}),
  };
  const excluded: ManifestSnapshot["excluded"] = [];
  const included = <T extends KubeObject>(entries: { source: string; object: T }[]): T[] =>
    entries.flatMap(({ source, object }) => {
      if (!isReleaseManifest(object)) return [object];
      const inclusion = manifestInclusion(object, context);
      if (inclusion.included) return [object];
      excluded.push({
        source,
        name: `${object.kind}/${object.metadata.name ?? ""}`,
        reason: inclusion.reason,
      });
      return [];
    });

  const pools = pick<MachineConfigPool>("MachineConfigPool").map((p) => p.object);
  const snapshot: Snapshot = {
    clusterImagePolicies: included(pick<ClusterImagePolicy>("ClusterImagePolicy")),
    imagePolicies: included(pick<ImagePolicy>("ImagePolicy")),
    simpleSigningPolicies: pick<ClusterSimpleSigningPolicy>("ClusterSimpleSigningPolicy").map(
      (o) => o.object,
    ),
    imageDigestMirrorSets: pick<ImageDigestMirrorSet>("ImageDigestMirrorSet").map((o) => o.object),
    imageTagMirrorSets: pick<ImageTagMirrorSet>("ImageTagMirrorSet").map((o) => o.object),
    imageContentSourcePolicies: pick<ImageContentSourcePolicy>("ImageContentSourcePolicy").map(
      (o) => o.object,
    ),
    pools: pools.length > 0 ? pools : defaultPools(),
    crioVersion: options.crioVersion ?? NEWEST_CRIO,
    controllerVersion: options.controllerVersion,
  };
  if (featureGate) snapshot.featureGate = featureGate;
  if (clusterVersion) snapshot.clusterVersion = clusterVersion;
  if (image) snapshot.image = image;
  return { snapshot, excluded, ignored, problems };
}
