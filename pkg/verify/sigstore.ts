// The sigstoreSigned requirement, as containers/image evaluates it (signature/policy_eval_sigstore.go):
// the trust root is prepared from the policy (files read now, keys parsed, Rekor keys must be ECDSA);
// then each sigstore attachment with the simple-signing media type is checked in turn — keys
// (optionally with a Rekor SET that must name one of them), a Fulcio certificate (SET required; chain
// to the policy's CA valid at the SET's integratedTime; OIDC issuer and email SAN), or a PKI
// certificate (chain to the policy's roots valid now; email and/or hostname) — followed by the
// cryptographic check of the payload, the strict payload parse, the manifest digest and the identity.
// One accepted signature admits the image; otherwise every reason is reported.
//
// @sigstore/verify's Verifier is not used for these checks: it builds chains only from trusted
// certificates, selects tlog keys by logID, requires inclusion proofs or SCTs that node-side
// verification never asks for, and checks neither the hashedrekord key against the signature's key
// nor EKU; reproducing containers/image's verdicts needs these rules exactly, so they are written out
// here on node:crypto (and @sigstore/core's canonical JSON and DER reader, through rekor-set.ts and x509.ts).

import { createHash, verify as cryptoVerify, type KeyObject } from "node:crypto";
import { goBase64Decode } from "../containers/go/base64.ts";
import { goQuote } from "../containers/go/strconv.ts";
import type { DockerReference } from "../containers/reference.ts";
import type { PRSigstoreSigned } from "../containers/policy.ts";
import { signedIdentityMatches } from "./identity.ts";
import {
  TrustRootError,
  certificatesFromPemPool,
  certificatesFromPemStrict,
  loadByteSources,
  publicKeyFromPem,
  spkiDer,
  type FileReader,
} from "./keys.ts";
import { pemEncode } from "./pem.ts";
import { InvalidPayloadError, SIGSTORE_PAYLOAD_TYPE, parseSignedPayload } from "./payload.ts";
import { InvalidSignatureError, verifyRekorSet } from "./rekor-set.ts";
import {
  ANNOTATION_BUNDLE,
  ANNOTATION_CERTIFICATE,
  ANNOTATION_CHAIN,
  ANNOTATION_SIGNATURE,
  SIGSTORE_SIGNATURE_MIME_TYPE,
  type UntrustedSignature,
} from "./signature-source.ts";
import type { SignatureResult } from "./types.ts";
import {
  CertificateError,
  OID_EKU_CODE_SIGNING,
  certificateMatchesHostname,
  hostnameErrorText,
  parseCertificate,
  verifyCertificate,
  type Certificate,
} from "./x509.ts";

export interface SigstoreTrustRoot {
  publicKeys?: KeyObject[];
  fulcio?: { roots: Certificate[]; oidcIssuer: string; subjectEmail: string };
  rekorKeys?: KeyObject[];
  pki?: { roots: Certificate[]; intermediates: Certificate[]; subjectEmail: string; subjectHostname: string };
}

