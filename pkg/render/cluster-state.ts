// Everything a render reads of a live cluster, as the controller's informer caches (or one list of
// each kind, for `verify --cluster`) hold it, and the Snapshot it makes.
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import type { Image } from "../apis/config/v1/image.ts";
import type { ImageDigestMirrorSet } from "../apis/config/v1/imagedigestmirrorset.ts";
import type { ImagePolicy } from "../apis/config/v1/imagepolicy.ts";
import type { ImageTagMirrorSet } from "../apis/config/v1/imagetagmirrorset.ts";
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { ImageContentSourcePolicy } from "../apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
import type { ClusterSimpleSigningPolicy } from "../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import type { CrioVersion } from "./crio-version.ts";
import type { Snapshot } from "./snapshot.ts";

/** What the controller reads, from its informer caches. Singletons are the canonical `cluster`/`version` objects. */
export interface ClusterState {
  clusterImagePolicies(): ClusterImagePolicy[];
  imagePolicies(): ImagePolicy[];
  simpleSigningPolicies(): ClusterSimpleSigningPolicy[];
  featureGate(): FeatureGate | undefined;
  clusterVersion(): ClusterVersion | undefined;
  image(): Image | undefined;
  imageDigestMirrorSets(): ImageDigestMirrorSet[];
  imageTagMirrorSets(): ImageTagMirrorSet[];
  imageContentSourcePolicies(): ImageContentSourcePolicy[];
  pools(): MachineConfigPool[];
  machineConfigs(): MachineConfig[];
}

export function snapshotFromState(
  state: ClusterState,
  options: { crioVersion: CrioVersion; controllerVersion: string },
): Snapshot {
  const snapshot: Snapshot = {
    clusterImagePolicies: state.clusterImagePolicies(),
    imagePolicies: state.imagePolicies(),
    simpleSigningPolicies: state.simpleSigningPolicies(),
    imageDigestMirrorSets: state.imageDigestMirrorSets(),
    imageTagMirrorSets: state.imageTagMirrorSets(),
    imageContentSourcePolicies: state.imageContentSourcePolicies(),
    pools: state.pools(),
    crioVersion: options.crioVersion,
    controllerVersion: options.controllerVersion,
  };
  const featureGate = state.featureGate();
  const clusterVersion = state.clusterVersion();
  const image = state.image();
  if (featureGate) snapshot.featureGate = featureGate;
  if (clusterVersion) snapshot.clusterVersion = clusterVersion;
  if (image) snapshot.image = image;
  return snapshot;
}
