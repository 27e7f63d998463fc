// Test images made directly in a registry through the distribution API (no Docker, no skopeo): a tiny
// gzip'd tar layer or several, an OCI (or Docker schema 2) config with matching diff_ids, the manifest,
// and multi-platform indexes (OCI image index or Docker manifest list) over such images.
//
// Everything is deterministic: the same arguments give the same bytes and so the same digests (tar
// entries have fixed owners and times; gzip's header carries no time). Pass a different `seed` to get a
// different image with otherwise the same shape.
//
//   const amd64 = await pushImage(registry.url, "demo/app", "v1-amd64", { platform: { os: "linux", architecture: "amd64" } });
//   const index = await pushIndex(registry.url, "demo/app", "v1", [amd64, arm64]);
//
// `registry` is the URL ("http://127.0.0.1:PORT") or the RunningRegistry of ./registry.ts (whose
// caCertificatePem, for a TLS registry, is then trusted). Pushes authenticate when given credentials:
// Basic, or a Bearer token fetched with them (pull,push).
import { createHash } from "node:crypto";
import http from "node:http";
import https from "node:https";
import { gzipSync } from "node:zlib";
import { parseWwwAuthenticate } from "../../pkg/registry/auth.ts";
import {
  DOCKER_CONFIG,
  DOCKER_LAYER_GZIP,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_CONFIG,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
} from "../../pkg/registry/media-types.ts";

export interface TestPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface PushCredentials {
  username: string;
  password: string;
}

/** A registry URL, or anything with the URL and the CA of a TLS registry (a RunningRegistry). */
export type RegistryLocation = string | { url: string; caCertificatePem?: string };

export interface PushTarget {
  registry: RegistryLocation;
  repository: string;
  credentials?: PushCredentials;
}

/** A descriptor of something pushed: what an index entry or a signature's subject needs. */
export interface PushedDescriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface PushedImage extends PushedDescriptor {
  /** The manifest bytes, exactly as pushed. */
  manifest: Uint8Array;
  config: PushedDescriptor;
  layers: PushedDescriptor[];
  platform: TestPlatform;
}

export interface PushedIndex extends PushedDescriptor {
  manifest: Uint8Array;
}

export interface ImageOptions {
  /** Varies every byte of the image (layer contents, config). Default "". */
  seed?: string;
  /** Layer contents: each becomes one file (`/layer-<n>.txt`) in its own gzip'd tar. Default: one layer. */
  layers?: (string | Uint8Array)[];
  /** Fields merged into the config JSON (after the generated ones, so they can override them). */
  config?: Record<string, unknown>;
  /** Default linux/amd64. */
  platform?: TestPlatform;
  /** "oci" (default) or "docker" (v2 schema 2 manifest, Docker media types). */
  format?: "oci" | "docker";
  /** Manifest annotations (OCI only). */
  annotations?: Record<string, string>;
  credentials?: PushCredentials;
}

