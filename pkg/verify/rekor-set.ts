// Offline verification of a Rekor SignedEntryTimestamp (the `dev.sigstore.cosign/bundle` annotation),
// step for step as containers/image's signature/internal/rekor_set.go VerifyRekorSET: the SET is an
// ECDSA signature over the RFC 8785 canonical form of its Payload; the Payload's body must be a
// hashedrekord 0.0.1 entry whose public key (or certificate), signature and SHA-256 of the payload
// are exactly the ones of the signature being verified. The log's inclusion proof is not checked
// and Rekor is never contacted; the logID is not compared with the key (every configured key is
// tried). Returns the entry's integratedTime.

import { createHash, verify, type KeyObject } from "node:crypto";
import { json } from "@sigstore/core";
import { goBase64Decode } from "../containers/go/base64.ts";
import type { JsonNode } from "../containers/go/json-parse.ts";
import {
  JsonFormatError,
  bytesValue,
  exactFields,
  int64Value,
  lenientObject,
  parseJsonDocument,
  stringValue,
} from "./go-json.ts";
import { pemDecode } from "./pem.ts";

/** The signature is not acceptable; the message is containers/image's. */
export class InvalidSignatureError extends Error {
  override readonly name = "InvalidSignatureError";
}

/** Converts the Go JSON tree to plain JSON values for canonicalisation (numbers as float64, like Go's canonicalizer). */
function toPlain(node: JsonNode): unknown {
  switch (node.kind) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const { key, value } of node.members) out[key] = toPlain(value);
      return out;
    }
    case "array":
      return node.items.map(toPlain);
    case "string":
      return node.value;
    case "number":
      return Number(node.text);
    case "bool":
      return node.value;
    case "null":
      return null;
  }
}

export function verifyRekorSet(
  rekorKeys: readonly KeyObject[],
  unverifiedSet: string,
  unverifiedKeyOrCertPem: string | Uint8Array,
  unverifiedBase64Signature: string,
  unverifiedPayload: Uint8Array,
): number {
  let signedEntryTimestamp: Uint8Array;
  let payloadNode: JsonNode;
  try {
    const fields = exactFields(parseJsonDocument(unverifiedSet), ["SignedEntryTimestamp", "Payload"]);
    signedEntryTimestamp = bytesValue(fields.SignedEntryTimestamp);
    payloadNode = fields.Payload;
  } catch (error) {
    if (error instanceof JsonFormatError) throw new InvalidSignatureError(error.message);
    throw error;
  }
  const canonical = Buffer.from(json.canonicalize(toPlain(payloadNode)), "utf8");
  const matched = rekorKeys.some((key) => {
    try {
      return verify("sha256", canonical, { key, dsaEncoding: "der" }, signedEntryTimestamp);
    } catch {
      return false;
    }
  });
  if (!matched) throw new InvalidSignatureError("cryptographic signature verification of Rekor SET failed");

  let body: Uint8Array;
  let integratedTime: number;
  try {
    const fields = exactFields(parseJsonDocument(canonical), ["body", "integratedTime", "logIndex", "logID"]);
    body = bytesValue(fields.body);
    integratedTime = int64Value(fields.integratedTime);
    int64Value(fields.logIndex);
    stringValue(fields.logID);
  } catch (error) {
    if (error instanceof JsonFormatError) {
      throw new InvalidSignatureError(`parsing Rekor SET payload: ${error.message}`);
    }
    throw error;
  }
  const entry = decodeHashedRekord(body);
  const rekorKey = pemDecode(entry.publicKey);
  if (rekorKey === undefined) throw new InvalidSignatureError("publicKey in Rekor SET is not in PEM format");
  if (rekorKey.rest.length !== 0) throw new InvalidSignatureError("publicKey in Rekor SET has trailing data");
  const ours = pemDecode(unverifiedKeyOrCertPem);
  if (ours === undefined) {
    throw new InvalidSignatureError(
      "public key or cert to be matched against publicKey in Rekor SET is not in PEM format",
    );
  }
  if (ours.rest.length !== 0) {
    throw new InvalidSignatureError(
      "public key or cert to be matched against publicKey in Rekor SET has trailing data",
    );
  }
  if (!rekorKey.block.bytes.equals(ours.block.bytes)) {
    throw new InvalidSignatureError("publicKey in Rekor SET does not match");
  }
  const signature = goBase64Decode(unverifiedBase64Signature);
  if (!signature.ok) throw new InvalidSignatureError(`decoding signature base64: ${signature.message}`);
  if (!Buffer.from(entry.signature).equals(Buffer.from(signature.bytes))) {
    throw new InvalidSignatureError("signature in Rekor SET does not match");
  }
  if (entry.hashAlgorithm === undefined) {
    throw new InvalidSignatureError(`Missing "data.hash.algorithm" field in hashedrekord`);
  }
  if (entry.hashAlgorithm !== "sha256") {
    throw new InvalidSignatureError(
      `Unexpected "data.hash.algorithm" value ${JSON.stringify(entry.hashAlgorithm)}`,
    );
  }
  if (entry.hashValue === undefined)
    throw new InvalidSignatureError(`Missing "data.hash.value" field in hashedrekord`);
  if (!/^([0-9a-fA-F]{2})*$/.test(entry.hashValue)) {
    throw new InvalidSignatureError(
      `Invalid "data.hash.value" field in hashedrekord: encoding/hex: invalid byte`,
    );
  }
  const payloadHash = createHash("sha256").update(unverifiedPayload).digest();
  if (!Buffer.from(entry.hashValue, "hex").equals(payloadHash)) {
    throw new InvalidSignatureError("payload in Rekor SET does not match");
  }
  return integratedTime;
}

