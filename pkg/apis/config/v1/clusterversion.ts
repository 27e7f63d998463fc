// config.openshift.io/v1 ClusterVersion: the parts this controller reads (upstream:
// openshift/api config/v1/types_cluster_version.go). Unmodelled fields are preserved.
import type { KubeObject } from "../../meta.ts";

/**
 * Update represents an administrator update request.
 * @xValidation.rule has(self.architecture) && has(self.image) ? (self.architecture == "" || self.image == "") : true
 * @xValidation.message cannot set both Architecture and Image
 * @xValidation.rule has(self.architecture) && self.architecture != "" ? self.version != "" : true
 * @xValidation.message Version must be set if Architecture is set
 * @preserveUnknownFields
 */
export interface Update {
  /** architecture is an optional field that indicates the desired value of the cluster architecture. */
  architecture?: "Multi" | "";
  /** version is a semantic version identifying the update version. */
  version?: string;
  /** image is a container image location that contains the update. */
  image?: string;
  /** force allows an administrator to update to an image that has failed verification or upgradeable checks. */
  force?: boolean;
}

/** ComponentOverride allows overriding cluster version operator's behavior for a component. */
export interface ComponentOverride {
  /** kind indentifies which object to override. */
  kind: string;
  /** group identifies the API group that the kind is in. */
  group: string;
  /** namespace is the component's namespace. If the resource is cluster scoped, the namespace should be empty. */
  namespace: string;
  /** name is the component's name. */
  name: string;
  /** unmanaged controls if cluster version operator should stop managing the resources in this cluster. */
  unmanaged: boolean;
}

/** @preserveUnknownFields */
export interface ClusterVersionSpec {
  /** clusterID uniquely identifies this cluster. */
  clusterID: string;
  /** desiredUpdate is an optional field that indicates the desired value of the cluster version. */
  desiredUpdate?: Update;
  /** channel is an identifier for explicitly requesting a non-default set of updates. */
  channel?: string;
  /**
   * overrides is list of overides for components that are managed by cluster version operator.
   * @listType map
   * @listMapKey kind
   * @listMapKey group
   * @listMapKey namespace
   * @listMapKey name
   */
  overrides?: ComponentOverride[];
}

/** Release represents an OpenShift release image and associated metadata. */
export interface Release {
  /** version is a semantic version identifying the update version. */
  version?: string;
  /** image is a container image location that contains the update. */
  image?: string;
}

/** @preserveUnknownFields */
export interface ClusterVersionStatus {
  /** desired is the version that the cluster is reconciling towards. */
  desired?: Release;
}

/**
 * ClusterVersion is the configuration for the ClusterVersionOperator. The canonical name is `version`.
 * @group config.openshift.io
 * @version v1
 * @plural clusterversions
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/495
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface ClusterVersion extends KubeObject {
  /** spec is the desired state of the cluster version. */
  spec: ClusterVersionSpec;
  /** status contains information about the available updates and any in-progress updates. */
  status?: ClusterVersionStatus;
}
