// Typed parsing of the four manifest formats the verifier deals with: OCI image manifest, OCI image
// index, Docker v2 schema 2 manifest and Docker manifest list. Only what the verifier relies on is
// validated (schemaVersion, mediaType, descriptors of config, layers, manifests and subject), but that is
// validated strictly; unknown fields are kept out of the typed result and otherwise ignored, as the specs
// require. Like containers/image (manifest.ValidateUnambiguousManifestFormat), a document that carries
// the essential fields of another format is refused rather than guessed at.
import { isDigest } from "./digest.ts";
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_SCHEMA1,
  DOCKER_MANIFEST_SCHEMA1_SIGNED,
  DOCKER_CONFIG,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_MANIFEST,
  isImageManifestType,
  isIndexManifestType,
} from "./media-types.ts";

export interface Platform {
  architecture: string;
  os: string;
  variant?: string;
  "os.version"?: string;
  "os.features"?: string[];
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  artifactType?: string;
  platform?: Platform;
}

/** An OCI image manifest or a Docker v2 schema 2 manifest. */
export interface ImageManifest {
  kind: "manifest";
  mediaType: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

/** An OCI image index or a Docker manifest list. */
export interface ImageIndex {
  kind: "index";
  mediaType: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export type ParsedManifest = ImageManifest | ImageIndex;

export class ManifestFormatError extends Error {
  override readonly name = "ManifestFormatError";
}

type JsonObject = Record<string, unknown>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Guesses the media type of a manifest from its body, like containers/image's manifest.GuessMIMEType:
 * the `mediaType` field when it names a known format; schema 1 by `schemaVersion: 1`; for schema 2 without a
 * `mediaType` (OCI before image-spec 1.0.2) an OCI manifest, or an OCI index when it has `manifests`.
 * "" when the body is not JSON or not recognisable.
 */
export function guessManifestMediaType(bytes: Uint8Array): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return "";
  }
  if (!isObject(parsed)) return "";
  const mediaType = parsed.mediaType;
  if (typeof mediaType === "string" && (isImageManifestType(mediaType) || isIndexManifestType(mediaType))) {
    return mediaType;
  }
  if (parsed.schemaVersion === 1) {
    return parsed.signatures !== undefined ? DOCKER_MANIFEST_SCHEMA1_SIGNED : DOCKER_MANIFEST_SCHEMA1;
  }
  if (parsed.schemaVersion !== 2) return "";
  const configType = isObject(parsed.config) ? parsed.config.mediaType : undefined;
  if (configType === OCI_CONFIG) return OCI_MANIFEST;
  if (configType === DOCKER_CONFIG) return DOCKER_MANIFEST;
  if (Array.isArray(parsed.manifests) && parsed.manifests.length > 0 && configType === undefined) {
    return OCI_INDEX;
  }
  return OCI_MANIFEST; // most likely an artifact with its own config media type
}

/**
 * Parses manifest bytes of the given media type (from the response's Content-Type, or guessed).
 * Throws ManifestFormatError, with a message that says what is wrong, on anything malformed.
 */
