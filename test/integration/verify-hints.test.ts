// pkg/verify's hints and the command line, on a real registry: the well-known reasons a node rejects
// an image its owner believes is signed are each recognised (cosign v3 bundles, an index signed but
// not its platform instance, attachments not enabled for a mirror or at all, no lookaside for GPG
// signatures, a repository-only identity); GPG signatures are read from an http:// lookaside; the
// per-process cache answers a second run without the registry; `image-policy verify` prints verdicts
// and exit statuses.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import type { CommandIO } from "../../pkg/cli/io.ts";
import { runVerify } from "../../pkg/cli/verify.ts";
import { Verifier, type HintCode, type ImageVerdict } from "../../pkg/verify/index.ts";
import { pushBlob, pushImage, pushIndex, pushManifest, type PushedImage } from "../harness/oci-images.ts";
import { startRegistry, type RunningRegistry } from "../harness/registry.ts";
import {
  attachKeySignature,
  createGpgKey,
  generateSigningKey,
  gpgSign,
  removeGpgKey,
  simpleSigningPayload,
  writeLookasideSignature,
  type GpgKey,
  type SigningKey,
} from "../harness/signing.ts";

const START_TIMEOUT_MS = 180_000;
const b64 = (s: string | Buffer): string => Buffer.from(s).toString("base64");
const sha256 = (b: Uint8Array): string => `sha256:${createHash("sha256").update(b).digest("hex")}`;