/** Pushes a small image and tags it; returns its manifest digest and the rest. */
export async function pushImage(
  registry: RegistryLocation,
  repository: string,
  tag: string,
  options: ImageOptions = {},
): Promise<PushedImage> {
  const target: PushTarget = {
    registry,
    repository,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const image = buildImage(options);
  for (const blob of [...image.layerBlobs, image.configBlob]) await pushBlob(target, blob);
  const pushed = await pushManifest(target, tag, image.manifest, image.mediaType);
  return {
    ...pushed,
    manifest: image.manifest,
    config: image.config,
    layers: image.layers,
    platform: image.platform,
  };
}

export interface BuiltImage {
  mediaType: string;
  manifest: Uint8Array;
  config: PushedDescriptor;
  configBlob: Uint8Array;
  layers: PushedDescriptor[];
  layerBlobs: Uint8Array[];
  platform: TestPlatform;
}

/** The bytes of an image, without pushing them (for offline fixtures, e.g. an OCI layout). */
export function buildImage(options: Omit<ImageOptions, "credentials"> = {}): BuiltImage {
  const seed = options.seed ?? "";
  const docker = options.format === "docker";
  const platform = options.platform ?? { os: "linux", architecture: "amd64" };
  const contents = options.layers ?? [`test layer${seed ? ` (${seed})` : ""}\n`];
  const tars = contents.map((content, i) =>
    tarArchive([
      { name: `layer-${i + 1}.txt`, content: typeof content === "string" ? Buffer.from(content) : content },
    ]),
  );
  const layerBlobs = tars.map((tar) => new Uint8Array(gzipSync(tar, { level: 9 })));
  const layers = layerBlobs.map((blob) => descriptorOf(docker ? DOCKER_LAYER_GZIP : OCI_LAYER_GZIP, blob));
  const configObject: Record<string, unknown> = {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
    config: { Labels: { "io.ipc.test.seed": seed } },
    rootfs: { type: "layers", diff_ids: tars.map((tar) => sha256(tar)) },
    history: tars.map((_, i) => ({ created_by: `ipc test layer ${i + 1}` })),
    ...options.config,
  };
  const configBlob = jsonBytes(configObject);
  const config = descriptorOf(docker ? DOCKER_CONFIG : OCI_CONFIG, configBlob);
  const mediaType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest = jsonBytes({
    schemaVersion: 2,
    mediaType,
    config,
    layers,
    ...(options.annotations && !docker ? { annotations: options.annotations } : {}),
  });
  return { mediaType, manifest, config, configBlob, layers, layerBlobs, platform };
}

export interface IndexEntry extends PushedDescriptor {
  platform?: TestPlatform;
  annotations?: Record<string, string>;
}

export interface IndexOptions {
  /** "oci" (image index, default) or "docker" (manifest list). */
  format?: "oci" | "docker";
  annotations?: Record<string, string>;
  credentials?: PushCredentials;
}

/** Pushes an image index (or Docker manifest list) over already pushed manifests, and tags it. */
export async function pushIndex(
  registry: RegistryLocation,
  repository: string,
  tag: string,
  entries: readonly IndexEntry[],
  options: IndexOptions = {},
): Promise<PushedIndex> {
  const docker = options.format === "docker";
  const mediaType = docker ? DOCKER_MANIFEST_LIST : OCI_INDEX;
  const manifests = entries.map((entry) => {
    if (docker && entry.platform === undefined)
      throw new Error("a Docker manifest list entry needs a platform");
    return {
      mediaType: entry.mediaType,
      digest: entry.digest,
      size: entry.size,
      ...(entry.platform ? { platform: platformJson(entry.platform) } : {}),
      ...(entry.annotations && !docker ? { annotations: entry.annotations } : {}),
    };
  });
  const manifest = jsonBytes({
    schemaVersion: 2,
    mediaType,
    manifests,
    ...(options.annotations && !docker ? { annotations: options.annotations } : {}),
  });
  const target: PushTarget = {
    registry,
    repository,
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const pushed = await pushManifest(target, tag, manifest, mediaType);
  return { ...pushed, manifest };
}

function platformJson(platform: TestPlatform): Record<string, string> {
  return {
    architecture: platform.architecture,
    os: platform.os,
    ...(platform.variant ? { variant: platform.variant } : {}),
  };
}

/** Uploads a blob (POST then PUT with the digest, the monolithic upload distribution 2.8 supports). */
export async function pushBlob(target: PushTarget, blob: Uint8Array): Promise<PushedDescriptor> {
  const digest = sha256(blob);
  const base = `${registryUrl(target)}/v2/${target.repository}/blobs`;
  const existing = await send(target, "HEAD", `${base}/${digest}`);
  if (existing.status === 200) return { mediaType: "application/octet-stream", digest, size: blob.length };
  const started = await send(target, "POST", `${base}/uploads/`);
  expectStatus(started, 202, `starting the upload of ${digest}`);
  const location = started.headers.location;
  if (location === undefined) throw new Error(`the registry sent no upload Location for ${digest}`);
  const uploadUrl = new URL(location, registryUrl(target));
  uploadUrl.searchParams.set("digest", digest);
  const finished = await send(target, "PUT", uploadUrl.toString(), blob, "application/octet-stream");
  expectStatus(finished, 201, `uploading ${digest}`);
  return { mediaType: "application/octet-stream", digest, size: blob.length };
}

/** PUTs a manifest under a tag (or its digest); returns its descriptor. */
export async function pushManifest(
  target: PushTarget,
  reference: string,
  manifest: Uint8Array,
  mediaType: string,
): Promise<PushedDescriptor> {
  const digest = sha256(manifest);
  const response = await send(
    target,
    "PUT",
    `${registryUrl(target)}/v2/${target.repository}/manifests/${reference}`,
    manifest,
    mediaType,
  );
  expectStatus(response, 201, `pushing manifest ${target.repository}:${reference}`);
  const announced = response.headers["docker-content-digest"];
  if (announced !== undefined && announced !== digest) {
    throw new Error(`the registry stored manifest ${digest} as ${announced}`);
  }
  return { mediaType, digest, size: manifest.length };
}

function registryUrl(target: PushTarget): string {
  return typeof target.registry === "string" ? target.registry : target.registry.url;
}

interface SimpleResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** One request with node:http(s) (fetch cannot be given a CA), body read whole. */
function request(
  method: string,
  url: string,
  headers: Record<string, string>,
  body: Uint8Array | undefined,
  ca: string | undefined,
): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const req = (url.startsWith("https:") ? https : http).request(
      url,
      {
        method,
        headers: { ...headers, ...(body ? { "content-length": String(body.length) } : {}) },
        ...(ca ? { ca } : {}),
        signal: AbortSignal.timeout(30_000),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString("utf8"),
          }),
        );
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

// Authorization per registry, repository and user, so a test pushing many blobs asks for a token once.
const authorizations = new Map<string, string>();

async function send(
  target: PushTarget,
  method: string,
  url: string,
  body?: Uint8Array,
  contentType?: string,
): Promise<SimpleResponse> {
  const ca = typeof target.registry === "string" ? undefined : target.registry.caCertificatePem;
  const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
  const key = `${registryUrl(target)} ${target.repository} ${target.credentials?.username ?? ""}`;
  const attempt = (authorization: string | undefined): Promise<SimpleResponse> =>
    request(method, url, { ...headers, ...(authorization ? { authorization } : {}) }, body, ca);
  const response = await attempt(authorizations.get(key));
  if (response.status !== 401) return response;

  const { credentials } = target;
  const basic = credentials
    ? `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`
    : undefined;
  const challenge = parseWwwAuthenticate([response.headers["www-authenticate"] ?? ""])[0];
  let authorization: string | undefined;
  if (challenge?.scheme === "basic") authorization = basic;
  if (challenge?.scheme === "bearer" && challenge.parameters.realm) {
    const tokenUrl = new URL(challenge.parameters.realm);
    if (challenge.parameters.service) tokenUrl.searchParams.set("service", challenge.parameters.service);
    tokenUrl.searchParams.set("scope", `repository:${target.repository}:pull,push`);
    const tokenResponse = await request(
      "GET",
      tokenUrl.toString(),
      basic ? { authorization: basic } : {},
      undefined,
      ca,
    );
    if (tokenResponse.status !== 200) {
      throw new Error(
        `token server ${tokenUrl.origin} answered ${tokenResponse.status}: ${tokenResponse.body}`,
      );
    }
    authorization = `Bearer ${(JSON.parse(tokenResponse.body) as { token: string }).token}`;
  }
  if (authorization === undefined) return response;
  authorizations.set(key, authorization);
  return attempt(authorization);
}

function expectStatus(response: SimpleResponse, status: number, what: string): void {
  if (response.status !== status) {
    throw new Error(
      `${what}: the registry answered ${response.status} (expected ${status}): ${response.body}`,
    );
  }
}

/** A blob's digest, "sha256:<hex>". */
export function sha256(bytes: Uint8Array | string): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** A minimal image config, for manifests forged by hand (tests of bad input, benchmarks). */
export const MINIMAL_CONFIG = Buffer.from(
  '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}',
);

/**
 * The bytes of an image manifest with MINIMAL_CONFIG (or the config given) and the layer
 * descriptors given, whose blobs need not exist: for registries served by a test itself.
 */
export function manifestBytes(options: {
  layers: readonly unknown[];
  mediaType?: string;
  configMediaType?: string;
  config?: Uint8Array;
  annotations?: Record<string, string>;
}): Buffer {
  const mediaType = options.mediaType ?? OCI_MANIFEST;
  const configMediaType =
    options.configMediaType ?? (mediaType === DOCKER_MANIFEST ? DOCKER_CONFIG : OCI_CONFIG);
  return Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: descriptorOf(configMediaType, options.config ?? MINIMAL_CONFIG),
      layers: options.layers,
      ...(options.annotations ? { annotations: options.annotations } : {}),
    }),
  );
}

