// Checks of the key material inside a policy. containers/image parses policy.json without looking
// at keys and certificates; a bad one only shows at pull time, as a failed pull of every image in
// the scope. Checking here turns that into an Invalid outcome on the policy that carries it.
import { createPublicKey, X509Certificate, type KeyObject } from "node:crypto";

// Clusters reuse a handful of keys and CAs across many policies; each is checked once.
const checked = new Map<string, string | undefined>();
const CHECKED_LIMIT = 4096;

function memo(key: string, check: () => string | undefined): string | undefined {
  if (checked.has(key)) return checked.get(key);
  const result = check();
  if (checked.size >= CHECKED_LIMIT) checked.clear();
  checked.set(key, result);
  return result;
}

/** Node's names of the curves Go's crypto/x509 parses (P-224, P-256, P-384, P-521). */
const GO_CURVES = new Set(["secp224r1", "prime256v1", "secp384r1", "secp521r1"]);
const MIN_RSA_BITS = 1024;

/** Undefined when `pem` holds one usable public key; else what is wrong. */
export function publicKeyProblem(
  pem: string,
  what: string,
  options: { ecdsaOnly?: boolean } = {},
): string | undefined {
  return memo(`key\u0000${what}\u0000${options.ecdsaOnly ? 1 : 0}\u0000${pem}`, () =>
    checkPublicKey(pem, what, options),
  );
}

function checkPublicKey(pem: string, what: string, options: { ecdsaOnly?: boolean }): string | undefined {
  const blocks = pemBlocks(pem);
  if (blocks.length !== 1 || blocks[0]?.label !== "PUBLIC KEY") {
    return `${what} must be exactly one PEM "PUBLIC KEY" block`;
  }
  try {
    const key = createPublicKey({ key: pem, format: "pem" });
    if (options.ecdsaOnly && key.asymmetricKeyType !== "ec") {
      return `${what} must be an ECDSA key (containers/image refuses ${key.asymmetricKeyType ?? "this"} Rekor keys)`;
    }
    if (!["ec", "rsa", "ed25519"].includes(key.asymmetricKeyType ?? "")) {
      return `${what} is a ${key.asymmetricKeyType ?? "unknown"} key; sigstore keys are ECDSA, RSA or Ed25519`;
    }
    const unusable = goKeyProblem(key);
    if (unusable) return `${what} is ${unusable}`;
  } catch (error) {
    return `${what} is not a valid public key: ${(error as Error).message}`;
  }
  return undefined;
}

/**
 * What Go's crypto, and so containers/image on the node, cannot use in `key`, for public keys and for
 * the keys of CA certificates alike (test/integration/key-acceptance-judge.test.ts asks
 * containers/image): only the NIST curves its x509 parses, and RSA keys of at least 1024 bits (Go
 * refuses smaller ones when it verifies).
 */
function goKeyProblem(key: KeyObject): string | undefined {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === "ec" && !GO_CURVES.has(details.namedCurve ?? "")) {
    return `an ECDSA key on curve ${details.namedCurve ?? "unknown"}, which containers/image cannot use (x509: unsupported elliptic curve); use P-256, P-384 or P-521`;
  }
  if (key.asymmetricKeyType === "rsa" && (details.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `a ${details.modulusLength ?? 0}-bit RSA key, which containers/image refuses (crypto/rsa: keys under ${MIN_RSA_BITS} bits are insecure); use 2048 bits or more`;
  }
  return undefined;
}

/** Undefined when `pem` holds one or more X.509 certificates a node can use; else what is wrong. */
export function certificatesProblem(pem: string, what: string): string | undefined {
  return memo(`cert\u0000${what}\u0000${pem}`, () => checkCertificates(pem, what));
}

function checkCertificates(pem: string, what: string): string | undefined {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) return `${what} holds no PEM certificate`;
  for (const [i, block] of blocks.entries()) {
    if (block.label !== "CERTIFICATE")
      return `${what} block ${i + 1} is a "${block.label}", not a CERTIFICATE`;
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(block.text);
    } catch (error) {
      return `${what} certificate ${i + 1} cannot be parsed: ${(error as Error).message}`;
    }
    const unusable = goKeyProblem(certificate.publicKey);
    if (unusable) return `${what} certificate ${i + 1} certifies ${unusable}`;
  }
  return undefined;
}

interface PemBlock {
  label: string;
  text: string;
}

function pemBlocks(pem: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  const re = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;
  for (const match of pem.matchAll(re)) blocks.push({ label: match[1] ?? "", text: match[0] });
  return blocks;
}

/**
 * An ASCII-armored OpenPGP public key block, de-armored to the binary packets containers/image's
 * `signedBy` keyData expects when several keys are concatenated into one keyring.
 */
export type DearmorResult = { ok: true; packets: Uint8Array } | { ok: false; message: string };

export function dearmorPublicKey(armored: string): DearmorResult {
  const match = /-----BEGIN PGP PUBLIC KEY BLOCK-----\r?\n([\s\S]*?)-----END PGP PUBLIC KEY BLOCK-----/.exec(
    armored,
  );
  if (!match) return { ok: false, message: "not an armored PGP public key block" };
  const lines = (match[1] ?? "").split(/\r?\n/);
  // Armor headers ("Version: …", "Comment: …") end at the first blank line.
  const blank = lines.findIndex((l) => l.trim() === "");
  const body = (
    blank >= 0 && lines.slice(0, blank).every((l) => /^[A-Za-z-]+: /.test(l)) ? lines.slice(blank + 1) : lines
  )
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const checksumLine = body.length > 0 && body[body.length - 1]?.startsWith("=") ? body.pop() : undefined;
  const data = body.join("");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length === 0)
    return { ok: false, message: "the armored data is not base64" };
  const packets = new Uint8Array(Buffer.from(data, "base64"));
  if (checksumLine !== undefined) {
    const expected = Buffer.from(checksumLine.slice(1), "base64");
    const actual = crc24(packets);
    if (expected.length !== 3 || expected.readUIntBE(0, 3) !== actual) {
      return { ok: false, message: "the armor checksum does not match (the key was damaged in copying)" };
    }
  }
  // A public key packet: new format tag 6 (0xC6) or old format tag 6 (0x98-0x9B).
  const first = packets[0] ?? 0;
  if (first !== 0xc6 && (first & 0xfc) !== 0x98)
    return { ok: false, message: "the block does not start with a public key packet" };
  return { ok: true, packets };
}

/** RFC 4880 §6.1 CRC-24. */
function crc24(bytes: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of bytes) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}
