// The resource types the project's controllers read and write. A unit test checks them against
// crds/ (group, version, plural, scope, kind).
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import type { Image } from "../apis/config/v1/image.ts";
import type { ClusterOperator } from "../apis/config/v1/clusteroperator.ts";
import type { ImageContentSourcePolicy } from "../apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
import type { ImageDigestMirrorSet } from "../apis/config/v1/imagedigestmirrorset.ts";
import type { ImagePolicy } from "../apis/config/v1/imagepolicy.ts";
import type { ImageTagMirrorSet } from "../apis/config/v1/imagetagmirrorset.ts";
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { KubeObject } from "../apis/meta.ts";
import type { ClusterSimpleSigningPolicy } from "../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import type { ResourceType } from "./client.ts";
import type { EventObject } from "./event-object.ts";
import type { Lease } from "./lease.ts";

function config<T extends KubeObject>(plural: string, kind: string, namespaced = false): ResourceType<T> {
  return { group: "config.openshift.io", version: "v1", plural, kind, namespaced };
}

export const CLUSTER_IMAGE_POLICIES = config<ClusterImagePolicy>(
  "clusterimagepolicies",
  "ClusterImagePolicy",
);
export const IMAGE_POLICIES = config<ImagePolicy>("imagepolicies", "ImagePolicy", true);
export const FEATURE_GATES = config<FeatureGate>("featuregates", "FeatureGate");
export const CLUSTER_VERSIONS = config<ClusterVersion>("clusterversions", "ClusterVersion");
export const IMAGES = config<Image>("images", "Image");
export const IMAGE_DIGEST_MIRROR_SETS = config<ImageDigestMirrorSet>(
  "imagedigestmirrorsets",
  "ImageDigestMirrorSet",
);
export const IMAGE_TAG_MIRROR_SETS = config<ImageTagMirrorSet>("imagetagmirrorsets", "ImageTagMirrorSet");
export const CLUSTER_OPERATORS = config<ClusterOperator>("clusteroperators", "ClusterOperator");

export const IMAGE_CONTENT_SOURCE_POLICIES: ResourceType<ImageContentSourcePolicy> = {
  group: "operator.openshift.io",
  version: "v1alpha1",
  plural: "imagecontentsourcepolicies",
  kind: "ImageContentSourcePolicy",
  namespaced: false,
};

export const MACHINE_CONFIGS: ResourceType<MachineConfig> = {
  group: "machineconfiguration.openshift.io",
  version: "v1",
  plural: "machineconfigs",
  kind: "MachineConfig",
  namespaced: false,
};
export const MACHINE_CONFIG_POOLS: ResourceType<MachineConfigPool> = {
  group: "machineconfiguration.openshift.io",
  version: "v1",
  plural: "machineconfigpools",
  kind: "MachineConfigPool",
  namespaced: false,
};
export const CLUSTER_SIMPLE_SIGNING_POLICIES: ResourceType<ClusterSimpleSigningPolicy> = {
  group: "image-policy.dev",
  version: "v1alpha1",
  plural: "clustersimplesigningpolicies",
  kind: "ClusterSimpleSigningPolicy",
  namespaced: false,
};

export const LEASES: ResourceType<Lease> = {
  group: "coordination.k8s.io",
  version: "v1",
  plural: "leases",
  kind: "Lease",
  namespaced: true,
};
export const EVENTS: ResourceType<EventObject> = {
  group: "events.k8s.io",
  version: "v1",
  plural: "events",
  kind: "Event",
  namespaced: true,
};
