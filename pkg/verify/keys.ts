// Key material named by a policy requirement (keyPath, keyPaths, keyData, keyDatas and the Rekor and
// CA equivalents), loaded the way containers/image loads it on every evaluation
// (policy_eval_sigstore.go loadBytesFromConfigSources, cryptoutils.UnmarshalPEMToPublicKey): files are
// read at verification time, so a missing file or bad PEM rejects signatures, not the policy.

import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";
import { readFile } from "node:fs/promises";
import { goBase64Decode } from "../containers/go/base64.ts";
import { pemDecode, pemDecodeAll } from "./pem.ts";

/** A problem with the policy's own key material; rejects every signature with this message. */
export class TrustRootError extends Error {
  override readonly name = "TrustRootError";
}

export interface ByteSources {
  path?: string | undefined;
  paths?: readonly string[] | undefined;
  /** base64, as in policy.json */
  data?: string | undefined;
  /** base64 each */
  datas?: readonly string[] | undefined;
}

/** How files are read: overridable so tests and callers can confine or count reads. */
export type FileReader = (path: string) => Promise<Uint8Array>;

export const readFileBytes: FileReader = async (path) => new Uint8Array(await readFile(path));

function decodeBase64(value: string): Buffer {
  const decoded = goBase64Decode(value);
  // The policy parser has already refused invalid base64; this is a defensive fallback.
  if (!decoded.ok) throw new TrustRootError(decoded.message);
  return Buffer.from(decoded.bytes);
}

/** loadBytesFromConfigSources: every blob the sources name, or undefined when none is set. */
export async function loadByteSources(
  sources: ByteSources,
  readFileFn: FileReader,
): Promise<Buffer[] | undefined> {
  const read = async (path: string): Promise<Buffer> => {
    try {
      return Buffer.from(await readFileFn(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const text = code === "ENOENT" ? "no such file or directory" : (error as Error).message;
      throw new TrustRootError(`open ${path}: ${text}`);
    }
  };
  if (sources.path !== undefined && sources.path !== "") return [await read(sources.path)];
  if (sources.paths !== undefined) return Promise.all(sources.paths.map(read));
  if (sources.data !== undefined) return [decodeBase64(sources.data)];
  if (sources.datas !== undefined) return sources.datas.map(decodeBase64);
  return undefined;
}

/** cryptoutils.UnmarshalPEMToPublicKey: "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS #1). */
export function publicKeyFromPem(pem: Uint8Array | string): KeyObject {
  const decoded = pemDecode(pem);
  if (decoded === undefined) throw new TrustRootError("PEM decoding failed");
  const { type, bytes } = decoded.block;
  try {
    if (type === "PUBLIC KEY") return createPublicKey({ key: bytes, format: "der", type: "spki" });
    if (type === "RSA PUBLIC KEY") return createPublicKey({ key: bytes, format: "der", type: "pkcs1" });
  } catch (error) {
    throw new TrustRootError(`x509: failed to parse public key: ${(error as Error).message}`);
  }
  throw new TrustRootError(
    `unknown Public key PEM file type: ${type}. Are you passing the correct public key?`,
  );
}

/** The DER SubjectPublicKeyInfo of a key, which is what x509.MarshalPKIXPublicKey writes. */
export function spkiDer(key: KeyObject): Buffer {
  return key.export({ type: "spki", format: "der" });
}

/** x509.CertPool.AppendCertsFromPEM: every parsable CERTIFICATE block; others are skipped. */
export function certificatesFromPemPool(pem: Uint8Array): X509Certificate[] {
  const certs: X509Certificate[] = [];
  for (const block of pemDecodeAll(pem)) {
    if (block.type !== "CERTIFICATE") continue;
    try {
      certs.push(new X509Certificate(block.bytes));
    } catch {
      // AppendCertsFromPEM skips what it cannot parse.
    }
  }
  return certs;
}

/**
 * cryptoutils.UnmarshalCertificatesFromPEM: the input must be nothing but PEM certificate blocks
 * (any other bytes after the first one are an error). Used for untrusted certificates in signatures.
 */
export function certificatesFromPemStrict(pem: Uint8Array | string): X509Certificate[] {
  const certs: X509Certificate[] = [];
  let remaining = (typeof pem === "string" ? pem : Buffer.from(pem).toString("latin1")).trim();
  while (remaining.length > 0) {
    const decoded = pemDecode(remaining);
    if (decoded === undefined) throw new TrustRootError("error during PEM decoding");
    try {
      certs.push(new X509Certificate(decoded.block.bytes));
    } catch (error) {
      throw new TrustRootError(`x509: malformed certificate: ${(error as Error).message}`);
    }
    remaining = decoded.rest;
  }
  return certs;
}