export function parseManifest(bytes: Uint8Array, mediaType: string): ParsedManifest {
  if (mediaType === DOCKER_MANIFEST_SCHEMA1 || mediaType === DOCKER_MANIFEST_SCHEMA1_SIGNED) {
    throw new ManifestFormatError(`Docker schema 1 manifests (${mediaType}) are not supported`);
  }
  if (!isImageManifestType(mediaType) && !isIndexManifestType(mediaType)) {
    throw new ManifestFormatError(`unsupported manifest media type ${JSON.stringify(mediaType)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ManifestFormatError(`manifest is not valid JSON: ${(error as Error).message}`);
  }
  if (!isObject(parsed)) throw new ManifestFormatError("manifest is not a JSON object");
  if (parsed.schemaVersion !== 2) {
    throw new ManifestFormatError(
      `manifest schemaVersion is ${JSON.stringify(parsed.schemaVersion)}, expected 2 for ${mediaType}`,
    );
  }
  const declared = parsed.mediaType;
  if (declared !== undefined && declared !== mediaType) {
    throw new ManifestFormatError(
      `manifest declares mediaType ${JSON.stringify(declared)} but was served as ${mediaType}`,
    );
  }
  // Docker's formats always carry their mediaType; only OCI made it optional (before image-spec 1.0.2).
  if (declared === undefined && (mediaType === DOCKER_MANIFEST || mediaType === DOCKER_MANIFEST_LIST)) {
    throw new ManifestFormatError(`manifest has no mediaType, required for ${mediaType}`);
  }
  const isIndex = isIndexManifestType(mediaType);
  rejectAmbiguousFields(parsed, isIndex ? ["manifests"] : ["config", "layers"], mediaType);
  const common = {
    mediaType,
    ...optionalDescriptor(parsed, "subject"),
    ...optionalString(parsed, "artifactType", "manifest"),
    ...optionalAnnotations(parsed, "manifest"),
  };
  if (isIndex) {
    const manifests = requireArray(parsed, "manifests").map((entry, i) =>
      parseDescriptor(entry, `manifests[${i}]`, mediaType === DOCKER_MANIFEST_LIST),
    );
    return { kind: "index", ...common, manifests };
  }
  const config = parseDescriptor(parsed.config, "config", false);
  const layers = requireArray(parsed, "layers").map((entry, i) =>
    parseDescriptor(entry, `layers[${i}]`, false),
  );
  return { kind: "manifest", ...common, config, layers };
}

// The "essential" fields containers/image uses to tell formats apart (manifest/common.go).
const FORMAT_FIELDS = ["config", "fsLayers", "history", "layers", "manifests"];

function rejectAmbiguousFields(parsed: JsonObject, allowed: string[], mediaType: string): void {
  // Go's encoding/json matches field names case-insensitively, so containers/image rejects "Config"
  // as well; do the same so both read a document the same way.
  const unexpected = Object.keys(parsed).filter((key) => {
    const field = FORMAT_FIELDS.find((f) => f.toLowerCase() === key.toLowerCase());
    return field !== undefined && !allowed.includes(field) && parsed[key] !== null;
  });
  if (unexpected.length > 0) {
    throw new ManifestFormatError(
      `manifest served as ${mediaType} also has field(s) ${unexpected.join(", ")} of another format`,
    );
  }
}

function requireArray(parsed: JsonObject, field: string): unknown[] {
  const value = parsed[field];
  if (!Array.isArray(value)) {
    throw new ManifestFormatError(`manifest field ${field} must be an array`);
  }
  return value;
}

function optionalString(parsed: JsonObject, field: string, where: string): Record<string, string> {
  const value = parsed[field];
  if (value === undefined) return {};
  if (typeof value !== "string") throw new ManifestFormatError(`${where} field ${field} must be a string`);
  return { [field]: value };
}

function optionalAnnotations(parsed: JsonObject, where: string): { annotations?: Record<string, string> } {
  const value = parsed.annotations;
  if (value === undefined || value === null) return {};
  if (!isObject(value) || !Object.values(value).every((v) => typeof v === "string")) {
    throw new ManifestFormatError(`${where} annotations must be an object of strings`);
  }
  return { annotations: { ...(value as Record<string, string>) } };
}

function optionalDescriptor(parsed: JsonObject, field: "subject"): { subject?: Descriptor } {
  const value = parsed[field];
  if (value === undefined || value === null) return {};
  return { [field]: parseDescriptor(value, field, false) };
}

function parseDescriptor(value: unknown, where: string, platformRequired: boolean): Descriptor {
  if (!isObject(value)) throw new ManifestFormatError(`${where} must be an object`);
  const { mediaType, digest, size } = value;
  if (typeof mediaType !== "string" || mediaType === "") {
    throw new ManifestFormatError(`${where}.mediaType must be a non-empty string`);
  }
  if (typeof digest !== "string" || !isDigest(digest)) {
    throw new ManifestFormatError(`${where}.digest ${JSON.stringify(digest)} is not a valid digest`);
  }
  if (typeof size !== "number" || !Number.isSafeInteger(size) || size < 0) {
    throw new ManifestFormatError(`${where}.size must be a non-negative integer`);
  }
  const descriptor: Descriptor = { mediaType, digest, size };
  if (value.urls !== undefined) {
    if (!Array.isArray(value.urls) || !value.urls.every((u) => typeof u === "string")) {
      throw new ManifestFormatError(`${where}.urls must be an array of strings`);
    }
    descriptor.urls = [...(value.urls as string[])];
  }
  Object.assign(descriptor, optionalAnnotations(value, where), optionalString(value, "artifactType", where));
  if (value.platform !== undefined && value.platform !== null) {
    descriptor.platform = parsePlatform(value.platform, `${where}.platform`);
  } else if (platformRequired) {
    throw new ManifestFormatError(`${where}.platform is required in a Docker manifest list`);
  }
  return descriptor;
}

function parsePlatform(value: unknown, where: string): Platform {
  if (!isObject(value)) throw new ManifestFormatError(`${where} must be an object`);
  const { architecture, os, variant } = value;
  if (typeof architecture !== "string" || typeof os !== "string") {
    throw new ManifestFormatError(`${where} must have string architecture and os`);
  }
  const platform: Platform = { architecture, os };
  if (variant !== undefined) {
    if (typeof variant !== "string") throw new ManifestFormatError(`${where}.variant must be a string`);
    if (variant !== "") platform.variant = variant;
  }
  const osVersion = value["os.version"];
  if (osVersion !== undefined) {
    if (typeof osVersion !== "string") throw new ManifestFormatError(`${where}.os.version must be a string`);
    platform["os.version"] = osVersion;
  }
  const osFeatures = value["os.features"];
  if (osFeatures !== undefined && osFeatures !== null) {
    if (!Array.isArray(osFeatures) || !osFeatures.every((f) => typeof f === "string")) {
      throw new ManifestFormatError(`${where}.os.features must be an array of strings`);
    }
    platform["os.features"] = [...(osFeatures as string[])];
  }
  return platform;
}
