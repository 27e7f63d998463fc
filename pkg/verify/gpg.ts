// The signedBy requirement with GPG keys ("simple signing"), as containers/image evaluates it
// (signature/policy_eval_signedby.go, simple.go, and the openpgp mechanism CRI-O and our judge are
// built with): the keyring from keyPath/keyPaths/keyData is imported (binary, or armored when binary
// fails); each simple-signing signature from the lookaside store is an OpenPGP signed message whose
// signer must be in that keyring; then the signed JSON ("atomic container signature") is parsed
// strictly, its manifest digest compared with the instance, and its identity matched. Sigstore
// attachments are not signatures for this requirement (they are ignored, not counted).
//
// OpenPGP is openpgp.js; its checks are close to, but not exactly, Go's (for example about expired
// or revoked keys): see docs/verify.md.

import * as openpgp from "openpgp";
import { goQuote } from "../containers/go/strconv.ts";
import type { PRSignedBy } from "../containers/policy.ts";
import { signedIdentityMatches } from "./identity.ts";
import { TrustRootError, loadByteSources, type FileReader } from "./keys.ts";
import { InvalidPayloadError, SIMPLE_SIGNING_PAYLOAD_TYPE, parseSignedPayload } from "./payload.ts";
import type { UntrustedSignature } from "./signature-source.ts";
import { PolicyRequirementError, manifestMatchesDigest, type ImageUnderTest } from "./sigstore.ts";
import type { SignatureResult } from "./types.ts";

export interface GpgKeyring {
  keys: openpgp.Key[];
  /** Upper-case hex fingerprints of the primary keys (containers/image's key identities). */
  fingerprints: string[];
}

export type PreparedKeyring = { ok: true; keyring: GpgKeyring } | { ok: false; error: Error };

const NOT_ONE_SOURCE = `Internal inconsistency: not exactly one of "keyPath", "keyPaths" and "keyData" specified`;

/** Loads the requirement's keyring; errors become every signature's rejection. */
export async function prepareGpgKeyring(
  requirement: PRSignedBy,
  readFileFn: FileReader,
): Promise<PreparedKeyring> {
  try {
    if (requirement.keyType !== "GPGKeys") {
      throw new TrustRootError(`Unimplemented "keyType" value ${goQuote(requirement.keyType)}`);
    }
    const blobs = await loadByteSources(
      { path: requirement.keyPath, paths: requirement.keyPaths, data: requirement.keyData },
      readFileFn,
    );
    if (blobs === undefined) throw new TrustRootError(NOT_ONE_SOURCE);
    const keys: openpgp.Key[] = [];
    for (const blob of blobs) keys.push(...(await importKeys(blob)));
    return { ok: true, keyring: { keys, fingerprints: keys.map((k) => k.getFingerprint().toUpperCase()) } };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

async function importKeys(blob: Uint8Array): Promise<openpgp.Key[]> {
  try {
    return await openpgp.readKeys({ binaryKeys: blob });
  } catch (binaryError) {
    try {
      return await openpgp.readKeys({ armoredKeys: Buffer.from(blob).toString("utf8") });
    } catch {
      throw new TrustRootError(`openpgp: ${(binaryError as Error).message}`);
    }
  }
}

/** Verifies one signature blob; returns the signed bytes and the signer's primary fingerprint. */
async function verifyBlob(
  keyring: GpgKeyring,
  blob: Uint8Array,
): Promise<{ content: Uint8Array; fingerprint: string }> {
  let message: openpgp.Message<Uint8Array>;
  try {
    message = await openpgp.readMessage({ binaryMessage: blob });
  } catch (error) {
    throw new InvalidGpgSignature(`openpgp: invalid data: ${(error as Error).message}`);
  }
  let result;
  try {
    result = await openpgp.verify({ message, verificationKeys: keyring.keys, format: "binary" });
  } catch (error) {
    throw new InvalidGpgSignature(`openpgp: ${(error as Error).message}`);
  }
  const first = result.signatures[0];
  if (first === undefined) throw new InvalidGpgSignature("not signed");
  const keyId = first.keyID;
  const signer = keyring.keys.find((k) => k.getKeys(keyId).length > 0);
  if (signer === undefined) {
    throw new InvalidGpgSignature(`Key not found for key ID ${keyId.toHex()} in signature`);
  }
  try {
    await first.verified;
  } catch (error) {
    throw new InvalidGpgSignature(`signature error: ${(error as Error).message}`);
  }
  return { content: result.data, fingerprint: signer.getFingerprint().toUpperCase() };
}

export class InvalidGpgSignature extends Error {
  override readonly name = "InvalidGpgSignature";
}

async function checkSimpleSignature(
  keyring: PreparedKeyring,
  requirement: PRSignedBy,
  image: ImageUnderTest,
  blob: Uint8Array,
): Promise<string> {
  if (!keyring.ok) throw keyring.error;
  if (keyring.keyring.fingerprints.length === 0) throw new PolicyRequirementError("No public keys imported");
  const { content, fingerprint } = await verifyBlob(keyring.keyring, blob);
  if (!keyring.keyring.fingerprints.includes(fingerprint)) {
    throw new InvalidGpgSignature(`signature by key ${fingerprint} is not accepted`);
  }
  const payload = parseSignedPayload(content, SIMPLE_SIGNING_PAYLOAD_TYPE);
  if (!manifestMatchesDigest(image.manifest, payload.dockerManifestDigest)) {
    throw new PolicyRequirementError(`Signature for digest ${payload.dockerManifestDigest} does not match`);
  }
  if (!signedIdentityMatches(requirement.signedIdentity, image.intended, payload.dockerReference)) {
    throw new PolicyRequirementError(
      `Signature for identity ${goQuote(payload.dockerReference)} is not accepted`,
    );
  }
  return `accepted: signed by GPG key ${fingerprint}, for ${payload.dockerReference}`;
}

/** prSignedBy.isRunningImageAllowed. */
export async function evaluateSignedByRequirement(
  keyring: PreparedKeyring,
  requirement: PRSignedBy,
  image: ImageUnderTest,
  signatures: readonly UntrustedSignature[],
): Promise<{ allowed: boolean; message?: string; results: SignatureResult[] }> {
  const results: SignatureResult[] = [];
  const rejections: string[] = [];
  for (const sig of signatures) {
    if (sig.kind !== "simple-signing") {
      results.push({
        source: sig.source,
        format: "sigstore",
        accepted: false,
        detail: "not a simple-signing signature (ignored)",
      });
      continue;
    }
    try {
      const by = await checkSimpleSignature(keyring, requirement, image, sig.blob);
      results.push({ source: sig.source, format: "simple-signing", accepted: true, detail: by });
      return { allowed: true, results };
    } catch (error) {
      if (
        !(error instanceof TrustRootError) &&
        !(error instanceof InvalidGpgSignature) &&
        !(error instanceof InvalidPayloadError) &&
        !(error instanceof PolicyRequirementError) &&
        !(keyring.ok === false && error === keyring.error)
      ) {
        throw error;
      }
      const reason = (error as Error).message;
      results.push({ source: sig.source, format: "simple-signing", accepted: false, detail: reason });
      rejections.push(reason);
    }
  }
  let message: string;
  if (rejections.length === 0) message = "A signature was required, but no signature exists";
  else if (rejections.length === 1) message = rejections[0] as string;
  else message = `None of the signatures were accepted, reasons: ${rejections.join("; ")}`;
  return { allowed: false, message, results };
}
