// pkg/verify against containers/image itself: for every case, the same policy.json, registries.d (and
// registries.conf for mirrors) go to our Verifier and to hack/policy-judge (go.podman.io/image/v5, the
// library CRI-O runs, checking the per-platform instance like a pull), on images and signatures in a
// real registry (docker-registry 2.8) made by real tools (cosign 2.5.0, gpg) and by the signing
// harness (certificates from local CAs, Rekor SETs from a local log key). Our verdict must equal the
// judge's in every case; each case also states the verdict it is meant to produce, so a case that
// stops testing what it says fails too. The matrix is printed.
//
// Time: Fulcio certificates are checked at the SET's integratedTime, which the signatures carry; PKI
// certificates at "now", which is the same clock for both (the expired certificates expired days ago).
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { Verifier } from "../../pkg/verify/index.ts";
import { pushImage, pushIndex, type PushedImage } from "../harness/oci-images.ts";
import { ensureRegistryTools, startRegistry, type RunningRegistry } from "../harness/registry.ts";
import {
  EKU_SERVER_AUTH,
  attachCertificateSignature,
  attachKeySignature,
  attachSigstoreSignature,
  addRekorSetToAttachments,
  cosignGenerateKeyPair,
  cosignPayload,
  cosignSign,
  createCertificateAuthority,
  createGpgKey,
  createRekorLog,
  generateSigningKey,
  gpgSign,
  issueCertificate,
  rekorSet,
  removeGpgKey,
  signPayload,
  simpleSigningPayload,
  writeLookasideSignature,
  type CosignKeyPair,
  type GpgKey,
  type IssuedCertificate,
  type RekorLog,
  type SigningKey,
} from "../harness/signing.ts";
import { buildPolicyJudge } from "../harness/tools.ts";

const execFileAsync = promisify(execFile);
const SETUP_TIMEOUT_MS = 15 * 60 * 1000; // first run: docker-registry, cosign and the judge's build

interface ParityCase {
  name: string;
  image: string;
  policy: unknown;
  /** registries.d file name → YAML; default: attachments on and the GPG lookaside for the registry. */
  registriesD?: Record<string, string>;
  registriesConf?: string;
  /** For CRI-O namespace policies: the pod's namespace and the namespace files that exist. */
  namespace?: string;
  namespaceFiles?: Record<string, unknown>;
  expected: "admit" | "reject";
}

const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");
const MINUTE = 60;