/** prepareTrustRoot: loads and parses everything the requirement names; throws TrustRootError. */
export async function prepareSigstoreTrustRoot(
  requirement: PRSigstoreSigned,
  readFileFn: FileReader,
): Promise<SigstoreTrustRoot> {
  const root: SigstoreTrustRoot = {};
  const keyPems = await loadByteSources(
    {
      path: requirement.keyPath,
      paths: requirement.keyPaths,
      data: requirement.keyData,
      datas: requirement.keyDatas,
    },
    readFileFn,
  );
  if (keyPems !== undefined) {
    root.publicKeys = keyPems.map((pem, i) => {
      try {
        return publicKeyFromPem(pem);
      } catch (error) {
        throw new TrustRootError(`parsing public key ${i + 1}: ${(error as Error).message}`);
      }
    });
    if (root.publicKeys.length === 0) {
      throw new TrustRootError(
        `Internal inconsistency: "keyPath", "keyPaths", "keyData" and "keyDatas" produced no public keys`,
      );
    }
  }
  if (requirement.fulcio !== undefined) {
    const f = requirement.fulcio;
    const [caPem] = (await loadByteSources({ path: f.caPath, data: f.caData }, readFileFn)) ?? [];
    if (caPem === undefined) {
      throw new TrustRootError(
        `Internal inconsistency: Fulcio specified with not exactly one of "caPath" nor "caData"`,
      );
    }
    const roots = certificatesFromPemPool(caPem);
    if (roots.length === 0) throw new TrustRootError("error loading Fulcio CA certificates");
    root.fulcio = {
      roots: roots.map((c) => parseCertificate(c)),
      oidcIssuer: f.oidcIssuer,
      subjectEmail: f.subjectEmail,
    };
  }
  const rekorPems = await loadByteSources(
    {
      path: requirement.rekorPublicKeyPath,
      paths: requirement.rekorPublicKeyPaths,
      data: requirement.rekorPublicKeyData,
      datas: requirement.rekorPublicKeyDatas,
    },
    readFileFn,
  );
  if (rekorPems !== undefined) {
    root.rekorKeys = rekorPems.map((pem, i) => {
      let key: KeyObject;
      try {
        key = publicKeyFromPem(pem);
      } catch (error) {
        throw new TrustRootError(`parsing Rekor public key ${i + 1}: ${(error as Error).message}`);
      }
      if (key.asymmetricKeyType !== "ec")
        throw new TrustRootError(`Rekor public key ${i + 1} is not using ECDSA`);
      return key;
    });
  }
  if (requirement.pki !== undefined) {
    const p = requirement.pki;
    const [rootsPem] =
      (await loadByteSources({ path: p.caRootsPath, data: p.caRootsData }, readFileFn)) ?? [];
    if (rootsPem === undefined) {
      throw new TrustRootError(
        `Internal inconsistency: PKI specified with not exactly one of "caRootsPath" nor "caRootsData"`,
      );
    }
    const roots = certificatesFromPemPool(rootsPem);
    if (roots.length === 0) throw new TrustRootError("error loading PKI CA Roots certificates");
    const [intermediatesPem] =
      (await loadByteSources({ path: p.caIntermediatesPath, data: p.caIntermediatesData }, readFileFn)) ?? [];
    let intermediates: Certificate[] = [];
    if (intermediatesPem !== undefined) {
      try {
        intermediates = certificatesFromPemStrict(intermediatesPem).map((c) => parseCertificate(c));
      } catch (error) {
        throw new TrustRootError(`loading trusted intermediate certificates: ${(error as Error).message}`);
      }
    }
    root.pki = {
      roots: roots.map((c) => parseCertificate(c)),
      intermediates,
      subjectEmail: p.subjectEmail ?? "",
      subjectHostname: p.subjectHostname ?? "",
    };
  }
  return root;
}

/** What the per-image checks compare against. */
export interface ImageUnderTest {
  /** The logical reference (what was asked for). */
  intended: DockerReference;
  /** Bytes of the per-platform manifest the policy runs on. */
  manifest: Uint8Array;
  now: Date;
}

/** The requirement's trust root, or the error preparing it (which rejects every signature). */
export type PreparedTrustRoot = { ok: true; root: SigstoreTrustRoot } | { ok: false; error: Error };

/** isSignatureAccepted for one sigstore signature. Returns undefined when accepted, else the reason. */
export function checkSigstoreSignature(
  trust: PreparedTrustRoot,
  requirement: PRSigstoreSigned,
  image: ImageUnderTest,
  signature: Extract<UntrustedSignature, { kind: "sigstore" }>,
): { accepted: true; by: string } | { accepted: false; reason: string } {
  try {
    return { accepted: true, by: acceptOrThrow(trust, requirement, image, signature) };
  } catch (error) {
    if (
      error instanceof TrustRootError ||
      error instanceof InvalidSignatureError ||
      error instanceof CertificateError ||
      error instanceof InvalidPayloadError ||
      error instanceof PolicyRequirementError
    ) {
      return { accepted: false, reason: error.message };
    }
    throw error;
  }
}

/** A policy rule (identity, digest) refused an otherwise valid signature. */
export class PolicyRequirementError extends Error {
  override readonly name = "PolicyRequirementError";
}