describe("verify: hints, http lookaside, cache and CLI", () => {
  let registry: RunningRegistry;
  let mirror: RunningRegistry;
  let key: SigningKey;
  let gpgKey: GpgKey;
  let work = "";
  let lookasideServer: http.Server;
  let lookasideUrl = "";
  const sockets = new Set<net.Socket>();
  const img: Record<string, PushedImage> = {};
  let indexDigest = "";

  beforeAll(async () => {
    [registry, mirror] = await Promise.all([startRegistry(), startRegistry()]);
    key = generateSigningKey();
    gpgKey = await createGpgKey("Hints");
    work = fs.mkdtempSync(path.join(os.tmpdir(), "verify-hints-"));
    const host = registry.host;
    const push = async (name: string, repo: string): Promise<PushedImage> =>
      (img[name] = await pushImage(registry.url, repo, "v1", { seed: name }));

    // cosign v3 without a referrers API: the bundle is an artifact manifest, listed in the
    // `sha256-<hex>` referrers-tag index (no ".sig").
    const v3 = await push("v3", "hints/v3");
    const bundle = Buffer.from('{"mediaType":"application/vnd.dev.sigstore.bundle.v0.3+json"}');
    const bundleBlob = await pushBlob({ registry: registry.url, repository: "hints/v3" }, bundle);
    const empty = Buffer.from("{}");
    const emptyBlob = await pushBlob({ registry: registry.url, repository: "hints/v3" }, empty);
    const artifact = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: "application/vnd.dev.sigstore.bundle.v0.3+json",
        config: {
          mediaType: "application/vnd.oci.empty.v1+json",
          digest: emptyBlob.digest,
          size: empty.length,
        },
        layers: [
          {
            mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json",
            digest: bundleBlob.digest,
            size: bundle.length,
          },
        ],
        subject: { mediaType: v3.mediaType, digest: v3.digest, size: v3.size },
      }),
    );
    const pushedArtifact = await pushManifest(
      { registry: registry.url, repository: "hints/v3" },
      sha256(artifact),
      artifact,
      "application/vnd.oci.image.manifest.v1+json",
    );
    await pushIndex(registry.url, "hints/v3", v3.digest.replace(":", "-"), [pushedArtifact]);

    // An index signed at the top only.
    const platforms = [
      { os: "linux", architecture: "amd64" },
      { os: "linux", architecture: "arm64", variant: "v8" },
    ];
    const instances = await Promise.all(
      platforms.map((platform) =>
        pushImage(registry.url, "hints/multi", `i-${platform.architecture}`, { seed: "m", platform }),
      ),
    );
    indexDigest = (await pushIndex(registry.url, "hints/multi", "v1", instances)).digest;
    await attachKeySignature(registry.url, "hints/multi", indexDigest, key);

    // Signed images, also on a mirror.
    const signed = await push("signed", "hints/signed");
    await attachKeySignature(registry.url, "hints/signed", signed.digest, key);
    await pushImage(mirror.url, "m/hints/signed", "v1", { seed: "signed" });
    await attachKeySignature(mirror.url, "m/hints/signed", signed.digest, key, {
      dockerReference: `${host}/hints/signed`,
    });

    // GPG, served over http.
    const gpg = await push("gpg", "hints/gpg");
    const store = path.join(work, "lookaside");
    writeLookasideSignature(
      store,
      "hints/gpg",
      gpg.digest,
      1,
      await gpgSign(gpgKey, simpleSigningPayload(`${host}/hints/gpg:v1`, gpg.digest)),
    );
    lookasideServer = http.createServer((req, res) => {
      const file = path.join(store, decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
      if (!file.startsWith(store) || !fs.existsSync(file) || fs.statSync(file).isDirectory()) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { "content-type": "application/octet-stream" }).end(fs.readFileSync(file));
    });
    lookasideServer.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => lookasideServer.listen(0, "127.0.0.1", resolve));
    lookasideUrl = `http://127.0.0.1:${(lookasideServer.address() as net.AddressInfo).port}`;
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => lookasideServer?.close(() => resolve()));
    await Promise.all([registry?.stop(), mirror?.stop()]);
    if (gpgKey) await removeGpgKey(gpgKey);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  const keyRequirement = (signedIdentity: unknown = { type: "matchRepository" }): unknown => ({
    type: "sigstoreSigned",
    keyData: b64(key.publicKeyPem),
    signedIdentity,
  });
  const attachmentsFor = (...hosts: string[]): Record<string, string> => ({
    "a.yaml": `docker:\n${hosts.map((h) => `  ${h}:\n    use-sigstore-attachments: true\n`).join("")}`,
  });

  async function verify(
    image: string,
    policy: unknown,
    options: ConstructorParameters<typeof Verifier>[1] = {},
  ): Promise<ImageVerdict> {
    const verifier = new Verifier(JSON.stringify(policy), {
      insecureRegistries: [registry.host, mirror.host],
      registriesD: attachmentsFor(registry.host),
      builtinLookaside: "file:///nonexistent/sigstore",
      ...options,
    });
    try {
      return await verifier.verify(image);
    } finally {
      verifier.close();
    }
  }
  const codes = (v: ImageVerdict): HintCode[] => v.hints.map((h) => h.code);

  it("recognises a cosign v3 bundle that nodes cannot read", async () => {
    const v = await verify(`${registry.host}/hints/v3:v1`, { default: [keyRequirement()] });
    expect(v.admitted).toBe(false);
    expect(v.error).toBe("A signature was required, but no signature exists");
    expect(codes(v)).toEqual(["cosign-bundle-format"]);
    expect(v.hints[0]?.message).toContain("--new-bundle-format=false");
  });

  it("recognises an index signed without its platform instance", async () => {
    const v = await verify(`${registry.host}/hints/multi:v1`, { default: [keyRequirement()] });
    expect(v.admitted).toBe(false);
    expect(v.source?.digest).toBe(indexDigest);
    expect(codes(v)).toEqual(["index-signed-not-instance"]);
    expect(v.hints[0]?.message).toContain("--recursive");
  });

  it("recognises attachments not enabled, for the registry and for a mirror", async () => {
    const none = await verify(
      `${registry.host}/hints/signed:v1`,
      { default: [keyRequirement()] },
      { registriesD: {} },
    );
    expect(codes(none)).toEqual(["attachments-disabled"]);
    expect(none.hints[0]?.message).toContain("a signature exists");
    const typo = await verify(
      `${registry.host}/hints/signed:v1`,
      { default: [keyRequirement()] },
      { registriesD: { "t.yaml": `docker:\n  ${registry.host}:\n    use-sigstore-attachment: true\n` } },
    );
    expect(codes(typo)).toEqual(["attachments-disabled"]);
    expect(typo.hints[0]?.message).toContain('unknown key "use-sigstore-attachment"');
    const conf = path.join(work, "registries.conf");
    fs.writeFileSync(
      conf,
      `[[registry]]\nprefix = "${registry.host}/hints"\nlocation = "${registry.host}/hints"\ninsecure = true\n[[registry.mirror]]\nlocation = "${mirror.host}/m/hints"\ninsecure = true\n`,
    );
    const viaMirror = await verify(
      `${registry.host}/hints/signed@${img.signed?.digest}`,
      { default: [keyRequirement()] },
      { registriesConf: conf },
    );
    expect(viaMirror.source).toMatchObject({ repository: `${mirror.host}/m/hints/signed`, mirror: true });
    expect(codes(viaMirror)).toEqual(["mirror-attachments-disabled"]);
    const fixed = await verify(
      `${registry.host}/hints/signed@${img.signed?.digest}`,
      { default: [keyRequirement()] },
      {
        registriesConf: conf,
        registriesD: attachmentsFor(registry.host, mirror.host),
      },
    );
    expect(fixed.admitted).toBe(true);
  });

  it("recognises a repository-only signature under a tag-matching identity", async () => {
    const v = await verify(`${registry.host}/hints/signed:v1`, {
      default: [keyRequirement({ type: "matchRepoDigestOrExact" })],
    });
    expect(v.error).toBe(`Signature for identity "${registry.host}/hints/signed" is not accepted`);
    expect(codes(v)).toEqual(["identity-repository-only"]);
  });

  it("reads GPG signatures from an http lookaside, and says when none is configured", async () => {
    const policy = {
      default: [
        {
          type: "signedBy",
          keyType: "GPGKeys",
          keyData: b64(gpgKey.publicKey),
          signedIdentity: { type: "matchRepoDigestOrExact" },
        },
      ],
    };
    const ok = await verify(`${registry.host}/hints/gpg:v1`, policy, {
      registriesD: { "l.yaml": `docker:\n  ${registry.host}/hints:\n    lookaside: ${lookasideUrl}\n` },
    });
    expect(ok.admitted).toBe(true);
    expect(ok.requirements[0]?.signatures?.[0]?.source).toBe(
      `${lookasideUrl}/hints/gpg@${img.gpg?.digest.replace(":", "=")}/signature-1`,
    );
    const missing = await verify(`${registry.host}/hints/gpg:v1`, policy, { registriesD: {} });
    expect(missing.admitted).toBe(false);
    expect(codes(missing)).toEqual(["lookaside-missing"]);
  });

  it("answers a second run from its cache, without the registry", async () => {
    // The mirror's copy is signed for the primary repository; exactRepository accepts that identity.
    const policy = {
      default: [
        keyRequirement({ type: "exactRepository", dockerRepository: `${registry.host}/hints/signed` }),
      ],
    };
    const verifier = new Verifier(JSON.stringify(policy), {
      insecureRegistries: [mirror.host],
      registriesD: attachmentsFor(mirror.host),
    });
    const image = `${mirror.host}/m/hints/signed@${img.signed?.digest}`;
    try {
      const first = await verifier.verify(image);
      expect(first.admitted).toBe(true);
      await mirror.stop();
      const second = await verifier.verify(image);
      expect(second).toEqual(first);
    } finally {
      verifier.close();
      mirror = await startRegistry();
    }
  });

  it("image-policy verify prints verdicts and exits 0 or 1", async () => {
    const policyFile = path.join(work, "policy.json");
    fs.writeFileSync(policyFile, JSON.stringify({ default: [keyRequirement()] }));
    const registriesD = path.join(work, "registries.d");
    fs.mkdirSync(registriesD, { recursive: true });
    fs.writeFileSync(path.join(registriesD, "a.yaml"), attachmentsFor(registry.host)["a.yaml"] ?? "");
    const run = async (...images: string[]): Promise<{ status: number; out: string[] }> => {
      const out: string[] = [];
      const io: CommandIO = { out: (t) => out.push(t), err: (t) => out.push(t) };
      const status = await runVerify(
        [
          ...images,
          "--policy",
          policyFile,
          "--registries-d",
          registriesD,
          "--insecure-registry",
          registry.host,
        ],
        io,
      );
      return { status, out };
    };
    const ok = await run(`${registry.host}/hints/signed:v1`);
    expect(ok.status).toBe(0);
    expect(ok.out[0]).toMatch(
      new RegExp(
        `^admitted: docker://${registry.host}/hints/signed:v1\\n  policy: .*policy.json, the policy's default requirements`,
      ),
    );
    const mixed = await run(`${registry.host}/hints/signed:v1`, `${registry.host}/hints/v3:v1`);
    expect(mixed.status).toBe(1);
    expect(mixed.out[1]).toContain("hint (cosign-bundle-format)");
  });
});
