// Snapshot: every input of a render at one moment, as plain data. Built by the controller from its
// informer caches or by the CLI from a folder of manifests; render() does not know which.
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";
import type { Image } from "../apis/config/v1/image.ts";
import type { ImageDigestMirrorSet } from "../apis/config/v1/imagedigestmirrorset.ts";
import type { ImagePolicy } from "../apis/config/v1/imagepolicy.ts";
import type { ImageTagMirrorSet } from "../apis/config/v1/imagetagmirrorset.ts";
import type { ImageContentSourcePolicy } from "../apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { ClusterSimpleSigningPolicy } from "../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import type { CrioVersion } from "./crio-version.ts";

export interface Snapshot {
  clusterImagePolicies: ClusterImagePolicy[];
  imagePolicies: ImagePolicy[];
  simpleSigningPolicies: ClusterSimpleSigningPolicy[];
  featureGate?: FeatureGate;
  clusterVersion?: ClusterVersion;
  /** The `cluster` Image config (allowed/blocked registries). */
  image?: Image;
  imageDigestMirrorSets: ImageDigestMirrorSet[];
  imageTagMirrorSets: ImageTagMirrorSet[];
  /** operator.openshift.io/v1alpha1 mirror rules, still merged into registries.conf by MCO. */
  imageContentSourcePolicies: ImageContentSourcePolicy[];
  /** The pools that get a MachineConfig. */
  pools: MachineConfigPool[];
  /** The base /etc/containers/policy.json (the role template), per pool name; UPSTREAM_BASE_POLICY when absent. */
  basePolicies?: Record<string, string>;
  /** The CRI-O release on the nodes. */
  crioVersion: CrioVersion;
  /** Written into the generated-by-controller-version annotation. */
  controllerVersion: string;
}

/**
 * The policy.json of MCO's templates/{master,worker,arbiter}/01-*-container-runtime/_base/files/
 * policy.yaml, byte for byte: what a node has before any image policy is rendered. MCO's template
 * rendering leaves no final newline, and MCO writes these bytes unchanged when only ImagePolicies
 * exist.
 */
export const UPSTREAM_BASE_POLICY = `{
    "default": [
        {
            "type": "insecureAcceptAnything"
        }
    ],
    "transports":
        {
            "docker-daemon":
                {
                    "": [{"type":"insecureAcceptAnything"}]
                }
        }
}`;

/** The two built-in pools of every cluster, for renders without pool manifests. */
export function defaultPools(): MachineConfigPool[] {
  return ["master", "worker"].map((name) => ({
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfigPool",
    metadata: {
      name,
      labels: {
        "machineconfiguration.openshift.io/mco-built-in": "",
        [`pools.operator.machineconfiguration.openshift.io/${name}`]: "",
      },
    },
    spec: {
      machineConfigSelector: { matchLabels: { "machineconfiguration.openshift.io/role": name } },
      nodeSelector: { matchLabels: { [`node-role.kubernetes.io/${name}`]: "" } },
    },
  }));
}