function jsonBytes(value: unknown): Uint8Array {
  return new Uint8Array(Buffer.from(JSON.stringify(value)));
}

function descriptorOf(mediaType: string, blob: Uint8Array): PushedDescriptor {
  return { mediaType, digest: sha256(blob), size: blob.length };
}

/** A POSIX ustar archive of regular files, owned by root, mode 0644, mtime 0. */
export function tarArchive(files: readonly { name: string; content: Uint8Array }[]): Uint8Array {
  const blocks: Buffer[] = [];
  for (const file of files) {
    if (Buffer.byteLength(file.name) > 100) throw new Error(`tar entry name too long: ${file.name}`);
    const header = Buffer.alloc(512);
    const field = (offset: number, length: number, value: string): void => {
      header.write(value, offset, length, "ascii");
    };
    const octal = (offset: number, length: number, value: number): void =>
      field(offset, length, value.toString(8).padStart(length - 1, "0") + "\0");
    header.write(file.name, 0, 100, "utf8");
    octal(100, 8, 0o644); // mode
    octal(108, 8, 0); // uid
    octal(116, 8, 0); // gid
    octal(124, 12, file.content.length); // size
    octal(136, 12, 0); // mtime
    field(148, 8, "        "); // checksum placeholder: spaces while summing
    field(156, 1, "0"); // regular file
    field(257, 6, "ustar\0");
    field(263, 2, "00");
    field(265, 32, "root");
    field(297, 32, "root");
    let checksum = 0;
    for (const byte of header) checksum += byte;
    field(148, 8, checksum.toString(8).padStart(6, "0") + "\0 ");
    blocks.push(header, Buffer.from(file.content));
    const padding = (512 - (file.content.length % 512)) % 512;
    if (padding > 0) blocks.push(Buffer.alloc(padding));
  }
  blocks.push(Buffer.alloc(1024)); // two zero blocks end the archive
  return new Uint8Array(Buffer.concat(blocks));
}
