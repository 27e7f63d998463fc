// config.openshift.io/v1 ImageTagMirrorSet (upstream: openshift/api
// config/v1/types_image_tag_mirror_set.go).
import type { KubeObject } from "../../meta.ts";
import type { ImageMirrors } from "./mirrors.ts";

export interface ImageTagMirrorSetSpec {
  /**
   * imageTagMirrors allows images referenced by image tags in pods to be pulled from alternative mirrored repository locations.
   * @listType atomic
   */
  imageTagMirrors?: ImageMirrors[];
}

/**
 * ImageTagMirrorSet holds cluster-wide information about how to handle registry mirror rules on
 * using tag pull specification.
 * @group config.openshift.io
 * @version v1
 * @plural imagetagmirrorsets
 * @shortName itms
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/1126
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface ImageTagMirrorSet extends KubeObject {
  /** spec holds user settable values for configuration. */
  spec: ImageTagMirrorSetSpec;
  /**
   * status contains the observed state of the resource.
   * @preserveUnknownFields
   */
  status?: Record<string, unknown>;
}
