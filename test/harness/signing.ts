// Signatures for verification tests, made with real tools and local trust roots, never the network:
//
//   - cosign 2.5.0 (hack/ensure-registry-tools.sh): key pairs and key-based signatures pushed by cosign
//     itself (`cosign sign --key … --tlog-upload=false`), the sigstore tag format a node reads;
//   - Rekor SETs made here over a hashedrekord 0.0.1 entry with a local "transparency log" key, either
//     added to a cosign-made signature (rekorSetForCosignSignature) or to our own;
//   - keyless-style (Fulcio) and PKI certificates from local ECDSA CAs: certificates are minted with a
//     small DER writer below (node:crypto can parse certificates but not make them; @sigstore/mock's CA
//     only issues URI-SAN certificates, which containers/image's Fulcio check — email SANs only — never
//     accepts), with the Fulcio OIDC-issuer extensions (1.3.6.1.4.1.57264.1.1 raw, .1.8 UTF8String);
//   - GPG "simple signing" with the system gpg in a throwaway GNUPGHOME, written into a lookaside
//     directory in the layout containers/image reads.
//
// Signatures that cosign cannot make offline (certificates, wrong payloads, odd layers) are written in
// cosign's tag format by attachSigstoreSignature: the `sha256-<hex>.sig` OCI manifest gets one more
// simple-signing layer with the annotations, as `cosign sign` appends them. The attach helpers read
// the existing manifest with fetch, so they work with plain-HTTP (loopback) registries only.
import { execFile } from "node:child_process";
import {
  createHash,
  generateKeyPairSync,
  randomBytes,
  sign as cryptoSign,
  type KeyObject,
} from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { bitString, bool, der, integer, octets, oid, seq, set, time, utf8 } from "./der.ts";
import { pushBlob, pushManifest, type RegistryLocation } from "./oci-images.ts";

const execFileAsync = promisify(execFile);

