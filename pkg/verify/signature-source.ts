// The signatures a node sees for one image instance (docker/docker_image_src.go
// GetSignaturesWithFormat), read from the *physical* source (the mirror that served the image, or the
// registry itself):
//   1. lookaside ("simple signing", usually GPG) signatures: <base>/<repository path>@<algo>=<hex>/signature-<n>
//      for n = 1, 2, … until one is missing (file://) or answers 404 (http/https); the base comes from
//      registries.d, or the built-in default directory when nothing configures one;
//   2. then, only when registries.d enables use-sigstore-attachments for the physical reference, every
//      layer of the OCI manifest tagged `sha256-<hex>.sig` in the same repository.
// Every body is limited to 4 MiB (containers/image's iolimits.MaxSignatureBodySize) and checked
// against its digest. Any failure other than "does not exist" is an error, as on a node.
//
// Safety limits of our own: at most 128 lookaside signatures (the same as containers/image), at most
// 256 attachment layers (containers/image has no limit; the manifest size bounds it), and memory
// budgets for signature bodies (signature-memory.ts): 16 MiB per image, since 256 layers of 4 MiB
// would otherwise hold 1 GiB per image (containers/image reads them all), and 64 MiB shared by every
// image in flight. Real signatures are a few hundred bytes each. An attachment manifest that
// declares more than the per-image budget is refused before any blob is read; before each body is
// read, the most it may be is reserved, and then only the bytes actually read stay counted (a
// declared size can lie).

import { open } from "node:fs/promises";
import type { DockerReference } from "../containers/reference.ts";
import {
  OCI_MANIFEST,
  RegistryError,
  isManifestUnknown,
  type Descriptor,
  type RegistryClient,
} from "../registry/index.ts";
import { HttpTransport, redactUrl } from "../registry/transport.ts";
import { goDigestProblem } from "./payload.ts";
import {
  lookasideBase,
  useSigstoreAttachments,
  type RegistriesD,
  type ResolvedSetting,
} from "./registries-d.ts";
import { type SignatureHolder } from "./signature-memory.ts";

export { MAX_SIGNATURE_BYTES_PER_IMAGE } from "./signature-memory.ts";

export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
const MAX_LOOKASIDE_SIGNATURES = 128;
const MAX_ATTACHMENT_LAYERS = 256;

/** A body larger than the most a read may return; its message is the one to report at the 4 MiB limit. */
class BodyTooLarge extends Error {}

/** The memory reserved for one body, up to `limit`: 4 MiB, or what is left of the image's budget. */
class BodyReservation {
  reserved = 0;
  readonly limit: number;
  readonly #memory: SignatureHolder;

  constructor(memory: SignatureHolder) {
    this.#memory = memory;
    this.limit = Math.min(MAX_SIGNATURE_BYTES, memory.room());
  }

  /** Reserves up to `bytes` in all (never more than the limit), waiting for room if need be. */
  async upTo(bytes: number): Promise<void> {
    const more = Math.min(bytes, this.limit) - this.reserved;
    if (more <= 0) return;
    await this.#memory.reserve(more);
    this.reserved += more;
  }
}

/**
 * Reads one signature body within the image's memory: the reader reserves the most it may read before
 * reading it (a network read: the limit, before the request; a file: its size, after opening it);
 * afterwards only the bytes actually read stay counted.
 */
async function readBody(
  memory: SignatureHolder,
  what: string,
  read: (body: BodyReservation) => Promise<Uint8Array | undefined>,
): Promise<Uint8Array | undefined> {
  const reservation = new BodyReservation(memory);
  let body: Uint8Array | undefined;
  try {
    body = await read(reservation);
  } catch (error) {
    memory.release(reservation.reserved);
    if (error instanceof BodyTooLarge) {
      if (reservation.limit < MAX_SIGNATURE_BYTES)
        throw new SignatureFetchError(`${what}: ${memory.exceeded()}`);
      throw new SignatureFetchError(error.message);
    }
    throw error;
  }
  memory.release(reservation.reserved - (body?.length ?? 0));
  return body;
}

export const SIGSTORE_SIGNATURE_MIME_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
export const ANNOTATION_SIGNATURE = "dev.cosignproject.cosign/signature";
export const ANNOTATION_CERTIFICATE = "dev.sigstore.cosign/certificate";
export const ANNOTATION_CHAIN = "dev.sigstore.cosign/chain";
export const ANNOTATION_BUNDLE = "dev.sigstore.cosign/bundle";

export type UntrustedSignature =
  | { kind: "simple-signing"; blob: Uint8Array; source: string }
  | {
      kind: "sigstore";
      mimeType: string;
      payload: Uint8Array;
      annotations: Readonly<Record<string, string>>;
      source: string;
    };

export interface FetchedSignatures {
  signatures: UntrustedSignature[];
  lookaside: ResolvedSetting<string>;
  attachments: ResolvedSetting<boolean>;
  /** The attachment tag that was looked at (when attachments are enabled). */
  attachmentTag?: string;
}