function acceptOrThrow(
  trust: PreparedTrustRoot,
  requirement: PRSigstoreSigned,
  image: ImageUnderTest,
  signature: Extract<UntrustedSignature, { kind: "sigstore" }>,
): string {
  if (!trust.ok) throw trust.error;
  const root = trust.root;
  const annotations = signature.annotations;
  const base64Signature = annotations[ANNOTATION_SIGNATURE];
  if (base64Signature === undefined)
    throw new InvalidSignatureError(`missing ${ANNOTATION_SIGNATURE} annotation`);
  const payload = signature.payload;
  let keys: KeyObject[];
  let by: string;
  if (root.publicKeys !== undefined) {
    if (root.rekorKeys !== undefined) {
      const set = annotations[ANNOTATION_BUNDLE];
      if (set === undefined) throw new InvalidSignatureError(`missing ${ANNOTATION_BUNDLE} annotation`);
      const failures: string[] = [];
      keys = [];
      for (const candidate of root.publicKeys) {
        try {
          // containers/image compares with the re-marshalled key; the SET's time is ignored here.
          verifyRekorSet(
            root.rekorKeys,
            set,
            pemEncode("PUBLIC KEY", spkiDer(candidate)),
            base64Signature,
            payload,
          );
          keys.push(candidate);
          break;
        } catch (error) {
          if (!(error instanceof InvalidSignatureError)) throw error;
          failures.push(error.message);
        }
      }
      if (keys.length === 0) {
        throw new InvalidSignatureError(
          `No public key verified against the RekorSET: ${failures.join(", ")}`,
        );
      }
      by = "a policy public key, with a Rekor SET";
    } else {
      keys = root.publicKeys;
      by = "a policy public key";
    }
  } else if (root.fulcio !== undefined) {
    if (root.rekorKeys === undefined) {
      throw new TrustRootError("Internal inconsistency: Fulcio CA specified without a Rekor public key");
    }
    const set = annotations[ANNOTATION_BUNDLE];
    if (set === undefined) throw new InvalidSignatureError(`missing ${ANNOTATION_BUNDLE} annotation`);
    const certPem = annotations[ANNOTATION_CERTIFICATE];
    if (certPem === undefined)
      throw new InvalidSignatureError(`missing ${ANNOTATION_CERTIFICATE} annotation`);
    const integratedTime = verifyRekorSet(root.rekorKeys, set, certPem, base64Signature, payload);
    const leaf = verifyFulcioCertificate(
      root.fulcio,
      new Date(integratedTime * 1000),
      certPem,
      annotations[ANNOTATION_CHAIN],
    );
    keys = [leaf.node.publicKey];
    by = `a Fulcio certificate for ${root.fulcio.subjectEmail} (issuer ${root.fulcio.oidcIssuer}), logged at ${new Date(integratedTime * 1000).toISOString()}`;
  } else if (root.pki !== undefined) {
    if (root.rekorKeys !== undefined)
      throw new TrustRootError("Internal inconsistency: PKI specified with a Rekor public key");
    const certPem = annotations[ANNOTATION_CERTIFICATE];
    if (certPem === undefined)
      throw new InvalidSignatureError(`missing ${ANNOTATION_CERTIFICATE} annotation`);
    const leaf = verifyPkiCertificate(root.pki, image.now, certPem, annotations[ANNOTATION_CHAIN]);
    keys = [leaf.node.publicKey];
    by = "a certificate from the policy's PKI";
  } else {
    throw new TrustRootError("Internal inconsistency: A public key, Fulcio, or PKI must be specified.");
  }
  verifyPayloadSignature(keys, payload, base64Signature);
  const parsed = parseSignedPayload(payload, SIGSTORE_PAYLOAD_TYPE);
  if (!manifestMatchesDigest(image.manifest, parsed.dockerManifestDigest)) {
    throw new PolicyRequirementError(`Signature for digest ${parsed.dockerManifestDigest} does not match`);
  }
  if (!signedIdentityMatches(requirement.signedIdentity, image.intended, parsed.dockerReference)) {
    throw new PolicyRequirementError(
      `Signature for identity ${goQuote(parsed.dockerReference)} is not accepted`,
    );
  }
  return `accepted: signed by ${by}, for ${parsed.dockerReference}`;
}

/**
 * manifest.MatchesDigest: equality with the manifest's *SHA-256* digest. containers/image computes
 * only the canonical algorithm ("This should eventually support various digest types"), so a
 * signature naming the manifest by its sha512 digest never matches, although the payload parser
 * accepts such a digest.
 */
export function manifestMatchesDigest(manifest: Uint8Array, digest: string): boolean {
  return `sha256:${createHash("sha256").update(manifest).digest("hex")}` === digest;
}