export function pem(type: string, body: Buffer): string {
  const lines = body.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join("\n")}\n-----END ${type}-----\n`;
}

export const OID_FULCIO_ISSUER_V1 = "1.3.6.1.4.1.57264.1.1";
export const OID_FULCIO_ISSUER_V2 = "1.3.6.1.4.1.57264.1.8";
export const EKU_CODE_SIGNING = "1.3.6.1.5.5.7.3.3";
export const EKU_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

export interface CertificateSpec {
  commonName: string;
  notBefore?: Date;
  notAfter?: Date;
  isCA?: boolean;
  pathLen?: number;
  /** Go numbering: 0 digitalSignature … 5 keyCertSign, 6 cRLSign. Default: CA → [5, 6], leaf → [0]. */
  keyUsageBits?: number[];
  /** EKU OIDs; default: leaf → [codeSigning], CA → none. [] leaves the extension out. */
  extKeyUsage?: string[];
  emails?: string[];
  dnsNames?: string[];
  uris?: string[];
  fulcioIssuerV1?: string;
  fulcioIssuerV2?: string;
  /** Extra extensions (DER extnValue contents). */
  extensions?: { oid: string; critical: boolean; value: Buffer }[];
  /** The certified key; default ECDSA P-256. Others are for checking which keys verifiers accept. */
  keyType?: CertificateKeyType;
}

export type CertificateKeyType = "ecdsa-p256" | "ecdsa-secp256k1" | "rsa-512" | "rsa-2048";

function certificateKeyPair(type: CertificateKeyType): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (type) {
    case "ecdsa-secp256k1":
      return generateKeyPairSync("ec", { namedCurve: "secp256k1" });
    case "rsa-512":
      return generateKeyPairSync("rsa", { modulusLength: 512 });
    case "rsa-2048":
      return generateKeyPairSync("rsa", { modulusLength: 2048 });
    default:
      return generateKeyPairSync("ec", { namedCurve: "P-256" });
  }
}

export interface IssuedCertificate {
  certificatePem: string;
  der: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
  subject: Buffer;
}

/** A certificate signed by `issuer` (or self-signed when issuer is undefined), with SHA-256. */
export function issueCertificate(spec: CertificateSpec, issuer?: IssuedCertificate): IssuedCertificate {
  // Every certificate certifies a new key (ECDSA P-256 unless spec.keyType says), returned with it.
  const { privateKey, publicKey } = certificateKeyPair(spec.keyType ?? "ecdsa-p256");
  const subject = seq(set(seq(oid("2.5.4.3"), utf8(spec.commonName))));
  const now = Date.now();
  const notBefore = spec.notBefore ?? new Date(now - 3600_000);
  const notAfter = spec.notAfter ?? new Date(now + 24 * 3600_000);
  const isCA = spec.isCA ?? false;
  const ext = (id: string, critical: boolean, value: Buffer): Buffer =>
    seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
  const extensions: Buffer[] = [];
  const bc = [bool(isCA), ...(spec.pathLen !== undefined ? [integer(spec.pathLen)] : [])];
  extensions.push(ext("2.5.29.19", true, isCA ? seq(...bc) : seq()));
  const kuBits = spec.keyUsageBits ?? (isCA ? [5, 6] : [0]);
  const bits: number[] = [];
  for (const b of kuBits) bits[b] = 1;
  for (let i = 0; i < bits.length; i++) bits[i] ??= 0;
  extensions.push(ext("2.5.29.15", true, bitString(bits)));
  const ekus = spec.extKeyUsage ?? (isCA ? [] : [EKU_CODE_SIGNING]);
  if (ekus.length > 0) extensions.push(ext("2.5.29.37", false, seq(...ekus.map(oid))));
  const san = [
    ...(spec.emails ?? []).map((e) => der(0x81, Buffer.from(e, "ascii"))),
    ...(spec.dnsNames ?? []).map((d) => der(0x82, Buffer.from(d, "ascii"))),
    ...(spec.uris ?? []).map((u) => der(0x86, Buffer.from(u, "ascii"))),
  ];
  if (san.length > 0) extensions.push(ext("2.5.29.17", false, seq(...san)));
  const spki = publicKey.export({ type: "spki", format: "der" });
  extensions.push(ext("2.5.29.14", false, octets(createHash("sha1").update(spki).digest())));
  if (spec.fulcioIssuerV1 !== undefined) {
    extensions.push(ext(OID_FULCIO_ISSUER_V1, false, Buffer.from(spec.fulcioIssuerV1, "utf8")));
  }
  if (spec.fulcioIssuerV2 !== undefined)
    extensions.push(ext(OID_FULCIO_ISSUER_V2, false, utf8(spec.fulcioIssuerV2)));
  for (const e of spec.extensions ?? []) extensions.push(ext(e.oid, e.critical, e.value));

  const serial = randomBytes(12);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x10;
  const signer = issuer?.privateKey ?? privateKey;
  const algorithm =
    signer.asymmetricKeyType === "rsa"
      ? seq(oid("1.2.840.113549.1.1.11"), der(0x05, Buffer.alloc(0))) // sha256WithRSAEncryption, NULL
      : seq(oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
  const tbs = seq(
    der(0xa0, integer(2)),
    integer(serial),
    algorithm,
    issuer?.subject ?? subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    spki,
    der(0xa3, seq(...extensions)),
  );
  const signature = cryptoSign("sha256", tbs, signer);
  const certificate = seq(tbs, algorithm, der(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return {
    certificatePem: pem("CERTIFICATE", certificate),
    der: certificate,
    privateKey,
    publicKey,
    subject,
  };
}

/** A root CA and, optionally, an intermediate under it. */
export function createCertificateAuthority(
  name: string,
  options: { notBefore?: Date; notAfter?: Date; rootKeyType?: CertificateKeyType } = {},
): { root: IssuedCertificate; intermediate: IssuedCertificate } {
  const notBefore = options.notBefore ?? new Date(Date.now() - 365 * 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 365 * 24 * 3600_000);
  const root = issueCertificate({
    commonName: `${name} root`,
    isCA: true,
    notBefore,
    notAfter,
    ...(options.rootKeyType !== undefined ? { keyType: options.rootKeyType } : {}),
  });
  const intermediate = issueCertificate(
    { commonName: `${name} intermediate`, isCA: true, notBefore, notAfter },
    root,
  );
  return { root, intermediate };
}

// ---------------------------------------------------------------------------------------------------
// Keys, payloads, signatures, Rekor SETs

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
}

export function generateSigningKey(type: "ecdsa" | "ecdsa-p384" | "rsa" | "ed25519" = "ecdsa"): SigningKey {
  const pair =
    type === "rsa"
      ? generateKeyPairSync("rsa", { modulusLength: 2048 })
      : type === "ed25519"
        ? generateKeyPairSync("ed25519")
        : generateKeyPairSync("ec", { namedCurve: type === "ecdsa-p384" ? "P-384" : "P-256" });
  return {
    ...pair,
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
  };
}

/** The payload cosign signs: identity is the repository (no tag), `optional` is null. */
export function cosignPayload(dockerReference: string, digest: string, optional: unknown = null): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": dockerReference },
        image: { "docker-manifest-digest": digest },
        type: "cosign container image signature",
      },
      optional,
    }),
  );
}

/** Signs like cosign: ECDSA/RSA over SHA-256 of the payload, Ed25519 over the payload. Base64. */
export function signPayload(key: KeyObject, payload: Uint8Array): string {
  const algorithm = key.asymmetricKeyType === "ed25519" ? null : "sha256";
  return cryptoSign(algorithm, payload, key).toString("base64");
}

/** Canonical JSON (RFC 8785 for the values a SET payload holds). */
function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
    a < b ? -1 : a > b ? 1 : 0,
  );
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

export interface RekorLog {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** hex SHA-256 of the DER public key, as Rekor names its log. */
  logId: string;
}

export function createRekorLog(): RekorLog {
  const pair = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = pair.publicKey.export({ type: "spki", format: "der" });
  return {
    ...pair,
    publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
    logId: createHash("sha256").update(spki).digest("hex"),
  };
}

export interface RekorSetOptions {
  /** The signature's public key PEM (key mode) or leaf certificate PEM (Fulcio mode), as logged. */
  publicKeyOrCertificatePem: string;
  signatureBase64: string;
  payload: Uint8Array;
  integratedTime?: number;
  logIndex?: number;
  /** Tamper with the entry: log another payload hash, another kind, … */
  bodyOverride?: (body: Record<string, unknown>) => Record<string, unknown>;
}

/** The `dev.sigstore.cosign/bundle` annotation: a SET over a hashedrekord 0.0.1 entry. */
export function rekorSet(log: RekorLog, options: RekorSetOptions): string {
  let body: Record<string, unknown> = {
    apiVersion: "0.0.1",
    kind: "hashedrekord",
    spec: {
      data: {
        hash: { algorithm: "sha256", value: createHash("sha256").update(options.payload).digest("hex") },
      },
      signature: {
        content: options.signatureBase64,
        publicKey: { content: Buffer.from(options.publicKeyOrCertificatePem).toString("base64") },
      },
    },
  };
  if (options.bodyOverride) body = options.bodyOverride(body);
  const payload = {
    body: Buffer.from(JSON.stringify(body)).toString("base64"),
    integratedTime: options.integratedTime ?? Math.floor(Date.now() / 1000),
    logIndex: options.logIndex ?? 1,
    logID: log.logId,
  };
  const signature = cryptoSign("sha256", Buffer.from(canonicalJson(payload)), log.privateKey);
  return JSON.stringify({ SignedEntryTimestamp: signature.toString("base64"), Payload: payload });
}

// ---------------------------------------------------------------------------------------------------
// The `sha256-<hex>.sig` attachment manifest

export const SIMPLE_SIGNING_MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

function registryUrl(registry: RegistryLocation): string {
  return typeof registry === "string" ? registry : registry.url;
}

async function existingAttachmentLayers(
  registry: RegistryLocation,
  repository: string,
  tag: string,
): Promise<unknown[]> {
  const response = await fetch(`${registryUrl(registry)}/v2/${repository}/manifests/${tag}`, {
    headers: { accept: OCI_MANIFEST },
    signal: AbortSignal.timeout(30_000),
  });
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`reading ${repository}:${tag}: HTTP ${response.status}`);
  const manifest = (await response.json()) as { layers?: unknown[] };
  return manifest.layers ?? [];
}

export interface AttachOptions {
  payload: Uint8Array;
  /** base64; leave out to make a layer without the signature annotation. */
  signature?: string;
  certificatePem?: string;
  chainPem?: string;
  bundle?: string;
  mediaType?: string;
  /** Start a new manifest instead of appending to an existing one. */
  replace?: boolean;
  /** The tag to write (default `sha256-<hex>.sig`). */
  tag?: string;
}

/** Appends a signature layer to the image's sigstore attachment manifest (creating it if needed). */
export async function attachSigstoreSignature(
  registry: RegistryLocation,
  repository: string,
  digest: string,
  options: AttachOptions,
): Promise<void> {
  const tag = options.tag ?? `${digest.replace(":", "-")}.sig`;
  const target = { registry, repository };
  const blob = await pushBlob(target, options.payload);
  const annotations: Record<string, string> = {};
  if (options.signature !== undefined) annotations["dev.cosignproject.cosign/signature"] = options.signature;
  if (options.certificatePem !== undefined)
    annotations["dev.sigstore.cosign/certificate"] = options.certificatePem;
  if (options.chainPem !== undefined) annotations["dev.sigstore.cosign/chain"] = options.chainPem;
  if (options.bundle !== undefined) annotations["dev.sigstore.cosign/bundle"] = options.bundle;
  const layers = options.replace ? [] : await existingAttachmentLayers(registry, repository, tag);
  layers.push({
    mediaType: options.mediaType ?? SIMPLE_SIGNING_MEDIA_TYPE,
    size: options.payload.length,
    digest: blob.digest,
    annotations,
  });
  const config = Buffer.from(
    JSON.stringify({
      architecture: "",
      os: "",
      rootfs: { type: "layers", diff_ids: layers.map((l) => (l as { digest: string }).digest) },
      config: {},
    }),
  );
  await pushOciManifest(target, tag, config, layers);
}

/** Key-signs `payload` with our own key and attaches it, optionally with a Rekor SET. */
export async function attachKeySignature(
  registry: RegistryLocation,
  repository: string,
  digest: string,
  key: SigningKey,
  options: { payload?: Uint8Array; dockerReference?: string; rekor?: RekorLog; integratedTime?: number } = {},
): Promise<void> {
  const payload =
    options.payload ??
    cosignPayload(options.dockerReference ?? repositoryReference(registry, repository), digest);
  const signature = signPayload(key.privateKey, payload);
  const bundle = options.rekor
    ? rekorSet(options.rekor, {
        publicKeyOrCertificatePem: key.publicKeyPem,
        signatureBase64: signature,
        payload,
        ...(options.integratedTime !== undefined ? { integratedTime: options.integratedTime } : {}),
      })
    : undefined;
  await attachSigstoreSignature(registry, repository, digest, {
    payload,
    signature,
    ...(bundle !== undefined ? { bundle } : {}),
  });
}

export interface CertificateSignatureOptions {
  leaf: IssuedCertificate;
  /** The chain annotation (intermediates, then the root, as cosign writes it). */
  chain?: IssuedCertificate[];
  rekor?: RekorLog;
  integratedTime?: number;
  payload?: Uint8Array;
  dockerReference?: string;
}

/** A Fulcio- or PKI-style signature: the leaf's key signs; certificate (+ chain, + SET) annotations. */
export async function attachCertificateSignature(
  registry: RegistryLocation,
  repository: string,
  digest: string,
  options: CertificateSignatureOptions,
): Promise<void> {
  const payload =
    options.payload ??
    cosignPayload(options.dockerReference ?? repositoryReference(registry, repository), digest);
  const signature = signPayload(options.leaf.privateKey, payload);
  const bundle = options.rekor
    ? rekorSet(options.rekor, {
        publicKeyOrCertificatePem: options.leaf.certificatePem,
        signatureBase64: signature,
        payload,
        ...(options.integratedTime !== undefined ? { integratedTime: options.integratedTime } : {}),
      })
    : undefined;
  await attachSigstoreSignature(registry, repository, digest, {
    payload,
    signature,
    certificatePem: options.leaf.certificatePem,
    ...(options.chain !== undefined ? { chainPem: options.chain.map((c) => c.certificatePem).join("") } : {}),
    ...(bundle !== undefined ? { bundle } : {}),
  });
}

/** "host/repository" for a registry location: what cosign writes as docker-reference. */
export function repositoryReference(registry: RegistryLocation, repository: string): string {
  return `${new URL(registryUrl(registry)).host}/${repository}`;
}

// ---------------------------------------------------------------------------------------------------
// cosign (the real tool)

export interface CosignKeyPair {
  dir: string;
  privateKeyPath: string;
  publicKeyPath: string;
  publicKeyPem: string;
  password: string;
}

function cosignEnv(password: string, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    COSIGN_PASSWORD: password,
    // Any TUF state cosign might want stays in the throwaway home (key-based signing with
    // --tlog-upload=false and verification with --insecure-ignore-tlog never reach the network).
    TUF_ROOT: path.join(home, "tuf"),
  };
}

export async function cosignGenerateKeyPair(cosign: string, dir?: string): Promise<CosignKeyPair> {
  const keyDir = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "ipc-cosign-"));
  const password = "test-password";
  await execFileAsync(cosign, ["generate-key-pair"], {
    cwd: keyDir,
    env: cosignEnv(password, keyDir),
    timeout: 60_000,
  });
  const publicKeyPath = path.join(keyDir, "cosign.pub");
  return {
    dir: keyDir,
    privateKeyPath: path.join(keyDir, "cosign.key"),
    publicKeyPath,
    publicKeyPem: fs.readFileSync(publicKeyPath, "utf8"),
    password,
  };
}

/** `cosign sign --key … --tlog-upload=false` of `host/repository@digest` (plain-HTTP loopback registry). */
export async function cosignSign(
  cosign: string,
  keys: CosignKeyPair,
  imageByDigest: string,
  extraArgs: string[] = [],
): Promise<void> {
  await execFileAsync(
    cosign,
    [
      "sign",
      "--key",
      keys.privateKeyPath,
      "--tlog-upload=false",
      "--allow-http-registry",
      "--allow-insecure-registry",
      "-y",
      ...extraArgs,
      imageByDigest,
    ],
    { env: cosignEnv(keys.password, keys.dir), timeout: 120_000 },
  );
}

/** `cosign verify --key … --insecure-ignore-tlog=true`; resolves to true when cosign accepts. */
export async function cosignVerify(
  cosign: string,
  publicKeyPath: string,
  image: string,
  home: string,
): Promise<boolean> {
  try {
    await execFileAsync(
      cosign,
      [
        "verify",
        "--key",
        publicKeyPath,
        "--insecure-ignore-tlog=true",
        "--allow-http-registry",
        "--allow-insecure-registry",
        image,
      ],
      { env: cosignEnv("", home), timeout: 120_000 },
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * Adds a Rekor SET to the signature layers cosign wrote (cosign itself cannot log offline): for each
 * layer with a signature annotation, a SET over its payload, signature and `publicKeyPem`.
 */
export async function addRekorSetToAttachments(
  registry: RegistryLocation,
  repository: string,
  digest: string,
  publicKeyPem: string,
  log: RekorLog,
): Promise<void> {
  const tag = `${digest.replace(":", "-")}.sig`;
  const layers = (await existingAttachmentLayers(registry, repository, tag)) as {
    mediaType: string;
    digest: string;
    size: number;
    annotations?: Record<string, string>;
  }[];
  if (layers.length === 0) throw new Error(`no ${tag} in ${repository}`);
  for (const layer of layers) {
    const signature = layer.annotations?.["dev.cosignproject.cosign/signature"];
    if (signature === undefined) continue;
    const response = await fetch(`${registryUrl(registry)}/v2/${repository}/blobs/${layer.digest}`, {
      signal: AbortSignal.timeout(30_000),
    });
    const payload = new Uint8Array(await response.arrayBuffer());
    layer.annotations = {
      ...layer.annotations,
      "dev.sigstore.cosign/bundle": rekorSet(log, {
        publicKeyOrCertificatePem: publicKeyPem,
        signatureBase64: signature,
        payload,
      }),
    };
  }
  const config = Buffer.from(
    JSON.stringify({ architecture: "", os: "", rootfs: { type: "layers", diff_ids: [] }, config: {} }),
  );
  await pushOciManifest({ registry, repository }, tag, config, layers);
}

// ---------------------------------------------------------------------------------------------------
// GPG simple signing and lookaside stores

export interface GpgKey {
  home: string;
  fingerprint: string;
  /** The public key, binary (what keyPath files usually hold). */
  publicKey: Buffer;
}

function gpgEnv(home: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/bin:/bin", GNUPGHOME: home, LC_ALL: "C" };
}

/** A new ed25519 signing key in its own throwaway GNUPGHOME. */
export async function createGpgKey(name: string): Promise<GpgKey> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-gnupg-"));
  fs.chmodSync(home, 0o700);
  const env = gpgEnv(home);
  const uid = `${name} <${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}@example.com>`;
  await execFileAsync(
    "gpg",
    [
      "--batch",
      "--pinentry-mode",
      "loopback",
      "--passphrase",
      "",
      "--quick-gen-key",
      uid,
      "ed25519",
      "sign",
      "0",
    ],
    { env, timeout: 60_000 },
  );
  const { stdout } = await execFileAsync("gpg", ["--batch", "--with-colons", "--list-keys", uid], { env });
  const fpr = stdout
    .split("\n")
    .find((l) => l.startsWith("fpr:"))
    ?.split(":")[9];
  if (!fpr) throw new Error(`no fingerprint for ${uid}: ${stdout}`);
  const exported = await execFileAsync("gpg", ["--batch", "--export", fpr], { env, encoding: "buffer" });
  return { home, fingerprint: fpr, publicKey: exported.stdout };
}

/** The simple-signing ("atomic container signature") payload. */
export function simpleSigningPayload(dockerReference: string, digest: string): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { "docker-reference": dockerReference },
        image: { "docker-manifest-digest": digest },
        type: "atomic container signature",
      },
      optional: { creator: "image-policy-controller tests", timestamp: Math.floor(Date.now() / 1000) },
    }),
  );
}

/** `gpg --sign` of a payload: the binary OpenPGP message containers/image verifies. */
export async function gpgSign(key: GpgKey, payload: Uint8Array): Promise<Buffer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-gpgsign-"));
  try {
    const input = path.join(dir, "payload.json");
    const output = path.join(dir, "payload.sig");
    fs.writeFileSync(input, payload);
    await execFileAsync(
      "gpg",
      [
        "--batch",
        "--yes",
        "--pinentry-mode",
        "loopback",
        "--passphrase",
        "",
        "-u",
        key.fingerprint,
        "--output",
        output,
        "--sign",
        input,
      ],
      { env: gpgEnv(key.home), timeout: 60_000 },
    );
    return fs.readFileSync(output);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Writes `<store>/<repository path>@<algo>=<hex>/signature-<n>` (n from 1). */
export function writeLookasideSignature(
  store: string,
  repositoryPath: string,
  digest: string,
  index: number,
  signature: Uint8Array,
): string {
  const [algorithm, hex] = digest.split(":");
  const dir = path.join(store, `${repositoryPath}@${algorithm}=${hex}`);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `signature-${index}`);
  fs.writeFileSync(file, signature);
  return file;
}

/** Removes a GPG home (its agent ends with it). */
export async function removeGpgKey(key: GpgKey): Promise<void> {
  await execFileAsync("gpgconf", ["--kill", "gpg-agent"], { env: gpgEnv(key.home) }).catch(() => undefined);
  fs.rmSync(key.home, { recursive: true, force: true });
}

/** Pushes `config` and an OCI image manifest over it and `layers` (already pushed) under `tag`. */
async function pushOciManifest(
  target: { registry: RegistryLocation; repository: string },
  tag: string,
  config: Buffer,
  layers: unknown[],
): Promise<void> {
  const configBlob = await pushBlob(target, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config: {
        mediaType: "application/vnd.oci.image.config.v1+json",
        size: config.length,
        digest: configBlob.digest,
      },
      layers,
    }),
  );
  await pushManifest(target, tag, manifest, OCI_MANIFEST);
}