export class SignatureFetchError extends Error {
  override readonly name = "SignatureFetchError";
}

export interface SignatureSourceOptions {
  client: RegistryClient;
  /** For http(s) lookaside stores. */
  transport: HttpTransport;
  registriesD: RegistriesD;
  builtinLookaside: string;
  timeoutMs: number;
  /** This image's share of the signature memory; the caller closes (or parks) it. */
  memory: SignatureHolder;
}

/** `sha256-<hex>.sig`: where cosign stores, and containers/image reads, sigstore signatures. */
export function sigstoreAttachmentTag(digest: string): string {
  return `${digest.replace(":", "-")}.sig`;
}

export async function fetchSignatures(
  options: SignatureSourceOptions,
  physical: DockerReference,
  digest: string,
): Promise<FetchedSignatures> {
  const problem = goDigestProblem(digest);
  if (problem !== undefined) throw new SignatureFetchError(`invalid digest ${digest}: ${problem}`);
  const lookaside = lookasideBase(options.registriesD, physical, options.builtinLookaside);
  const attachments = useSigstoreAttachments(options.registriesD, physical);
  const signatures = await readLookaside(options, lookaside.value, physical, digest);
  const result: FetchedSignatures = { signatures, lookaside, attachments };
  if (attachments.value) {
    const tag = sigstoreAttachmentTag(digest);
    result.attachmentTag = tag;
    signatures.push(...(await readAttachments(options, physical, tag)));
  }
  return result;
}

async function readLookaside(
  options: SignatureSourceOptions,
  base: string,
  physical: DockerReference,
  digest: string,
): Promise<UntrustedSignature[]> {
  let baseUrl: URL;
  try {
    baseUrl = new URL(base);
  } catch {
    throw new SignatureFetchError(`Invalid signature storage URL ${base}`);
  }
  const [algorithm, hex] = digest.split(":") as [string, string];
  const out: UntrustedSignature[] = [];
  for (let i = 0; ; i++) {
    if (i >= MAX_LOOKASIDE_SIGNATURES) {
      throw new SignatureFetchError(
        `server provided ${MAX_LOOKASIDE_SIGNATURES} signatures, assuming that's unreasonable and a server error`,
      );
    }
    const url = new URL(baseUrl.href);
    url.pathname = `${baseUrl.pathname.replace(/\/$/, "")}/${physical.path}@${algorithm}=${hex}/signature-${i + 1}`;
    const blob = await readBody(
      options.memory,
      `reading signature ${i + 1} of ${physical.domain}/${physical.path}`,
      (body) => readOneLookaside(options, url, body),
    );
    if (blob === undefined) return out;
    out.push(
      signatureFromBlob(blob, url.protocol === "file:" ? decodeURIComponent(url.pathname) : redactUrl(url)),
    );
  }
}

