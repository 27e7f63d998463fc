// config.openshift.io/v1 ClusterImagePolicy (upstream: openshift/api
// config/v1/types_cluster_image_policy.go). Same spec as ImagePolicy; cluster-scoped.
import type { KubeObject } from "../../meta.ts";
import type { ImageSigstorePolicySpec, ImageSigstorePolicyStatus } from "./imagepolicy.ts";

/**
 * ClusterImagePolicy holds cluster-wide configuration for image signature verification.
 * @group config.openshift.io
 * @version v1
 * @plural clusterimagepolicies
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/2310
 * @annotation api.openshift.io/merged-by-featuregates=true
 * @annotation include.release.openshift.io/ibm-cloud-managed=true
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface ClusterImagePolicy extends KubeObject {
  /** spec contains the configuration for the cluster image policy. */
  spec: ImageSigstorePolicySpec;
  /** status contains the observed state of the resource. */
  status?: ImageSigstorePolicyStatus;
}