/** verifySigstorePayloadBlobSignature: any of the keys, SHA-256 (Ed25519: the message itself). */
export function verifyPayloadSignature(
  keys: readonly KeyObject[],
  payload: Uint8Array,
  base64Signature: string,
): void {
  const decoded = goBase64Decode(base64Signature);
  if (!decoded.ok) throw new InvalidSignatureError(`base64 decoding: ${decoded.message}`);
  const failures: string[] = [];
  for (const key of keys) {
    const type = key.asymmetricKeyType;
    try {
      if (type === "ec") {
        if (cryptoVerify("sha256", payload, { key, dsaEncoding: "der" }, decoded.bytes)) return;
        failures.push("invalid signature when validating ASN.1 encoded signature");
      } else if (type === "rsa") {
        if (cryptoVerify("sha256", payload, key, decoded.bytes)) return;
        failures.push("crypto/rsa: verification error");
      } else if (type === "ed25519") {
        if (cryptoVerify(null, payload, key, decoded.bytes)) return;
        failures.push("failed to verify signature");
      } else {
        throw new TrustRootError(`unsupported public key type: ${type ?? "unknown"}`);
      }
    } catch (error) {
      if (error instanceof TrustRootError) throw error;
      failures.push((error as Error).message);
    }
  }
  throw new InvalidSignatureError(`cryptographic signature verification failed: ${failures.join(", ")}`);
}

/** The chain annotation without its last certificate: untrusted intermediates, never anchors. */
function untrustedIntermediates(chainPem: string | undefined): Certificate[] {
  if (chainPem === undefined || chainPem.length === 0) return [];
  let chain;
  try {
    chain = certificatesFromPemStrict(chainPem);
  } catch (error) {
    throw new InvalidSignatureError(`loading certificate chain: ${(error as Error).message}`);
  }
  return chain.slice(0, -1).map((c) => parseCertificate(c));
}

function parseLeaf(certPem: string): Certificate {
  let certs;
  try {
    certs = certificatesFromPemStrict(certPem);
  } catch (error) {
    throw new InvalidSignatureError(`parsing leaf certificate: ${(error as Error).message}`);
  }
  if (certs.length === 0)
    throw new InvalidSignatureError("no certificate found in signature certificate data");
  if (certs.length > 1)
    throw new InvalidSignatureError("unexpected multiple certificates present in signature certificate data");
  return parseCertificate(certs[0] as NonNullable<(typeof certs)[0]>);
}

const OID_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
const OID_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
const OID_SAN = "2.5.29.17";

function verifyChain(leaf: Certificate, roots: Certificate[], intermediates: Certificate[], at: Date): void {
  try {
    verifyCertificate(leaf, { roots, intermediates, currentTime: at, keyUsages: [OID_EKU_CODE_SIGNING] });
  } catch (error) {
    if (error instanceof CertificateError)
      throw new InvalidSignatureError(`veryfing leaf certificate failed: ${error.message}`);
    throw error;
  }
}

/** fulcioTrustRoot.verifyFulcioCertificateAtTime. */
function verifyFulcioCertificate(
  fulcio: NonNullable<SigstoreTrustRoot["fulcio"]>,
  at: Date,
  certPem: string,
  chainPem: string | undefined,
): Certificate {
  const intermediates = untrustedIntermediates(chainPem);
  const leaf = parseLeaf(certPem);
  // Fulcio certificates may have a critical SAN Go does not parse (e.g. only an otherName); tolerated.
  leaf.unhandledCriticalExtensions = leaf.unhandledCriticalExtensions.filter((oid) => oid !== OID_SAN);
  verifyChain(leaf, fulcio.roots, intermediates, at);
  const issuer = fulcioIssuer(leaf);
  if (issuer !== fulcio.oidcIssuer)
    throw new InvalidSignatureError(`Unexpected Fulcio OIDC issuer ${goQuote(issuer)}`);
  if (!leaf.emailAddresses.includes(fulcio.subjectEmail)) {
    throw new InvalidSignatureError(
      `Required email ${goQuote(fulcio.subjectEmail)} not found (got ${goQuoteList(leaf.emailAddresses)})`,
    );
  }
  return leaf;
}

function goQuoteList(values: readonly string[]): string {
  return `[${values.map(goQuote).join(" ")}]`;
}

/** fulcioIssuerInCertificate: the v1 (raw) and v2 (UTF8String) issuer extensions, which must agree. */
function fulcioIssuer(cert: Certificate): string {
  let v1: string | undefined;
  let v2: string | undefined;
  for (const ext of cert.extensions) {
    if (ext.oid === OID_ISSUER_V1) {
      if (v1 !== undefined)
        throw new InvalidSignatureError("Fulcio certificate has a duplicate OIDC issuer v1 extension");
      v1 = ext.value.toString("latin1");
    } else if (ext.oid === OID_ISSUER_V2) {
      if (v2 !== undefined)
        throw new InvalidSignatureError("Fulcio certificate has a duplicate OIDC issuer v2 extension");
      v2 = decodeUtf8String(ext.value);
    }
  }
  if (v1 !== undefined && v2 !== undefined && v1 !== v2) {
    throw new InvalidSignatureError(
      `inconsistent OIDC issuer extension values: v1 ${JSON.stringify(v1)}, v2 ${JSON.stringify(v2)}`,
    );
  }
  const issuer = v1 ?? v2;
  if (issuer === undefined)
    throw new InvalidSignatureError("Fulcio certificate is missing the issuer extension");
  return issuer;
}

