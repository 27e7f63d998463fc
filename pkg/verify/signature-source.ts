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
// 256 attachment layers (containers/image has no limit; the manifest size bounds it), and a memory
// budget of 16 MiB of signature bodies per image: 256 layers of 4 MiB would otherwise hold 1 GiB per
// image (containers/image reads them all). Real signatures are a few hundred bytes each. An
// attachment manifest that declares more than the budget is refused before any blob is read; the
// bytes actually read count too (a declared size can lie).

import { readFile } from "node:fs/promises";
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

export const MAX_SIGNATURE_BYTES = 4 * 1024 * 1024;
const MAX_LOOKASIDE_SIGNATURES = 128;
const MAX_ATTACHMENT_LAYERS = 256;
export const MAX_SIGNATURE_BYTES_PER_IMAGE = 16 * 1024 * 1024;

/** The signature bytes read for one image so far, against MAX_SIGNATURE_BYTES_PER_IMAGE. */
class SignatureBudget {
  #used = 0;

  take(bytes: number, what: string): void {
    this.#used += bytes;
    if (this.#used > MAX_SIGNATURE_BYTES_PER_IMAGE) {
      throw new SignatureFetchError(
        `${what}: more than ${MAX_SIGNATURE_BYTES_PER_IMAGE} bytes of signatures for one image, the most this verifier reads`,
      );
    }
  }
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
  const budget = new SignatureBudget();
  const signatures = await readLookaside(options, lookaside.value, physical, digest, budget);
  const result: FetchedSignatures = { signatures, lookaside, attachments };
  if (attachments.value) {
    const tag = sigstoreAttachmentTag(digest);
    result.attachmentTag = tag;
    signatures.push(...(await readAttachments(options, physical, tag, budget)));
  }
  return result;
}

async function readLookaside(
  options: SignatureSourceOptions,
  base: string,
  physical: DockerReference,
  digest: string,
  budget: SignatureBudget,
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
    const blob = await readOneLookaside(options, url);
    if (blob === undefined) return out;
    budget.take(blob.length, `reading signature ${i + 1} of ${physical.domain}/${physical.path}`);
    out.push(
      signatureFromBlob(blob, url.protocol === "file:" ? decodeURIComponent(url.pathname) : redactUrl(url)),
    );
  }
}

async function readOneLookaside(options: SignatureSourceOptions, url: URL): Promise<Uint8Array | undefined> {
  if (url.protocol === "file:") {
    const path = decodeURIComponent(url.pathname);
    try {
      const bytes = await readFile(path);
      if (bytes.length > MAX_SIGNATURE_BYTES) {
        throw new SignatureFetchError(`signature ${path} is larger than ${MAX_SIGNATURE_BYTES} bytes`);
      }
      return new Uint8Array(bytes);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
      if (error instanceof SignatureFetchError) throw error;
      throw new SignatureFetchError(`reading signature ${path}: ${(error as Error).message}`);
    }
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new SignatureFetchError(`Unsupported scheme when reading signature from ${redactUrl(url)}`);
  }
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
    return await response.readBody(MAX_SIGNATURE_BYTES);
  } catch (error) {
    if (error instanceof RegistryError) {
      throw new SignatureFetchError(`reading signature from ${redactUrl(url)}: ${error.message}`);
    }
    throw error;
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
  budget: SignatureBudget,
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
  if (declared > MAX_SIGNATURE_BYTES_PER_IMAGE) {
    throw new SignatureFetchError(
      `sigstore attachment manifest ${where} declares ${declared} bytes of signatures, more than the ${MAX_SIGNATURE_BYTES_PER_IMAGE} this verifier reads for one image`,
    );
  }
  const out: UntrustedSignature[] = [];
  for (const [i, layer] of layers.entries()) {
    let payload: Uint8Array;
    try {
      payload = await options.client.getBlob(repo, layer.digest, { maxBytes: MAX_SIGNATURE_BYTES });
    } catch (error) {
      if (error instanceof RegistryError) {
        throw new SignatureFetchError(
          `reading blob ${layer.digest} in ${physical.domain}/${physical.path}: ${error.message}`,
        );
      }
      throw error;
    }
    budget.take(payload.length, `reading sigstore attachment manifest ${where} layer ${i + 1}`);
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
