// config.openshift.io/v1 ImageDigestMirrorSet (upstream: openshift/api
// config/v1/types_image_digest_mirror_set.go).
import type { KubeObject } from "../../meta.ts";
import type { ImageMirrors } from "./mirrors.ts";

export interface ImageDigestMirrorSetSpec {
  /**
   * imageDigestMirrors allows images referenced by image digests in pods to be pulled from alternative mirrored repository locations.
   * @listType atomic
   */
  imageDigestMirrors?: ImageMirrors[];
}

/**
 * ImageDigestMirrorSet holds cluster-wide information about how to handle registry mirror rules on
 * using digest pull specification.
 * @group config.openshift.io
 * @version v1
 * @plural imagedigestmirrorsets
 * @shortName idms
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/1126
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface ImageDigestMirrorSet extends KubeObject {
  /** spec holds user settable values for configuration. */
  spec: ImageDigestMirrorSetSpec;
  /**
   * status contains the observed state of the resource.
   * @preserveUnknownFields
   */
  status?: Record<string, unknown>;
}
