// `image-policy verify --cluster`: the node files rendered from the live cluster's objects with the
// controller's engine (the same snapshot the controller builds from its caches).
import { snapshotFromState, type ClusterState } from "../render/cluster-state.ts";
import type { KubeObject } from "../apis/meta.ts";
import {
  CLUSTER_IMAGE_POLICIES,
  CLUSTER_SIMPLE_SIGNING_POLICIES,
  CLUSTER_VERSIONS,
  FEATURE_GATES,
  IMAGE_DIGEST_MIRROR_SETS,
  IMAGE_POLICIES,
  IMAGE_TAG_MIRROR_SETS,
  IMAGE_CONTENT_SOURCE_POLICIES,
  IMAGES,
  isNotFound,
  KubeClient,
  loadKubeConfig,
  MACHINE_CONFIG_POOLS,
  type ResourceType,
} from "../kube/index.ts";
import { NEWEST_CRIO } from "../render/crio-version.ts";
import { render } from "../render/render.ts";
import { policyFilesOf, type RenderedPolicyFiles } from "../render/node-files.ts";
import { CONTROLLER_VERSION } from "./version.ts";

export async function renderPolicyFromCluster(kubeconfig?: string): Promise<RenderedPolicyFiles> {
  const { kubeConfig } = loadKubeConfig(kubeconfig ? { kubeconfig } : {});
  const client = new KubeClient(kubeConfig);
  try {
    const all = async <T extends KubeObject>(type: ResourceType<T>): Promise<T[]> => {
      try {
        return (await client.resource(type).listAll()).items;
      } catch (error) {
        if (isNotFound(error)) return []; // the CRD is not installed: none of these objects
        throw error;
      }
    };
    const [cips, ips, cssps, featureGates, clusterVersions, images, idms, itms, icsps, pools] =
      await Promise.all([
        all(CLUSTER_IMAGE_POLICIES),
        all(IMAGE_POLICIES),
        all(CLUSTER_SIMPLE_SIGNING_POLICIES),
        all(FEATURE_GATES),
        all(CLUSTER_VERSIONS),
        all(IMAGES),
        all(IMAGE_DIGEST_MIRROR_SETS),
        all(IMAGE_TAG_MIRROR_SETS),
        all(IMAGE_CONTENT_SOURCE_POLICIES),
        all(MACHINE_CONFIG_POOLS),
      ]);
    const named = <T extends KubeObject>(list: T[], name: string) =>
      list.find((o) => o.metadata.name === name);
    const state: ClusterState = {
      clusterImagePolicies: () => cips,
      imagePolicies: () => ips,
      simpleSigningPolicies: () => cssps,
      featureGate: () => named(featureGates, "cluster"),
      clusterVersion: () => named(clusterVersions, "version"),
      image: () => named(images, "cluster"),
      imageDigestMirrorSets: () => idms,
      imageTagMirrorSets: () => itms,
      imageContentSourcePolicies: () => icsps,
      pools: () => pools,
      machineConfigs: () => [],
    };
    const rendered = render(
      snapshotFromState(state, { crioVersion: NEWEST_CRIO, controllerVersion: CONTROLLER_VERSION }),
    );
    if (rendered.errors.length > 0) throw new Error(rendered.errors.join("; "));
    return policyFilesOf(rendered);
  } finally {
    client.close();
  }
}