interface HashedRekord {
  publicKey: Uint8Array;
  signature: Uint8Array;
  hashAlgorithm: string | undefined;
  hashValue: string | undefined;
}

/** The hashedrekord 0.0.1 fields, decoded with encoding/json's leniency (unknown keys ignored). */
function decodeHashedRekord(body: Uint8Array): HashedRekord {
  const fail = (message: string): never => {
    throw new InvalidSignatureError(message);
  };
  try {
    const entry = lenientObject(parseJsonDocument(body), "internal.RekorHashedrekord");
    const kind = entry.get("kind");
    const kindText = kind === undefined ? "" : stringValue(kind);
    if (kindText !== "hashedrekord") {
      return fail(
        `decoding the body of a Rekor SET payload: invalid kind value: ${JSON.stringify(kindText)}`,
      );
    }
    const apiVersion = entry.get("apiversion");
    if (apiVersion === undefined || apiVersion.kind === "null")
      return fail("missing Rekor SET Payload API version");
    const version = stringValue(apiVersion);
    if (version !== "0.0.1") return fail(`unsupported Rekor SET Payload hashedrekord version "${version}"`);
    const spec = lenientObject(entry.get("spec") ?? { kind: "null" }, "internal.RekorHashedrekordV001Schema");
    const sig = spec.get("signature");
    if (sig === undefined || sig.kind === "null") return fail(`Missing "signature" field in hashedrekord`);
    const sigFields = lenientObject(sig, "internal.RekorHashedrekordV001SchemaSignature");
    const publicKey = sigFields.get("publickey");
    if (publicKey === undefined || publicKey.kind === "null") {
      return fail(`Missing "signature.publicKey" field in hashedrekord`);
    }
    const keyFields = lenientObject(publicKey, "internal.RekorHashedrekordV001SchemaSignaturePublicKey");
    const data = spec.get("data");
    if (data === undefined || data.kind === "null") return fail(`Missing "data" field in hashedrekord`);
    const hash = lenientObject(data, "internal.RekorHashedrekordV001SchemaData").get("hash");
    if (hash === undefined || hash.kind === "null") return fail(`Missing "data.hash" field in hashedrekord`);
    const hashFields = lenientObject(hash, "internal.RekorHashedrekordV001SchemaDataHash");
    const algorithm = hashFields.get("algorithm");
    const value = hashFields.get("value");
    return {
      publicKey: bytesValue(keyFields.get("content") ?? { kind: "null" }),
      signature: bytesValue(sigFields.get("content") ?? { kind: "null" }),
      hashAlgorithm:
        algorithm === undefined || algorithm.kind === "null" ? undefined : stringValue(algorithm),
      hashValue: value === undefined || value.kind === "null" ? undefined : stringValue(value),
    };
  } catch (error) {
    if (error instanceof JsonFormatError) {
      throw new InvalidSignatureError(`decoding the body of a Rekor SET payload: ${error.message}`);
    }
    throw error;
  }
}