describe("verify: parity with containers/image", () => {
  let judgePath = "";
  let work = "";
  let registry: RunningRegistry;
  let mirror: RunningRegistry;
  let cosignKeys: CosignKeyPair;
  let otherKey: SigningKey;
  let ed25519Key: SigningKey;
  let rsaKey: SigningKey;
  let p384Key: SigningKey;
  let armoredGpgKey = "";
  let log: RekorLog;
  let otherLog: RekorLog;
  let fulcio: { root: IssuedCertificate; intermediate: IssuedCertificate };
  let pki: { root: IssuedCertificate; intermediate: IssuedCertificate };
  let gpgKey: GpgKey;
  let otherGpgKey: GpgKey;
  let lookaside = "";
  let lookasideServer: http.Server;
  let lookasideUrl = "";
  const images: Record<string, PushedImage> = {};
  let indexDigest = "";
  let indexOnlyDigest = "";
  const cases: ParityCase[] = [];

  beforeAll(async () => {
    judgePath = buildPolicyJudge();
    const tools = await ensureRegistryTools();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "verify-parity-"));
    lookaside = path.join(work, "lookaside");
    [registry, mirror] = await Promise.all([startRegistry(), startRegistry()]);
    const host = registry.host;

    // Keys and trust roots.
    cosignKeys = await cosignGenerateKeyPair(tools.cosign, fs.mkdtempSync(path.join(work, "cosign-")));
    otherKey = generateSigningKey("ecdsa");
    ed25519Key = generateSigningKey("ed25519");
    rsaKey = generateSigningKey("rsa");
    log = createRekorLog();
    otherLog = createRekorLog();
    fulcio = createCertificateAuthority("fulcio");
    pki = createCertificateAuthority("pki");
    [gpgKey, otherGpgKey] = await Promise.all([createGpgKey("Release"), createGpgKey("Other")]);

    // Images, one repository per scenario so signatures do not mix. Seeds make every digest distinct.
    const push = async (name: string, repository: string, tag = "v1"): Promise<PushedImage> => {
      images[name] = await pushImage(registry.url, repository, tag, { seed: name });
      return images[name];
    };
    const cosignSigned = await push("cosign", "apps/cosign");
    await cosignSign(tools.cosign, cosignKeys, `${host}/apps/cosign@${cosignSigned.digest}`);
    await push("unsigned", "apps/unsigned");
    const own = await push("own", "apps/own");
    // Our signatures with a tagged identity (cosign itself only writes the repository).
    await attachKeySignature(registry.url, "apps/own", own.digest, otherKey, {
      dockerReference: `${host}/apps/own:v1`,
    });
    const ed = await push("ed25519", "apps/ed25519");
    await attachKeySignature(registry.url, "apps/ed25519", ed.digest, ed25519Key);
    const rsa = await push("rsa", "apps/rsa");
    await attachKeySignature(registry.url, "apps/rsa", rsa.digest, rsaKey);
    const edRekor = await push("edRekor", "apps/ed25519-rekor");
    await attachKeySignature(registry.url, "apps/ed25519-rekor", edRekor.digest, ed25519Key, { rekor: log });
    const rsaRekor = await push("rsaRekor", "apps/rsa-rekor");
    await attachKeySignature(registry.url, "apps/rsa-rekor", rsaRekor.digest, rsaKey, { rekor: log });
    const remapped = await push("remapped", "internal/app");
    await attachKeySignature(registry.url, "internal/app", remapped.digest, otherKey, {
      dockerReference: "upstream.example.com/team/app:v1",
    });

    // Rekor: cosign's signature plus a SET we log; and variants.
    const rekor = await push("rekor", "apps/rekor");
    await cosignSign(tools.cosign, cosignKeys, `${host}/apps/rekor@${rekor.digest}`);
    await addRekorSetToAttachments(registry.url, "apps/rekor", rekor.digest, cosignKeys.publicKeyPem, log);
    const rekorOtherLog = await push("rekorOtherLog", "apps/rekor-other-log");
    await attachKeySignature(registry.url, "apps/rekor-other-log", rekorOtherLog.digest, otherKey, {
      rekor: otherLog,
    });
    const rekorTampered = await push("rekorTampered", "apps/rekor-tampered");
    {
      const payload = cosignPayload(`${host}/apps/rekor-tampered`, rekorTampered.digest);
      const signature = signPayload(otherKey.privateKey, payload);
      const bundle = rekorSet(log, {
        publicKeyOrCertificatePem: otherKey.publicKeyPem,
        signatureBase64: signature,
        payload: Buffer.from("another payload"),
      });
      await attachSigstoreSignature(registry.url, "apps/rekor-tampered", rekorTampered.digest, {
        payload,
        signature,
        bundle,
      });
    }

    // Bad signatures.
    const wrongDigest = await push("wrongDigest", "apps/wrong-digest");
    await attachKeySignature(registry.url, "apps/wrong-digest", wrongDigest.digest, otherKey, {
      payload: cosignPayload(`${host}/apps/wrong-digest`, cosignSigned.digest),
    });
    const corrupt = await push("corrupt", "apps/corrupt");
    {
      const payload = cosignPayload(`${host}/apps/corrupt`, corrupt.digest);
      const good = Buffer.from(signPayload(otherKey.privateKey, payload), "base64");
      good[good.length - 1] = (good[good.length - 1] as number) ^ 0xff;
      await attachSigstoreSignature(registry.url, "apps/corrupt", corrupt.digest, {
        payload,
        signature: good.toString("base64"),
      });
      await attachSigstoreSignature(registry.url, "apps/corrupt", corrupt.digest, {
        payload,
        signature: "not base64!",
      });
    }
    const mixed = await push("mixed", "apps/mixed");
    await attachKeySignature(registry.url, "apps/mixed", mixed.digest, ed25519Key);
    await attachKeySignature(registry.url, "apps/mixed", mixed.digest, otherKey);
    // A payload naming the manifest by its sha512 digest (containers/image compares with SHA-256 only).
    const sha512 = await push("sha512", "apps/sha512");
    await attachKeySignature(registry.url, "apps/sha512", sha512.digest, otherKey, {
      payload: cosignPayload(
        `${host}/apps/sha512`,
        `sha512:${createHash("sha512").update(sha512.manifest).digest("hex")}`,
      ),
    });
    p384Key = generateSigningKey("ecdsa-p384");
    const p384 = await push("p384", "apps/p384");
    await attachKeySignature(registry.url, "apps/p384", p384.digest, p384Key);
    armoredGpgKey = (
      await execFileAsync("gpg", ["--batch", "--armor", "--export", gpgKey.fingerprint], {
        env: { PATH: process.env.PATH ?? "", GNUPGHOME: gpgKey.home },
      })
    ).stdout;

    // Fulcio-style keyless signatures (certificates from the local CA, SETs from the local log).
    const now = Math.floor(Date.now() / 1000);
    const fulcioLeaf = (spec: Partial<Parameters<typeof issueCertificate>[0]> = {}): IssuedCertificate =>
      issueCertificate(
        {
          commonName: "",
          emails: ["dev@example.com"],
          fulcioIssuerV1: "https://issuer.example.com",
          fulcioIssuerV2: "https://issuer.example.com",
          notBefore: new Date((now - 5 * MINUTE) * 1000),
          notAfter: new Date((now + 5 * MINUTE) * 1000),
          ...spec,
        },
        fulcio.intermediate,
      );
    const chain = [fulcio.intermediate, fulcio.root];
    const keyless = async (
      name: string,
      options: {
        leaf: IssuedCertificate;
        integratedTime?: number;
        rekor?: RekorLog | null;
        chain?: IssuedCertificate[];
      },
    ): Promise<void> => {
      const image = await push(name, `keyless/${name.toLowerCase()}`);
      await attachCertificateSignature(registry.url, `keyless/${name.toLowerCase()}`, image.digest, {
        leaf: options.leaf,
        chain: options.chain ?? chain,
        ...(options.rekor === null ? {} : { rekor: options.rekor ?? log }),
        integratedTime: options.integratedTime ?? now,
      });
    };
    await keyless("fulcioGood", { leaf: fulcioLeaf() });
    await keyless("fulcioV2Only", { leaf: fulcioLeaf({ fulcioIssuerV1: undefined }) });
    await keyless("fulcioInconsistent", {
      leaf: fulcioLeaf({ fulcioIssuerV2: "https://other.example.com" }),
    });
    await keyless("fulcioExpired", { leaf: fulcioLeaf(), integratedTime: now + 20 * MINUTE });
    await keyless("fulcioNoSet", { leaf: fulcioLeaf(), rekor: null });
    {
      // A leaf from a CA the policy does not trust, with that CA shipped in the chain annotation.
      const rogue = createCertificateAuthority("rogue");
      const leaf = issueCertificate(
        { commonName: "", emails: ["dev@example.com"], fulcioIssuerV1: "https://issuer.example.com" },
        rogue.intermediate,
      );
      await keyless("fulcioRogueChain", { leaf, chain: [rogue.intermediate, rogue.root] });
    }

    // PKI signatures.
    const pkiImage = async (name: string, leaf: IssuedCertificate, withChain = true): Promise<void> => {
      const image = await push(name, `pki/${name.toLowerCase()}`);
      await attachCertificateSignature(registry.url, `pki/${name.toLowerCase()}`, image.digest, {
        leaf,
        ...(withChain ? { chain: [pki.intermediate, pki.root] } : {}),
      });
    };
    const pkiLeaf = (spec: Partial<Parameters<typeof issueCertificate>[0]> = {}): IssuedCertificate =>
      issueCertificate(
        { commonName: "signer", emails: ["release@example.com"], dnsNames: ["signer.example.com"], ...spec },
        pki.intermediate,
      );
    await pkiImage("pkiGood", pkiLeaf());
    await pkiImage("pkiNoChain", pkiLeaf(), false);
    await pkiImage(
      "pkiExpired",
      pkiLeaf({
        notBefore: new Date(Date.now() - 10 * 86400_000),
        notAfter: new Date(Date.now() - 3 * 86400_000),
      }),
    );
    await pkiImage("pkiServerAuth", pkiLeaf({ extKeyUsage: [EKU_SERVER_AUTH] }));

    // Mirrors: the same image on a second registry; the signature copied there or not.
    const mirrored = await push("mirrored", "team/mirrored");
    await attachKeySignature(registry.url, "team/mirrored", mirrored.digest, otherKey);
    await pushImage(mirror.url, "mirror/team/mirrored", "v1", { seed: "mirrored" });
    await attachKeySignature(mirror.url, "mirror/team/mirrored", mirrored.digest, otherKey, {
      dockerReference: `${host}/team/mirrored`,
    });
    const primaryOnly = await push("primaryOnly", "team/primary-only");
    await attachKeySignature(registry.url, "team/primary-only", primaryOnly.digest, otherKey);
    await pushImage(mirror.url, "mirror/team/primary-only", "v1", { seed: "primaryOnly" });

    // Multi-platform: an index whose instance is signed, and one where only the index is.
    const platforms = [
      { os: "linux", architecture: "amd64" },
      { os: "linux", architecture: "arm64", variant: "v8" },
    ];
    const instances = await Promise.all(
      platforms.map((platform) =>
        pushImage(registry.url, "multi/app", `i-${platform.architecture}`, { seed: "multi", platform }),
      ),
    );
    indexDigest = (await pushIndex(registry.url, "multi/app", "v1", instances)).digest;
    for (const instance of instances) {
      await cosignSign(tools.cosign, cosignKeys, `${host}/multi/app@${instance.digest}`);
    }
    const onlyInstances = await Promise.all(
      platforms.map((platform) =>
        pushImage(registry.url, "multi/index-only", `i-${platform.architecture}`, {
          seed: "index-only",
          platform,
        }),
      ),
    );
    indexOnlyDigest = (await pushIndex(registry.url, "multi/index-only", "v1", onlyInstances)).digest;
    // A Docker manifest list whose instances are signed (by our key).
    const listInstances = await Promise.all(
      platforms.map((platform) =>
        pushImage(registry.url, "multi/docker-list", `i-${platform.architecture}`, {
          seed: "docker-list",
          platform,
          format: "docker",
        }),
      ),
    );
    await pushIndex(registry.url, "multi/docker-list", "v1", listInstances, { format: "docker" });
    for (const instance of listInstances) {
      await attachKeySignature(registry.url, "multi/docker-list", instance.digest, otherKey);
    }
    await cosignSign(tools.cosign, cosignKeys, `${host}/multi/index-only@${indexOnlyDigest}`);

    // GPG simple signing in a file:// lookaside store.
    const gpgImage = await push("gpg", "gpg/app");
    writeLookasideSignature(
      lookaside,
      "gpg/app",
      gpgImage.digest,
      1,
      await gpgSign(gpgKey, simpleSigningPayload(`${host}/gpg/app:v1`, gpgImage.digest)),
    );
    const gpgOther = await push("gpgOther", "gpg/other-key");
    writeLookasideSignature(
      lookaside,
      "gpg/other-key",
      gpgOther.digest,
      1,
      await gpgSign(otherGpgKey, simpleSigningPayload(`${host}/gpg/other-key:v1`, gpgOther.digest)),
    );
    await push("gpgMissing", "gpg/missing");
    const gpgWrongTag = await push("gpgWrongTag", "gpg/wrong-tag");
    writeLookasideSignature(
      lookaside,
      "gpg/wrong-tag",
      gpgWrongTag.digest,
      1,
      await gpgSign(gpgKey, simpleSigningPayload(`${host}/gpg/wrong-tag:v2`, gpgWrongTag.digest)),
    );
    const gpgSecond = await push("gpgSecond", "gpg/second");
    writeLookasideSignature(
      lookaside,
      "gpg/second",
      gpgSecond.digest,
      1,
      await gpgSign(otherGpgKey, simpleSigningPayload(`${host}/gpg/second:v1`, gpgSecond.digest)),
    );
    writeLookasideSignature(
      lookaside,
      "gpg/second",
      gpgSecond.digest,
      2,
      await gpgSign(gpgKey, simpleSigningPayload(`${host}/gpg/second:v1`, gpgSecond.digest)),
    );

    // The same lookaside store over http; paths under /broken/ answer 500.
    lookasideServer = http.createServer((req, res) => {
      const pathname = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
      if (pathname.startsWith("/broken/")) {
        res.writeHead(500).end("storage failure");
        return;
      }
      const file = path.join(lookaside, pathname);
      if (!file.startsWith(lookaside) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => lookasideServer.listen(0, "127.0.0.1", resolve));
    lookasideUrl = `http://127.0.0.1:${(lookasideServer.address() as net.AddressInfo).port}`;

    // A Docker schema 2 image, signed by cosign.
    const dockerFormat = (images.dockerFormat = await pushImage(registry.url, "apps/docker-format", "v1", {
      seed: "dockerFormat",
      format: "docker",
    }));
    await cosignSign(tools.cosign, cosignKeys, `${host}/apps/docker-format@${dockerFormat.digest}`);

    defineCases();
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    lookasideServer?.closeAllConnections();
    await new Promise<void>((resolve) =>
      lookasideServer ? lookasideServer.close(() => resolve()) : resolve(),
    );
    await Promise.all([registry?.stop(), mirror?.stop()]);
    for (const key of [gpgKey, otherGpgKey]) if (key) await removeGpgKey(key);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  function defineCases(): void {
    const host = registry.host;
    const mirrorHost = mirror.host;
    const keyFile = (name: string, pem: string): string => {
      const file = path.join(work, name);
      fs.writeFileSync(file, pem);
      return file;
    };
    const cosignPub = cosignKeys.publicKeyPath;
    const otherPub = keyFile("other.pub", otherKey.publicKeyPem);
    const rekorPub = keyFile("rekor.pub", log.publicKeyPem);
    const scoped = (
      scope: string,
      requirements: unknown[],
      fallback: unknown[] = [{ type: "reject" }],
    ): unknown => ({
      default: fallback,
      transports: { docker: { [scope]: requirements } },
    });
    const keyReq = (extra: Record<string, unknown> = {}): unknown => ({
      type: "sigstoreSigned",
      keyPath: cosignPub,
      signedIdentity: { type: "matchRepository" },
      ...extra,
    });
    const otherKeyReq = (
      signedIdentity: unknown = { type: "matchRepository" },
      extra: Record<string, unknown> = {},
    ): unknown => ({
      type: "sigstoreSigned",
      keyData: b64(otherKey.publicKeyPem),
      signedIdentity,
      ...extra,
    });
    const digestOf = (name: string): string => images[name]?.digest ?? "";
    const add = (c: ParityCase): void => {
      cases.push(c);
    };

    // --- key-based, cosign-made ---
    add({
      name: "cosign key, matchRepository, by digest",
      image: `${host}/apps/cosign@${digestOf("cosign")}`,
      policy: scoped(host, [keyReq()]),
      expected: "admit",
    });
    add({
      name: "cosign key, matchRepository, by tag",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq()]),
      expected: "admit",
    });
    add({
      name: "unsigned image",
      image: `${host}/apps/unsigned:v1`,
      policy: scoped(host, [keyReq()]),
      expected: "reject",
    });
    add({
      name: "wrong key",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [otherKeyReq()]),
      expected: "reject",
    });
    add({
      name: "matchRepoDigestOrExact, tag ref, repo-only signature",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq({ signedIdentity: { type: "matchRepoDigestOrExact" } })]),
      expected: "reject",
    });
    add({
      name: "matchRepoDigestOrExact, digest ref, repo-only signature",
      image: `${host}/apps/cosign@${digestOf("cosign")}`,
      policy: scoped(host, [keyReq({ signedIdentity: { type: "matchRepoDigestOrExact" } })]),
      expected: "reject",
    });
    add({
      name: "default identity (matchRepoDigestOrExact), tag ref",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [{ type: "sigstoreSigned", keyPath: cosignPub }]),
      expected: "reject",
    });
    add({
      name: "matchExact, digest ref, repo-only signature",
      image: `${host}/apps/cosign@${digestOf("cosign")}`,
      policy: scoped(host, [keyReq({ signedIdentity: { type: "matchExact" } })]),
      expected: "reject",
    });
    add({
      name: "matchExact, tag ref, tagged signature",
      image: `${host}/apps/own:v1`,
      policy: scoped(host, [otherKeyReq({ type: "matchExact" })]),
      expected: "admit",
    });
    add({
      name: "matchExact, digest ref, tagged signature",
      image: `${host}/apps/own@${digestOf("own")}`,
      policy: scoped(host, [otherKeyReq({ type: "matchExact" })]),
      expected: "reject",
    });
    add({
      name: "matchRepoDigestOrExact, tagged signature, same tag",
      image: `${host}/apps/own:v1`,
      policy: scoped(host, [otherKeyReq({ type: "matchRepoDigestOrExact" })]),
      expected: "admit",
    });
    add({
      name: "matchRepoDigestOrExact, tagged signature, digest ref",
      image: `${host}/apps/own@${digestOf("own")}`,
      policy: scoped(host, [otherKeyReq({ type: "matchRepoDigestOrExact" })]),
      expected: "admit",
    });
    add({
      name: "exactRepository, matching",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [
        keyReq({ signedIdentity: { type: "exactRepository", dockerRepository: `${host}/apps/cosign` } }),
      ]),
      expected: "admit",
    });
    add({
      name: "exactRepository, other repository",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [
        keyReq({ signedIdentity: { type: "exactRepository", dockerRepository: `${host}/apps/other` } }),
      ]),
      expected: "reject",
    });
    add({
      name: "exactReference, matching",
      image: `${host}/apps/own@${digestOf("own")}`,
      policy: scoped(host, [otherKeyReq({ type: "exactReference", dockerReference: `${host}/apps/own:v1` })]),
      expected: "admit",
    });
    add({
      name: "exactReference, other tag",
      image: `${host}/apps/own:v1`,
      policy: scoped(host, [otherKeyReq({ type: "exactReference", dockerReference: `${host}/apps/own:v2` })]),
      expected: "reject",
    });
    add({
      name: "remapIdentity, prefix matches (digest ref)",
      image: `${host}/internal/app@${digestOf("remapped")}`,
      policy: scoped(host, [
        otherKeyReq({
          type: "remapIdentity",
          prefix: `${host}/internal`,
          signedPrefix: "upstream.example.com/team",
        }),
      ]),
      expected: "admit",
    });
    add({
      name: "remapIdentity, prefix matches (tag ref)",
      image: `${host}/internal/app:v1`,
      policy: scoped(host, [
        otherKeyReq({
          type: "remapIdentity",
          prefix: `${host}/internal`,
          signedPrefix: "upstream.example.com/team",
        }),
      ]),
      expected: "admit",
    });
    add({
      name: "remapIdentity to a non-canonical name (docker.io)",
      image: `${host}/internal/app:v1`,
      policy: scoped(host, [
        otherKeyReq({ type: "remapIdentity", prefix: `${host}/internal`, signedPrefix: "docker.io" }),
      ]),
      expected: "reject",
    });
    add({
      name: "remapIdentity, other prefix",
      image: `${host}/internal/app@${digestOf("remapped")}`,
      policy: scoped(host, [
        otherKeyReq({
          type: "remapIdentity",
          prefix: `${host}/elsewhere`,
          signedPrefix: "upstream.example.com/team",
        }),
      ]),
      expected: "reject",
    });
    add({
      name: "keyPaths, second path matches",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyPaths: [otherPub, cosignPub],
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "keyDatas, second key matches",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyDatas: [b64(otherKey.publicKeyPem), b64(cosignKeys.publicKeyPem)],
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "Ed25519 key",
      image: `${host}/apps/ed25519:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyData: b64(ed25519Key.publicKeyPem),
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "ECDSA P-384 key (SHA-256)",
      image: `${host}/apps/p384:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyData: b64(p384Key.publicKeyPem),
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "payload names the sha512 digest",
      image: `${host}/apps/sha512:v1`,
      policy: scoped(host, [otherKeyReq()]),
      expected: "reject",
    });
    add({
      name: "keyData with two PEM blocks: only the first counts",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyData: b64(otherKey.publicKeyPem + cosignKeys.publicKeyPem),
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "reject",
    });
    add({
      name: "RSA key",
      image: `${host}/apps/rsa:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyData: b64(rsaKey.publicKeyPem),
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "keyPath file missing",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq({ keyPath: path.join(work, "missing.pub") })]),
      expected: "reject",
    });
    add({
      name: "signature for another digest",
      image: `${host}/apps/wrong-digest:v1`,
      policy: scoped(host, [otherKeyReq()]),
      expected: "reject",
    });
    add({
      name: "corrupt signatures",
      image: `${host}/apps/corrupt:v1`,
      policy: scoped(host, [otherKeyReq()]),
      expected: "reject",
    });
    add({
      name: "two signatures, second one good",
      image: `${host}/apps/mixed:v1`,
      policy: scoped(host, [otherKeyReq()]),
      expected: "admit",
    });

    // --- Rekor ---
    add({
      name: "key + Rekor, cosign signature with our SET",
      image: `${host}/apps/rekor:v1`,
      policy: scoped(host, [keyReq({ rekorPublicKeyPath: rekorPub })]),
      expected: "admit",
    });
    add({
      name: "Ed25519 key + Rekor",
      image: `${host}/apps/ed25519-rekor:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyData: b64(ed25519Key.publicKeyPem),
          rekorPublicKeyData: b64(log.publicKeyPem),
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "RSA key + Rekor",
      image: `${host}/apps/rsa-rekor:v1`,
      policy: scoped(host, [
        {
          type: "sigstoreSigned",
          keyData: b64(rsaKey.publicKeyPem),
          rekorPublicKeyData: b64(log.publicKeyPem),
          signedIdentity: { type: "matchRepository" },
        },
      ]),
      expected: "admit",
    });
    add({
      name: "key + Rekor, no SET",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq({ rekorPublicKeyPath: rekorPub })]),
      expected: "reject",
    });
    add({
      name: "key + Rekor, SET from another log",
      image: `${host}/apps/rekor-other-log:v1`,
      policy: scoped(host, [otherKeyReq(undefined, { rekorPublicKeyData: b64(log.publicKeyPem) })]),
      expected: "reject",
    });
    add({
      name: "key + Rekor, SET over another payload",
      image: `${host}/apps/rekor-tampered:v1`,
      policy: scoped(host, [otherKeyReq(undefined, { rekorPublicKeyData: b64(log.publicKeyPem) })]),
      expected: "reject",
    });
    add({
      name: "key + Rekor keys list, second log matches",
      image: `${host}/apps/rekor-other-log:v1`,
      policy: scoped(host, [
        otherKeyReq(undefined, { rekorPublicKeyDatas: [b64(log.publicKeyPem), b64(otherLog.publicKeyPem)] }),
      ]),
      expected: "admit",
    });

    // --- registries.d ---
    add({
      name: "attachments enabled by a wildcard scope",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq()]),
      registriesD: { "w.yaml": "docker:\n  '*.0.0.1':\n    use-sigstore-attachments: true\n" },
      expected: "admit",
    });
    add({
      name: "Docker schema 2 image, cosign key",
      image: `${host}/apps/docker-format:v1`,
      policy: scoped(host, [keyReq()]),
      expected: "admit",
    });
    add({
      name: "attachments not enabled",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq()]),
      registriesD: { "none.yaml": "docker: {}\n" },
      expected: "reject",
    });
    add({
      name: "attachments enabled by default-docker",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq()]),
      registriesD: { "default.yaml": "default-docker:\n  use-sigstore-attachments: true\n" },
      expected: "admit",
    });
    add({
      name: "attachments disabled by a more specific scope",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq()]),
      registriesD: {
        "a.yaml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n  ${host}/apps/cosign:\n    use-sigstore-attachments: false\n`,
      },
      expected: "reject",
    });
    add({
      name: "attachments in a .yml file (ignored)",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq()]),
      registriesD: { "a.yml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n` },
      expected: "reject",
    });

    // --- Fulcio ---
    const fulcioReq = (extra: Record<string, unknown> = {}): unknown => ({
      type: "sigstoreSigned",
      fulcio: {
        caData: b64(fulcio.root.certificatePem),
        oidcIssuer: "https://issuer.example.com",
        subjectEmail: "dev@example.com",
        ...extra,
      },
      rekorPublicKeyData: b64(log.publicKeyPem),
      signedIdentity: { type: "matchRepository" },
    });
    add({
      name: "Fulcio, good",
      image: `${host}/keyless/fulciogood:v1`,
      policy: scoped(host, [fulcioReq()]),
      expected: "admit",
    });
    add({
      name: "Fulcio, wrong issuer",
      image: `${host}/keyless/fulciogood:v1`,
      policy: scoped(host, [fulcioReq({ oidcIssuer: "https://other.example.com" })]),
      expected: "reject",
    });
    add({
      name: "Fulcio, wrong email",
      image: `${host}/keyless/fulciogood:v1`,
      policy: scoped(host, [fulcioReq({ subjectEmail: "someone@example.com" })]),
      expected: "reject",
    });
    add({
      name: "Fulcio, only the v2 issuer extension",
      image: `${host}/keyless/fulciov2only:v1`,
      policy: scoped(host, [fulcioReq()]),
      expected: "admit",
    });
    add({
      name: "Fulcio, v1 and v2 issuers disagree",
      image: `${host}/keyless/fulcioinconsistent:v1`,
      policy: scoped(host, [fulcioReq()]),
      expected: "reject",
    });
    add({
      name: "Fulcio, certificate expired at integratedTime",
      image: `${host}/keyless/fulcioexpired:v1`,
      policy: scoped(host, [fulcioReq()]),
      expected: "reject",
    });
    add({
      name: "Fulcio, no SET",
      image: `${host}/keyless/fulcionoset:v1`,
      policy: scoped(host, [fulcioReq()]),
      expected: "reject",
    });
    add({
      name: "Fulcio, rogue CA in the chain annotation",
      image: `${host}/keyless/fulcioroguechain:v1`,
      policy: scoped(host, [fulcioReq()]),
      expected: "reject",
    });
    add({
      name: "Fulcio, CA is the intermediate only",
      image: `${host}/keyless/fulciogood:v1`,
      policy: scoped(host, [fulcioReq({ caData: b64(fulcio.intermediate.certificatePem) })]),
      expected: "admit",
    });

    // --- PKI ---
    const pkiReq = (extra: Record<string, unknown>): unknown => ({
      type: "sigstoreSigned",
      pki: { caRootsData: b64(pki.root.certificatePem), ...extra },
      signedIdentity: { type: "matchRepository" },
    });
    add({
      name: "PKI, email",
      image: `${host}/pki/pkigood:v1`,
      policy: scoped(host, [pkiReq({ subjectEmail: "release@example.com" })]),
      expected: "admit",
    });
    add({
      name: "PKI, wrong email",
      image: `${host}/pki/pkigood:v1`,
      policy: scoped(host, [pkiReq({ subjectEmail: "other@example.com" })]),
      expected: "reject",
    });
    add({
      name: "PKI, hostname",
      image: `${host}/pki/pkigood:v1`,
      policy: scoped(host, [pkiReq({ subjectHostname: "signer.example.com" })]),
      expected: "admit",
    });
    add({
      name: "PKI, wrong hostname",
      image: `${host}/pki/pkigood:v1`,
      policy: scoped(host, [pkiReq({ subjectHostname: "evil.example.com" })]),
      expected: "reject",
    });
    add({
      name: "PKI, email and hostname",
      image: `${host}/pki/pkigood:v1`,
      policy: scoped(host, [
        pkiReq({ subjectEmail: "release@example.com", subjectHostname: "signer.example.com" }),
      ]),
      expected: "admit",
    });
    add({
      name: "PKI, expired leaf",
      image: `${host}/pki/pkiexpired:v1`,
      policy: scoped(host, [pkiReq({ subjectEmail: "release@example.com" })]),
      expected: "reject",
    });
    add({
      name: "PKI, no chain annotation, no intermediates",
      image: `${host}/pki/pkinochain:v1`,
      policy: scoped(host, [pkiReq({ subjectEmail: "release@example.com" })]),
      expected: "reject",
    });
    add({
      name: "PKI, no chain annotation, intermediates in policy",
      image: `${host}/pki/pkinochain:v1`,
      policy: scoped(host, [
        pkiReq({
          subjectEmail: "release@example.com",
          caIntermediatesData: b64(pki.intermediate.certificatePem),
        }),
      ]),
      expected: "admit",
    });
    add({
      name: "PKI, serverAuth-only leaf",
      image: `${host}/pki/pkiserverauth:v1`,
      policy: scoped(host, [pkiReq({ subjectEmail: "release@example.com" })]),
      expected: "reject",
    });

    // --- mirrors ---
    const mirrorConf = (extra = ""): string =>
      `[[registry]]\nprefix = "${host}/team"\nlocation = "${host}/team"\ninsecure = true\n${extra}\n[[registry.mirror]]\nlocation = "${mirrorHost}/mirror/team"\ninsecure = true\n`;
    const mirrorPolicy = scoped(host, [otherKeyReq()]);
    add({
      name: "mirror, attachments not enabled for it",
      image: `${host}/team/mirrored@${digestOf("mirrored")}`,
      policy: mirrorPolicy,
      registriesConf: mirrorConf(),
      registriesD: { "a.yaml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n` },
      expected: "reject",
    });
    add({
      name: "mirror, attachments enabled for it",
      image: `${host}/team/mirrored@${digestOf("mirrored")}`,
      policy: mirrorPolicy,
      registriesConf: mirrorConf(),
      registriesD: {
        "a.yaml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n  ${mirrorHost}:\n    use-sigstore-attachments: true\n`,
      },
      expected: "admit",
    });
    add({
      name: "mirror, signature only on the primary",
      image: `${host}/team/primary-only@${digestOf("primaryOnly")}`,
      policy: mirrorPolicy,
      registriesConf: mirrorConf(),
      registriesD: {
        "a.yaml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n  ${mirrorHost}:\n    use-sigstore-attachments: true\n`,
      },
      expected: "reject",
    });
    add({
      name: "mirror lacks the image: the primary serves it, with its signatures",
      image: `${host}/team/primary-only@${digestOf("primaryOnly")}`,
      policy: mirrorPolicy,
      registriesConf: `[[registry]]\nprefix = "${host}/team"\nlocation = "${host}/team"\ninsecure = true\n[[registry.mirror]]\nlocation = "${mirrorHost}/elsewhere"\ninsecure = true\n`,
      registriesD: { "a.yaml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n` },
      expected: "admit",
    });
    add({
      name: "mirror-by-digest-only, tag ref goes to the primary",
      image: `${host}/team/primary-only:v1`,
      policy: mirrorPolicy,
      registriesConf: mirrorConf("mirror-by-digest-only = true"),
      registriesD: {
        "a.yaml": `docker:\n  ${host}:\n    use-sigstore-attachments: true\n  ${mirrorHost}:\n    use-sigstore-attachments: true\n`,
      },
      expected: "admit",
    });

    // --- multi-platform ---
    add({
      name: "index, platform instances signed",
      image: `${host}/multi/app:v1`,
      policy: scoped(host, [keyReq()]),
      expected: "admit",
    });
    add({
      name: "index by digest, platform instances signed",
      image: `${host}/multi/app@${indexDigest}`,
      policy: scoped(host, [keyReq()]),
      expected: "admit",
    });
    add({
      name: "Docker manifest list, instances signed",
      image: `${host}/multi/docker-list:v1`,
      policy: scoped(host, [otherKeyReq()]),
      expected: "admit",
    });
    add({
      name: "index, only the index signed",
      image: `${host}/multi/index-only@${indexOnlyDigest}`,
      policy: scoped(host, [keyReq()]),
      expected: "reject",
    });

    // --- namespaces (CRI-O: <dir>/<namespace>.json replaces the cluster policy) ---
    const permissive = { default: [{ type: "insecureAcceptAnything" }] };
    add({
      name: "namespace file stricter than the cluster",
      image: `${host}/apps/unsigned:v1`,
      policy: permissive,
      namespace: "payments",
      namespaceFiles: { payments: scoped(host, [keyReq()], [{ type: "insecureAcceptAnything" }]) },
      expected: "reject",
    });
    add({
      name: "namespace without a file: cluster policy",
      image: `${host}/apps/unsigned:v1`,
      policy: permissive,
      namespace: "web",
      namespaceFiles: { payments: scoped(host, [keyReq()]) },
      expected: "admit",
    });
    add({
      name: "namespace file admits a signed image",
      image: `${host}/apps/cosign:v1`,
      policy: { default: [{ type: "reject" }] },
      namespace: "payments",
      namespaceFiles: { payments: scoped(host, [keyReq()]) },
      expected: "admit",
    });

    // --- GPG simple signing ---
    const gpgReq = (key: GpgKey, signedIdentity: unknown = { type: "matchRepoDigestOrExact" }): unknown => ({
      type: "signedBy",
      keyType: "GPGKeys",
      keyData: b64(key.publicKey),
      signedIdentity,
    });
    const withLookaside = { "lookaside.yaml": `docker:\n  ${host}:\n    lookaside: file://${lookaside}\n` };
    add({
      name: "GPG, good signature",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: withLookaside,
      expected: "admit",
    });
    add({
      name: "GPG, http lookaside",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: { "lookaside.yaml": `docker:\n  ${host}:\n    lookaside: ${lookasideUrl}\n` },
      expected: "admit",
    });
    add({
      name: "GPG, http lookaside answers 500",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: { "lookaside.yaml": `docker:\n  ${host}:\n    lookaside: ${lookasideUrl}/broken\n` },
      expected: "reject",
    });
    add({
      name: "sigstoreSigned, only a GPG signature exists",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [keyReq()]),
      registriesD: {
        "lookaside.yaml": `docker:\n  ${host}:\n    lookaside: file://${lookaside}\n    use-sigstore-attachments: true\n`,
      },
      expected: "reject",
    });
    add({
      name: "GPG, signed by another key",
      image: `${host}/gpg/other-key:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: withLookaside,
      expected: "reject",
    });
    add({
      name: "GPG, no signature",
      image: `${host}/gpg/missing:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: withLookaside,
      expected: "reject",
    });
    add({
      name: "GPG, no lookaside configured",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: { "none.yaml": "docker: {}\n" },
      expected: "reject",
    });
    add({
      name: "GPG, signature for another tag",
      image: `${host}/gpg/wrong-tag:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: withLookaside,
      expected: "reject",
    });
    add({
      name: "GPG, second signature accepted",
      image: `${host}/gpg/second:v1`,
      policy: scoped(host, [gpgReq(gpgKey)]),
      registriesD: withLookaside,
      expected: "admit",
    });
    add({
      name: "GPG, armored key",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [
        {
          type: "signedBy",
          keyType: "GPGKeys",
          keyData: b64(armoredGpgKey),
          signedIdentity: { type: "matchRepoDigestOrExact" },
        },
      ]),
      registriesD: withLookaside,
      expected: "admit",
    });
    add({
      name: "GPG, keyring with both keys",
      image: `${host}/gpg/other-key:v1`,
      policy: scoped(host, [
        {
          type: "signedBy",
          keyType: "GPGKeys",
          keyData: b64(Buffer.concat([gpgKey.publicKey, otherGpgKey.publicKey])),
          signedIdentity: { type: "matchRepoDigestOrExact" },
        },
      ]),
      registriesD: withLookaside,
      expected: "admit",
    });
    add({
      name: "signedBy X509Certificates (unimplemented)",
      image: `${host}/gpg/app:v1`,
      policy: scoped(host, [
        { type: "signedBy", keyType: "X509Certificates", keyData: b64(gpgKey.publicKey) },
      ]),
      registriesD: withLookaside,
      expected: "reject",
    });

    // --- requirement types and scopes ---
    add({
      name: "reject",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [{ type: "reject" }], [{ type: "insecureAcceptAnything" }]),
      expected: "reject",
    });
    add({
      name: "insecureAcceptAnything",
      image: `${host}/apps/unsigned:v1`,
      policy: { default: [{ type: "insecureAcceptAnything" }] },
      expected: "admit",
    });
    add({
      name: "signedBaseLayer",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [{ type: "signedBaseLayer", baseLayerIdentity: { type: "matchRepository" } }]),
      expected: "reject",
    });
    add({
      name: "all requirements must pass",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [keyReq(), otherKeyReq()]),
      expected: "reject",
    });
    add({
      name: "insecureAcceptAnything and a good signature",
      image: `${host}/apps/cosign:v1`,
      policy: scoped(host, [{ type: "insecureAcceptAnything" }, keyReq()]),
      expected: "admit",
    });
    add({
      name: "most specific scope wins",
      image: `${host}/apps/unsigned:v1`,
      policy: {
        default: [{ type: "reject" }],
        transports: {
          docker: { [host]: [keyReq()], [`${host}/apps/unsigned`]: [{ type: "insecureAcceptAnything" }] },
        },
      },
      expected: "admit",
    });
    add({
      name: "wildcard scope *.0.0.1",
      image: `${host}/apps/unsigned:v1`,
      policy: {
        default: [{ type: "insecureAcceptAnything" }],
        transports: { docker: { "*.0.0.1": [keyReq()] } },
      },
      expected: "reject",
    });
    add({
      name: "transport default scope",
      image: `${host}/apps/cosign:v1`,
      policy: { default: [{ type: "reject" }], transports: { docker: { "": [keyReq()] } } },
      expected: "admit",
    });
    add({
      name: "image does not exist",
      image: `${host}/apps/cosign:v404`,
      policy: { default: [{ type: "insecureAcceptAnything" }] },
      expected: "reject",
    });
  }

  async function judge(
    c: ParityCase,
    dir: string,
    policyFile: string,
    registriesDir: string,
  ): Promise<{ allowed: boolean; error?: string }> {
    const args = ["admit", "--policy", policyFile, "--registries.d", registriesDir, "--insecure"];
    if (c.registriesConf !== undefined) {
      const conf = path.join(dir, "registries.conf");
      fs.writeFileSync(conf, c.registriesConf);
      args.push("--registries-conf", conf);
    }
    const { stdout } = await execFileAsync(judgePath, [...args, c.image], { timeout: 120_000 });
    return JSON.parse(stdout.trim()) as { allowed: boolean; error?: string };
  }

  it(
    "gives containers/image's verdict in every case",
    async () => {
      expect(cases.length).toBeGreaterThanOrEqual(40);
      const rows: {
        name: string;
        ours: string;
        theirs: string;
        expected: string;
        ourReason: string;
        theirReason: string;
      }[] = [];
      for (const [i, c] of cases.entries()) {
        const dir = path.join(work, `case-${i}`);
        const registriesDir = path.join(dir, "registries.d");
        fs.mkdirSync(registriesDir, { recursive: true });
        const registriesD = c.registriesD ?? {
          "sigstore.yaml": `docker:\n  ${registry.host}:\n    use-sigstore-attachments: true\n`,
        };
        for (const [name, text] of Object.entries(registriesD))
          fs.writeFileSync(path.join(registriesDir, name), text);
        const clusterFile = path.join(dir, "policy.json");
        fs.writeFileSync(clusterFile, JSON.stringify(c.policy));
        const namespaceDir = path.join(dir, "policies");
        fs.mkdirSync(namespaceDir);
        for (const [ns, policy] of Object.entries(c.namespaceFiles ?? {})) {
          fs.writeFileSync(path.join(namespaceDir, `${ns}.json`), JSON.stringify(policy));
        }
        // What CRI-O hands containers/image: the namespace file when it exists, else the cluster policy.
        const nsFile = c.namespace !== undefined ? path.join(namespaceDir, `${c.namespace}.json`) : undefined;
        const effective = nsFile !== undefined && fs.existsSync(nsFile) ? nsFile : clusterFile;
        const theirs = await judge(c, dir, effective, registriesDir);

        const verifier = new Verifier(fs.readFileSync(clusterFile), {
          registriesD: registriesDir,
          namespacePolicies: { dir: namespaceDir },
          insecureRegistries: [registry.host, mirror.host],
          ...(c.registriesConf !== undefined ? { registriesConf: path.join(dir, "registries.conf") } : {}),
        });
        const ours = await verifier.verify({
          image: c.image,
          ...(c.namespace !== undefined ? { namespace: c.namespace } : {}),
        });
        verifier.close();
        rows.push({
          name: c.name,
          ours: ours.admitted ? "admit" : "reject",
          theirs: theirs.allowed ? "admit" : "reject",
          expected: c.expected,
          ourReason: ours.error ?? "",
          theirReason: theirs.error ?? "",
        });
      }
      const width = Math.max(...rows.map((r) => r.name.length));
      const table = rows
        .map((r) => {
          const mark = r.ours === r.theirs ? (r.theirs === r.expected ? "  " : "!E") : "!!";
          return `${mark} ${r.name.padEnd(width)}  ours=${r.ours.padEnd(6)} containers/image=${r.theirs.padEnd(6)}${r.ours === "reject" ? `  ${r.ourReason.slice(0, 140)}` : ""}`;
        })
        .join("\n");
      const equal = rows.filter((r) => r.ours === r.theirs).length;
      process.stdout.write(`\nverify parity matrix: ${rows.length} cases, ${equal} equal\n${table}\n`);
      expect(rows.filter((r) => r.ours !== r.theirs)).toEqual([]);
      expect(
        rows
          .filter((r) => r.theirs !== r.expected)
          .map((r) => ({ name: r.name, theirs: r.theirs, reason: r.theirReason })),
      ).toEqual([]);
    },
    SETUP_TIMEOUT_MS,
  );
});
