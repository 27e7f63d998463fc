// Sub-types shared by ImageDigestMirrorSet and ImageTagMirrorSet (upstream: openshift/api
// config/v1/types_image_digest_mirror_set.go and types_image_tag_mirror_set.go).

/**
 * A mirror repository: host[:port][/namespace…/repository], no tag or digest.
 * @pattern ^((?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?)$
 */
export type ImageMirror = string;

/** One source repository and its mirrors. */
export interface ImageMirrors {
  /**
   * source matches the repository that users refer to, e.g. in image pull specifications.
   * @pattern ^\*(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$
   */
  source: string;
  /**
   * mirrors is zero or more locations that may also contain the same images, tried in order.
   * @listType set
   */
  mirrors?: ImageMirror[];
  /** mirrorSourcePolicy defines the fallback policy if fails to pull image from the mirrors. */
  mirrorSourcePolicy?: "NeverContactSource" | "AllowContactingSource";
}