async function readOneLookaside(
  options: SignatureSourceOptions,
  url: URL,
  body: BodyReservation,
): Promise<Uint8Array | undefined> {
  if (url.protocol === "file:") {
    const path = decodeURIComponent(url.pathname);
    try {
      return await readFileAtMost(path, body);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      if (error instanceof BodyTooLarge) throw error;
      throw new SignatureFetchError(`reading signature ${path}: ${(error as Error).message}`);
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SignatureFetchError(`Unsupported scheme when reading signature from ${redactUrl(url)}`);
  }
  await body.upTo(body.limit);
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await options.transport.request({ method: "GET", url, signal, registry: url.host });
    if (response.status === 404) {
      response.discard();
      return undefined;
    }
    if (response.status !== 200) {
      response.discard();
      throw new SignatureFetchError(
        `reading signature from ${redactUrl(url)}: received unexpected HTTP status: ${response.status}`,
      );
    }
    return await response.readBody(body.limit);
  } catch (error) {
    if (error instanceof RegistryError && error.reason === "size-limit") {
      throw new BodyTooLarge(`reading signature from ${redactUrl(url)}: ${error.message}`);
    }
    if (error instanceof RegistryError) {
      throw new SignatureFetchError(`reading signature from ${redactUrl(url)}: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Reads a lookaside file within `body.limit` bytes, whatever the file is (a device, a file that grows),
 * reserving its size once it is open (so a missing file, the usual end of the list, reserves nothing)
 * and more only if it turns out longer.
 */
async function readFileAtMost(path: string, body: BodyReservation): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const stat = await handle.stat();
    await body.upTo(stat.isFile() ? stat.size : body.limit);
    const chunks: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      // What is reserved, or one byte to tell the end of the file from a file longer than it was.
      const chunk = new Uint8Array(Math.min(64 * 1024, Math.max(body.reserved - total, 1)));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return new Uint8Array(Buffer.concat(chunks, total));
      total += bytesRead;
      if (total > body.limit) throw new BodyTooLarge(`signature ${path} is larger than ${body.limit} bytes`);
      chunks.push(chunk.subarray(0, bytesRead));
      if (total > body.reserved) await body.upTo(body.limit);
    }
  } finally {
    await handle.close();
  }
}

/** internal/signature FromBlob: a bare OpenPGP message, or a "\0format\n"-prefixed blob. */
function signatureFromBlob(blob: Uint8Array, source: string): UntrustedSignature {
  if (blob.length === 0) throw new SignatureFetchError(`parsing signature ${source}: empty signature blob`);
  const first = blob[0] as number;
  const openPgpStarts = [
    0xa0, 0xa1, 0xa2, 0xa3, 0xc8, 0x90, 0x91, 0x92, 0x3d, 0xc4, 0x88, 0x89, 0x8a, 0x8b, 0xc2,
  ];
  if (openPgpStarts.includes(first)) return { kind: "simple-signing", blob, source };
  if (first !== 0) {
    throw new SignatureFetchError(
      `parsing signature ${source}: unrecognized signature format, starting with binary 0x${first.toString(16)}`,
    );
  }
  const newline = blob.indexOf(0x0a);
  if (newline === -1)
    throw new SignatureFetchError(`parsing signature ${source}: invalid signature format, missing newline`);
  const format = Buffer.from(blob.subarray(1, newline)).toString("latin1");
  const rest = blob.subarray(newline + 1);
  if (format === "simple-signing") return { kind: "simple-signing", blob: rest, source };
  if (format === "sigstore-json") {
    try {
      const parsed = JSON.parse(Buffer.from(rest).toString("utf8")) as {
        mimeType?: unknown;
        payload?: unknown;
        annotations?: unknown;
      };
      if (typeof parsed.mimeType !== "string" || typeof parsed.payload !== "string")
        throw new Error("bad fields");
      const annotations = (parsed.annotations ?? {}) as Record<string, string>;
      return {
        kind: "sigstore",
        mimeType: parsed.mimeType,
        payload: new Uint8Array(Buffer.from(parsed.payload, "base64")),
        annotations,
        source,
      };
    } catch (error) {
      throw new SignatureFetchError(`parsing signature ${source}: ${(error as Error).message}`);
    }
  }
  throw new SignatureFetchError(
    `parsing signature ${source}: unrecognized signature format ${JSON.stringify(format)}`,
  );
}

async function readAttachments(
  options: SignatureSourceOptions,
  physical: DockerReference,
  tag: string,
): Promise<UntrustedSignature[]> {
  const repo = { registry: physical.domain, repository: physical.path };
  const where = `${physical.domain}/${physical.path}:${tag}`;
  let manifest;
  try {
    manifest = await options.client.getManifest(repo, tag);
  } catch (error) {
    if (isManifestUnknown(error)) return [];
    if (error instanceof RegistryError || error instanceof TypeError) {
      throw new SignatureFetchError(`reading sigstore attachment manifest ${where}: ${error.message}`);
    }
    throw error;
  }
  if (manifest.mediaType !== OCI_MANIFEST || manifest.parsed.kind !== "manifest") {
    throw new SignatureFetchError(
      `unexpected MIME type for sigstore attachment manifest ${where}: ${JSON.stringify(manifest.mediaType)}`,
    );
  }
  const layers: Descriptor[] = manifest.parsed.layers;
  if (layers.length > MAX_ATTACHMENT_LAYERS) {
    throw new SignatureFetchError(
      `sigstore attachment manifest ${where} has ${layers.length} layers, more than the ${MAX_ATTACHMENT_LAYERS} this verifier reads`,
    );
  }
  const declared = layers.reduce(
    (sum, layer) => sum + Math.min(Math.max(layer.size, 0), MAX_SIGNATURE_BYTES),
    0,
  );
  if (declared > options.memory.room()) {
    throw new SignatureFetchError(
      `sigstore attachment manifest ${where} declares ${declared} bytes of signatures, more than ${options.memory.describeLimit()}`,
    );
  }
  const out: UntrustedSignature[] = [];
  for (const [i, layer] of layers.entries()) {
    const payload = (await readBody(
      options.memory,
      `reading sigstore attachment manifest ${where} layer ${i + 1}`,
      async (body) => {
        await body.upTo(body.limit);
        try {
          return await options.client.getBlob(repo, layer.digest, { maxBytes: body.limit });
        } catch (error) {
          if (error instanceof RegistryError) {
            const message = `reading blob ${layer.digest} in ${physical.domain}/${physical.path}: ${error.message}`;
            if (error.reason === "size-limit") throw new BodyTooLarge(message);
            throw new SignatureFetchError(message);
          }
          throw error;
        }
      },
    )) as Uint8Array;
    out.push({
      kind: "sigstore",
      mimeType: layer.mediaType,
      payload,
      annotations: layer.annotations ?? {},
      source: `${where} layer ${i + 1}`,
    });
  }
  return out;
}
