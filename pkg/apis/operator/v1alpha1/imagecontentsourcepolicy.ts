// operator.openshift.io/v1alpha1 ImageContentSourcePolicy (upstream: openshift/api
// operator/v1alpha1/types_image_content_source_policy.go). Superseded by ImageDigestMirrorSet, but
// MCO still merges its mirrors into registries.conf, so clusters that kept theirs depend on it.
import type { KubeObject } from "../../meta.ts";

/** One source repository and the repositories that may also serve its images by digest. */
export interface RepositoryDigestMirrors {
  /** source is the repository that users refer to, e.g. in image pull specifications. */
  source: string;
  /**
   * mirrors is one or more repositories that may also contain the same images, in order of preference.
   * @listType set
   */
  mirrors?: string[];
}

export interface ImageContentSourcePolicySpec {
  /**
   * repositoryDigestMirrors allows images referenced by image digests in pods to be pulled from
   * alternative mirrored repository locations.
   */
  repositoryDigestMirrors?: RepositoryDigestMirrors[];
}

/**
 * ImageContentSourcePolicy holds cluster-wide information about how to handle registry mirror rules.
 * @group operator.openshift.io
 * @version v1alpha1
 * @plural imagecontentsourcepolicies
 * @scope Cluster
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/470
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface ImageContentSourcePolicy extends KubeObject {
  /** spec holds user settable values for configuration */
  spec: ImageContentSourcePolicySpec;
}
