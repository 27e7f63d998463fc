// Every media type the registry client and the verifier name, in one place. Values are from the OCI
// image spec (specs-go/v1/mediatype.go), Docker's distribution (manifest/schema2, manifestlist) and
// cosign (the simple-signing payload of `sha256-<digest>.sig` attachments).

export const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
export const OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
export const OCI_EMPTY = "application/vnd.oci.empty.v1+json";
export const OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
export const OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";

export const DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
export const DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
export const DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
export const DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
export const DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
export const DOCKER_FOREIGN_LAYER = "application/vnd.docker.image.rootfs.foreign.diff.tar";
export const DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";
/** Schema 1 manifests are recognised only to be refused with a clear message. */
export const DOCKER_MANIFEST_SCHEMA1 = "application/vnd.docker.distribution.manifest.v1+json";
export const DOCKER_MANIFEST_SCHEMA1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";

/** The layer media type of a cosign signature in a `sha256-<digest>.sig` attachment manifest. */
export const COSIGN_SIMPLE_SIGNING = "application/vnd.dev.cosign.simplesigning.v1+json";

/** Single-image manifests this client parses. */
export const IMAGE_MANIFEST_TYPES: readonly string[] = [OCI_MANIFEST, DOCKER_MANIFEST];
/** Multi-platform manifests (OCI image index, Docker manifest list) this client parses. */
export const INDEX_MANIFEST_TYPES: readonly string[] = [OCI_INDEX, DOCKER_MANIFEST_LIST];
/** The default `Accept` list of manifest requests: every type this client can parse. */
export const SUPPORTED_MANIFEST_TYPES: readonly string[] = [
  OCI_MANIFEST,
  OCI_INDEX,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
];

export function isImageManifestType(mediaType: string): boolean {
  return IMAGE_MANIFEST_TYPES.includes(mediaType);
}

export function isIndexManifestType(mediaType: string): boolean {
  return INDEX_MANIFEST_TYPES.includes(mediaType);
}

/**
 * The media type part of a Content-Type header, lower-cased and without parameters
 * ("application/vnd.oci.image.manifest.v1+json; charset=utf-8" → "application/vnd.oci.image.manifest.v1+json"),
 * as Go's mime.ParseMediaType gives it to containers/image.
 */
export function normalizeContentType(contentType: string | undefined): string {
  if (contentType === undefined) return "";
  const semicolon = contentType.indexOf(";");
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
}