/** asn1.Unmarshal into a Go string: a DER UTF8String (or PrintableString/IA5String) with nothing after it. */
function decodeUtf8String(der: Buffer): string {
  const tag = der[0];
  const first = der[1] ?? 0;
  let length = first;
  let offset = 2;
  if (first & 0x80) {
    const n = first & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[2 + i] ?? 0);
    offset = 2 + n;
  }
  if (tag !== 0x0c && tag !== 0x13 && tag !== 0x16) {
    throw new InvalidSignatureError(
      "invalid ASN.1 in OIDC issuer v2 extension: asn1: structure error: tags don't match",
    );
  }
  if (offset + length > der.length)
    throw new InvalidSignatureError(
      "invalid ASN.1 in OIDC issuer v2 extension: asn1: syntax error: data truncated",
    );
  if (offset + length < der.length)
    throw new InvalidSignatureError("invalid ASN.1 in OIDC issuer v2 extension, trailing data");
  return der.subarray(offset, offset + length).toString("utf8");
}

/** verifyPKI: chain to the roots (with the configured and the untrusted intermediates) at `now`. */
function verifyPkiCertificate(
  pki: NonNullable<SigstoreTrustRoot["pki"]>,
  now: Date,
  certPem: string,
  chainPem: string | undefined,
): Certificate {
  const intermediates = [...pki.intermediates, ...untrustedIntermediates(chainPem)];
  const leaf = parseLeaf(certPem);
  verifyChain(leaf, pki.roots, intermediates, now);
  if (pki.subjectEmail !== "" && !leaf.emailAddresses.includes(pki.subjectEmail)) {
    throw new InvalidSignatureError(
      `Required email ${goQuote(pki.subjectEmail)} not found (got ${goQuoteList(leaf.emailAddresses)})`,
    );
  }
  if (pki.subjectHostname !== "" && !certificateMatchesHostname(leaf, pki.subjectHostname)) {
    throw new InvalidSignatureError(
      `Unexpected subject hostname: ${hostnameErrorText(leaf, pki.subjectHostname)}`,
    );
  }
  return leaf;
}

/**
 * isRunningImageAllowed for sigstoreSigned: one accepted signature admits; otherwise the summary error
 * of containers/image, and one result per signature.
 */
export function evaluateSigstoreRequirement(
  trust: PreparedTrustRoot,
  requirement: PRSigstoreSigned,
  image: ImageUnderTest,
  signatures: readonly UntrustedSignature[],
): { allowed: boolean; message?: string; results: SignatureResult[] } {
  const results: SignatureResult[] = [];
  const rejections: string[] = [];
  let nonSigstore = 0;
  let nonAttachments = 0;
  for (const sig of signatures) {
    if (sig.kind !== "sigstore") {
      nonSigstore++;
      results.push({
        source: sig.source,
        format: "simple-signing",
        accepted: false,
        detail: "not a sigstore signature (ignored)",
      });
      continue;
    }
    if (sig.mimeType !== SIGSTORE_SIGNATURE_MIME_TYPE) {
      nonAttachments++;
      results.push({
        source: sig.source,
        format: "other",
        accepted: false,
        detail: `not a signature (media type ${sig.mimeType}; ignored)`,
      });
      continue;
    }
    const outcome = checkSigstoreSignature(trust, requirement, image, sig);
    if (outcome.accepted) {
      results.push({ source: sig.source, format: "sigstore", accepted: true, detail: outcome.by });
      return { allowed: true, results };
    }
    results.push({ source: sig.source, format: "sigstore", accepted: false, detail: outcome.reason });
    rejections.push(outcome.reason);
  }
  let message: string;
  if (rejections.length === 0) {
    message =
      nonSigstore === 0 && nonAttachments === 0
        ? "A signature was required, but no signature exists"
        : `A signature was required, but no signature exists (${nonSigstore} non-sigstore signatures, ${nonAttachments} sigstore non-signature attachments)`;
  } else if (rejections.length === 1) {
    message = rejections[0] as string;
  } else {
    message = `None of the signatures were accepted, reasons: ${rejections.join("; ")}`;
  }
  return { allowed: false, message, results };
}
