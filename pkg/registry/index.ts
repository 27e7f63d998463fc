// The registry client's public surface: import from here rather than from the modules.
export {
  RegistryClient,
  DEFAULT_MAX_MANIFEST_BYTES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  type BlobRequestOptions,
  type FetchedManifest,
  type ImageReference,
  type ManifestHead,
  type ManifestRequestOptions,
  type RegistryClientOptions,
  type RepositoryName,
  type RequestOptions,
  type ResolvedImage,
  type TagListOptions,
} from "./client.ts";
export { parseWwwAuthenticate, type AuthChallenge } from "./auth.ts";
export {
  authFilePaths,
  lookupCredentials,
  type AuthFilePath,
  type CredentialLookupOptions,
  type FoundCredentials,
  type RegistryCredentials,
} from "./credentials.ts";
export { computeDigest, isDigest, parseDigest, type ParsedDigest } from "./digest.ts";
export {
  RegistryError,
  isManifestUnknown,
  type RegistryErrorDetail,
  type RegistryErrorReason,
} from "./errors.ts";
export {
  ManifestFormatError,
  guessManifestMediaType,
  parseManifest,
  type Descriptor,
  type ImageIndex,
  type ImageManifest,
  type ParsedManifest,
  type Platform,
} from "./manifest.ts";
export * from "./media-types.ts";
export {
  NoMatchingInstanceError,
  chooseInstance,
  hostPlatform,
  matchesPlatform,
  wantedPlatforms,
  type ChooseInstanceOptions,
  type HostPlatform,
  type PlatformChoice,
  type WantedPlatform,
} from "./platform.ts";
export { defaultCertsDirectories, type TransportOptions } from "./transport.ts";
