// The signed "simple signing" payload, in its two flavours: cosign's ("cosign container image
// signature", in sigstore attachments) and the original one ("atomic container signature", inside
// GPG signatures from lookaside stores). Parsed as strictly as containers/image does
// (signature/internal/sigstore_payload.go, signature/simple.go): exact keys, no duplicates,
// an integral optional.timestamp, a valid docker-manifest-digest.

import type { JsonNode } from "../containers/go/json-parse.ts";
import { goQuote } from "../containers/go/strconv.ts";
import {
  JsonFormatError,
  anyValue,
  exactFields,
  float64Value,
  objectMembers,
  parseJsonDocument,
  stringValue,
} from "./go-json.ts";

export const SIGSTORE_PAYLOAD_TYPE = "cosign container image signature";
export const SIMPLE_SIGNING_PAYLOAD_TYPE = "atomic container signature";

export interface SignedPayload {
  dockerManifestDigest: string;
  dockerReference: string;
  creator?: string;
  timestamp?: number;
}

/** The payload is malformed; the message is containers/image's. */
export class InvalidPayloadError extends Error {
  override readonly name = "InvalidPayloadError";
}

/**
 * Parses a payload of the given type. The sigstore flavour allows `"optional": null` (what cosign
 * writes); the original one requires an object there.
 */
export function parseSignedPayload(
  bytes: Uint8Array,
  type: typeof SIGSTORE_PAYLOAD_TYPE | typeof SIMPLE_SIGNING_PAYLOAD_TYPE,
): SignedPayload {
  try {
    return decode(parseJsonDocument(bytes), type);
  } catch (error) {
    if (error instanceof JsonFormatError) throw new InvalidPayloadError(error.message);
    throw error;
  }
}

function decode(root: JsonNode, type: string): SignedPayload {
  const { critical, optional } = exactFields(root, ["critical", "optional"]);
  const out: { -readonly [K in keyof SignedPayload]: SignedPayload[K] } = {
    dockerManifestDigest: "",
    dockerReference: "",
  };
  if (!(type === SIGSTORE_PAYLOAD_TYPE && optional.kind === "null")) {
    for (const [key, value] of objectMembers(optional)) {
      if (key === "creator") out.creator = stringValue(value);
      else if (key === "timestamp") {
        const timestamp = float64Value(value);
        if (!Number.isInteger(timestamp)) {
          throw new InvalidPayloadError("Field optional.timestamp is not an integer");
        }
        out.timestamp = timestamp;
      } else anyValue(value);
    }
  }
  const fields = exactFields(critical, ["type", "image", "identity"]);
  const actualType = stringValue(fields.type);
  if (actualType !== type) throw new InvalidPayloadError(`Unrecognized signature type ${actualType}`);
  const digest = stringValue(exactFields(fields.image, ["docker-manifest-digest"])["docker-manifest-digest"]);
  const digestProblem = goDigestProblem(digest);
  if (digestProblem !== undefined) {
    throw new InvalidPayloadError(
      `invalid docker-manifest-digest value ${goQuote(digest)}: ${digestProblem}`,
    );
  }
  out.dockerManifestDigest = digest;
  out.dockerReference = stringValue(exactFields(fields.identity, ["docker-reference"])["docker-reference"]);
  return out;
}

// go-digest's registered algorithms and their hex lengths (sha384 is registered by containers/image).
const DIGEST_HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha384: 96, sha512: 128 };

/** go-digest Parse/Validate: undefined when valid, otherwise its error text. */
export function goDigestProblem(digest: string): string | undefined {
  const i = digest.indexOf(":");
  if (i <= 0 || i + 1 === digest.length) return "invalid checksum digest format";
  const algorithm = digest.slice(0, i);
  const encoded = digest.slice(i + 1);
  const length = Object.hasOwn(DIGEST_HEX_LENGTH, algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
  if (length === undefined) {
    return /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*$/.test(algorithm) && /^[a-zA-Z0-9=_-]+$/.test(encoded)
      ? "unsupported digest algorithm"
      : "invalid checksum digest format";
  }
  if (encoded.length !== length) return "invalid checksum digest length";
  return /^[a-f0-9]+$/.test(encoded) ? undefined : "invalid checksum digest format";
}
