// Content digests (`algorithm:hex`, opencontainers/go-digest): parsing, computing, and incremental
// verification while a body streams in.
import { createHash, type Hash } from "node:crypto";

/** The algorithms the OCI image spec registers; go-digest accepts the same two. */
const HEX_LENGTH: Readonly<Record<string, number>> = { sha256: 64, sha512: 128 };

export interface ParsedDigest {
  algorithm: "sha256" | "sha512";
  hex: string;
}

/** Parses `sha256:<64 lower-case hex>` or `sha512:<128 lower-case hex>`; undefined for anything else. */
export function parseDigest(digest: string): ParsedDigest | undefined {
  const colon = digest.indexOf(":");
  if (colon === -1) return undefined;
  const algorithm = digest.slice(0, colon);
  const hex = digest.slice(colon + 1);
  const length = HEX_LENGTH[algorithm];
  if (length === undefined || hex.length !== length || !/^[0-9a-f]+$/.test(hex)) return undefined;
  return { algorithm: algorithm as ParsedDigest["algorithm"], hex };
}

export function isDigest(value: string): boolean {
  return parseDigest(value) !== undefined;
}

/** The digest of bytes with the given algorithm (sha256, the canonical one, by default). */
export function computeDigest(bytes: Uint8Array, algorithm: ParsedDigest["algorithm"] = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** Hashes a body chunk by chunk with the expected digest's algorithm; `matches()` once it is complete. */
export class DigestVerifier {
  readonly expected: string;
  readonly #algorithm: ParsedDigest["algorithm"];
  readonly #hash: Hash;

  constructor(expected: string) {
    const parsed = parseDigest(expected);
    if (parsed === undefined) throw new Error(`invalid digest ${JSON.stringify(expected)}`);
    this.expected = expected;
    this.#algorithm = parsed.algorithm;
    this.#hash = createHash(parsed.algorithm);
  }

  update(chunk: Uint8Array): void {
    this.#hash.update(chunk);
  }

  /** The digest of everything passed to update(); call once. */
  actual(): string {
    return `${this.#algorithm}:${this.#hash.digest("hex")}`;
  }
}
