// pkg/verify on bad input: malformed references and policies, unreachable registries, and a registry
// (a small node:http server on loopback) that answers garbage, huge or endless bodies, wrong digests
// and no answer at all. Every case must end in a clear rejection, quickly, without a crash.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import fs from "node:fs";
import http from "node:http";
import type net from "node:net";
import os from "node:os";
import path from "node:path";
import { PolicyInputError, Verifier, verifyImage, type ImageVerdict } from "../../pkg/verify/index.ts";
import { DOCKER_MANIFEST, OCI_CONFIG, OCI_MANIFEST } from "../../pkg/registry/media-types.ts";
import { manifestBytes, sha256 } from "../harness/oci-images.ts";
import { cosignPayload, generateSigningKey, signPayload } from "../harness/signing.ts";

const imageManifest = (seed: string): Buffer => manifestBytes({ layers: [], annotations: { seed } });

interface Route {
  status?: number;
  contentType?: string;
  body?: Buffer;
  /** Stream this many bytes of zeros. */
  endless?: number;
  hang?: boolean;
  /** Answer after this long. */
  delayMs?: number;
}

describe("verify: bad input", () => {
  let server: http.Server;
  let host = "";
  const sockets = new Set<net.Socket>();
  const routes = new Map<string, Route>();
  const key = generateSigningKey();
  const policy = (requirements: unknown[]): string =>
    JSON.stringify({ default: [{ type: "reject" }], transports: { docker: { [host]: requirements } } });
  const keyPolicy = (): string =>
    policy([
      {
        type: "sigstoreSigned",
        keyData: Buffer.from(key.publicKeyPem).toString("base64"),
        signedIdentity: { type: "matchRepository" },
      },
    ]);
  let registriesD = "";

  /** An image at /v2/<repo>/manifests/v1 whose .sig tag gets `sig`. */
  function image(repo: string, sig?: Route): string {
    const manifest = imageManifest(repo);
    const digest = sha256(manifest);
    for (const ref of ["v1", digest])
      routes.set(`/v2/${repo}/manifests/${ref}`, { contentType: OCI_MANIFEST, body: manifest });
    if (sig !== undefined) routes.set(`/v2/${repo}/manifests/${digest.replace(":", "-")}.sig`, sig);
    return digest;
  }

  /** A well-formed .sig manifest with the given layers (descriptors). */
  function sigManifest(layers: unknown[], mediaType = OCI_MANIFEST): Route {
    return {
      contentType: mediaType,
      body: manifestBytes({ layers, mediaType, configMediaType: OCI_CONFIG }),
    };
  }

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      if (url.pathname === "/v2/") {
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
        return;
      }
      const route = routes.get(url.pathname);
      if (route === undefined) {
        res.writeHead(404, { "content-type": "application/json" });
        res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
        return;
      }
      if (route.hang) return; // never answer
      if (route.endless !== undefined) {
        res.writeHead(route.status ?? 200, {
          "content-type": route.contentType ?? "application/octet-stream",
        });
        const chunk = Buffer.alloc(64 * 1024);
        let sent = 0;
        const pump = (): void => {
          while (sent < (route.endless ?? 0)) {
            sent += chunk.length;
            if (!res.write(chunk)) {
              res.once("drain", pump);
              return;
            }
          }
          res.end();
        };
        res.on("close", () => (sent = Number.MAX_SAFE_INTEGER));
        pump();
        return;
      }
      const answer = (): void => {
        res.writeHead(route.status ?? 200, {
          "content-type": route.contentType ?? "application/octet-stream",
        });
        res.end(req.method === "HEAD" ? undefined : route.body);
      };
      if (route.delayMs === undefined) answer();
      else setTimeout(answer, route.delayMs);
    });
    server.on("connection", (s) => {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-bad-"));
    registriesD = path.join(dir, "registries.d");
    fs.mkdirSync(registriesD);
    fs.writeFileSync(
      path.join(registriesD, "a.yaml"),
      `docker:\n  ${host}:\n    use-sigstore-attachments: true\n`,
    );
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  async function verify(
    images: string[],
    policyText = keyPolicy(),
    extra: Record<string, unknown> = {},
  ): Promise<ImageVerdict[]> {
    const verifier = new Verifier(policyText, {
      registriesD,
      insecureRegistries: [host],
      timeoutMs: 1500,
      builtinLookaside: "file:///nonexistent/sigstore",
      ...extra,
    });
    try {
      return await verifier.verifyAll(images);
    } finally {
      verifier.close();
    }
  }

  it("refuses malformed references as unusable input", async () => {
    const verdicts = await verify([
      "",
      "UPPER/x",
      "a/b:c@sha256:123",
      `a/b:c@sha256:${"0".repeat(64)}`,
      "a/b@md5:00",
      "::",
    ]);
    for (const v of verdicts) {
      expect(v).toMatchObject({ admitted: false, inputError: true });
      expect(v.error).toMatch(/./);
    }
    expect(verdicts[3]?.error).toBe(
      "Docker references with both a tag and digest are currently not supported",
    );
  });

  it("refuses a malformed policy with containers/image's message", async () => {
    expect(() => new Verifier('{"default":[{"type":"sigstoreSigned"}]}')).toThrow(PolicyInputError);
    await expect(verifyImage("quay.io/a/b:c", "{not json")).rejects.toThrow(
      /invalid policy in "policy.json"/,
    );
  });

  it("rejects with the reason when the registry is unreachable", async () => {
    const started = Date.now();
    const [v] = await verify(
      ["127.0.0.1:1/a/b:c"],
      JSON.stringify({ default: [{ type: "insecureAcceptAnything" }] }),
      {
        insecureRegistries: ["127.0.0.1:1"],
      },
    );
    expect(v?.admitted).toBe(false);
    expect(v?.error).toMatch(/cannot reach|ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("rejects garbage, huge and hanging manifests within the time limit", async () => {
    routes.set("/v2/garbage/manifests/v1", {
      contentType: OCI_MANIFEST,
      body: Buffer.from("\x00\x01garbage"),
    });
    routes.set("/v2/notjson/manifests/v1", {
      contentType: "text/html",
      body: Buffer.from("<html>hi</html>"),
    });
    routes.set("/v2/huge/manifests/v1", { contentType: OCI_MANIFEST, endless: 64 * 1024 * 1024 });
    routes.set("/v2/hang/manifests/v1", { hang: true });
    routes.set("/v2/error/manifests/v1", { status: 500, body: Buffer.from("oops") });
    const started = Date.now();
    const verdicts = await verify(
      ["garbage", "notjson", "huge", "hang", "error"].map((r) => `${host}/${r}:v1`),
    );
    expect(Date.now() - started).toBeLessThan(15_000);
    const errors = verdicts.map((v) => (v.admitted ? "ADMITTED" : (v.error ?? "")));
    expect(errors[0]).toMatch(/not valid JSON|invalid/i);
    expect(errors[1]).toMatch(/unsupported manifest media type|not valid JSON/);
    expect(errors[2]).toMatch(/more than the limit/);
    expect(errors[3]).toMatch(/no response .* within the time limit/);
    expect(errors[4]).toMatch(/HTTP 500/);
  });

  it("rejects bad signature attachments with a reason", async () => {
    const payloadFor = (repo: string, digest: string): Buffer => cosignPayload(`${host}/${repo}`, digest);
    // A .sig manifest of the wrong media type: containers/image's hard error.
    image("docker-sig", {
      contentType: DOCKER_MANIFEST,
      body: manifestBytes({ layers: [], mediaType: DOCKER_MANIFEST }),
    });
    image("garbage-sig", { contentType: OCI_MANIFEST, body: Buffer.from("{garbage") });
    image("error-sig", { status: 500, body: Buffer.from("boom") });
    // A layer whose blob is endless: the 4 MiB limit stops it.
    const hugeDigest = `sha256:${"9".repeat(64)}`;
    routes.set(`/v2/huge-sig/blobs/${hugeDigest}`, { endless: 512 * 1024 * 1024 });
    image(
      "huge-sig",
      sigManifest([
        { mediaType: "application/vnd.dev.cosign.simplesigning.v1+json", digest: hugeDigest, size: 10 },
      ]),
    );
    // A layer whose blob does not match its digest.
    const d1 = image("mismatch-sig");
    const payload1 = payloadFor("mismatch-sig", d1);
    routes.set(`/v2/mismatch-sig/blobs/${sha256(payload1)}`, { body: Buffer.from("something else") });
    routes.set(
      `/v2/mismatch-sig/manifests/${d1.replace(":", "-")}.sig`,
      sigManifest([
        {
          mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
          digest: sha256(payload1),
          size: payload1.length,
          annotations: { "dev.cosignproject.cosign/signature": signPayload(key.privateKey, payload1) },
        },
      ]),
    );
    // Corrupt signatures: bad base64, no signature annotation, a payload that is not JSON.
    const d2 = image("corrupt-sig");
    const payload2 = payloadFor("corrupt-sig", d2);
    const notJson = Buffer.from("not json at all");
    routes.set(`/v2/corrupt-sig/blobs/${sha256(payload2)}`, { body: payload2 });
    routes.set(`/v2/corrupt-sig/blobs/${sha256(notJson)}`, { body: notJson });
    const layer = (body: Buffer, annotations: Record<string, string>): unknown => ({
      mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
      digest: sha256(body),
      size: body.length,
      annotations,
    });
    routes.set(
      `/v2/corrupt-sig/manifests/${d2.replace(":", "-")}.sig`,
      sigManifest([
        layer(payload2, { "dev.cosignproject.cosign/signature": "!!!" }),
        layer(payload2, {}),
        layer(notJson, { "dev.cosignproject.cosign/signature": signPayload(key.privateKey, notJson) }),
      ]),
    );
    const started = Date.now();
    const verdicts = await verify(
      ["docker-sig", "garbage-sig", "error-sig", "huge-sig", "mismatch-sig", "corrupt-sig"].map(
        (r) => `${host}/${r}:v1`,
      ),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    const errors = verdicts.map((v) => (v.admitted ? "ADMITTED" : (v.error ?? "")));
    expect(errors[0]).toMatch(/unexpected MIME type for sigstore attachment manifest/);
    expect(errors[1]).toMatch(/reading sigstore attachment manifest .*(JSON|invalid)/);
    expect(errors[2]).toMatch(/reading sigstore attachment manifest .*HTTP 500/);
    expect(errors[3]).toMatch(/more than the limit of 4194304 bytes/);
    expect(errors[4]).toMatch(/digest/);
    expect(errors[5]).toMatch(
      /^None of the signatures were accepted, reasons: base64 decoding: .*; missing dev.cosignproject.cosign\/signature annotation; invalid character/,
    );
  });

  it("keeps to a memory budget of signatures per image, whatever the manifests declare", async () => {
    // 256 layers of 4 MiB (1 GiB for one image): refused by the declared sizes, before any blob.
    const bigDigest = `sha256:${"8".repeat(64)}`;
    let blobRequests = 0;
    routes.set(`/v2/gigabyte-sig/blobs/${bigDigest}`, { endless: 4 * 1024 * 1024 });
    const counter = (req: http.IncomingMessage): void => {
      if ((req.url ?? "").includes("/gigabyte-sig/blobs/")) blobRequests++;
    };
    server.prependListener("request", counter);
    image(
      "gigabyte-sig",
      sigManifest(
        Array.from({ length: 256 }, () => ({
          mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
          digest: bigDigest,
          size: 4 * 1024 * 1024,
        })),
      ),
    );
    // Layers that declare 10 bytes each but are 4 MiB: the bytes actually read count.
    const blobs = Array.from({ length: 6 }, (_, i) => Buffer.alloc(4 * 1024 * 1024 - 16, i + 1));
    for (const blob of blobs) routes.set(`/v2/lying-sig/blobs/${sha256(blob)}`, { body: blob });
    image(
      "lying-sig",
      sigManifest(
        blobs.map((blob) => ({
          mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
          digest: sha256(blob),
          size: 10,
        })),
      ),
    );
    const verdicts = await verify([`${host}/gigabyte-sig:v1`, `${host}/lying-sig:v1`]);
    server.removeListener("request", counter);
    expect(verdicts.map((v) => (v.admitted ? "ADMITTED" : (v.error ?? "")))).toEqual([
      expect.stringMatching(
        /declares 1073741824 bytes of signatures, more than the 16777216 this verifier reads for one image/,
      ),
      expect.stringMatching(/layer 5: more than 16777216 bytes of signatures for one image/),
    ]);
    expect(blobRequests).toBe(0);
  });

  it("keeps to a memory budget shared by the images in flight: they wait, and all finish", async () => {
    // Eight images whose layers declare 10 bytes but are 4 MiB: each reads 16 MiB before its own
    // budget stops it. With 24 MiB shared, at most six 4 MiB reservations exist at once (the blobs
    // are answered after 50 ms, so that reads overlap).
    const blobs = Array.from({ length: 5 }, (_, i) => Buffer.alloc(4 * 1024 * 1024 - 16, i + 11));
    const repos = Array.from({ length: 8 }, (_, i) => `shared-${i}`);
    for (const repo of repos) {
      for (const blob of blobs) routes.set(`/v2/${repo}/blobs/${sha256(blob)}`, { body: blob, delayMs: 50 });
      image(
        repo,
        sigManifest(
          blobs.map((blob) => ({
            mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
            digest: sha256(blob),
            size: 10,
          })),
        ),
      );
    }
    let reading = 0;
    let mostReading = 0;
    const counter = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      if (!/^\/v2\/shared-\d\/blobs\//.test(req.url ?? "")) return;
      mostReading = Math.max(mostReading, ++reading);
      res.on("close", () => reading--);
    };
    server.prependListener("request", counter);
    const verdicts = await verify(
      repos.map((repo) => `${host}/${repo}:v1`),
      keyPolicy(),
      { concurrency: 8, signatureMemoryBytes: 24 * 1024 * 1024 },
    );
    server.removeListener("request", counter);
    expect(verdicts.map((v) => (v.admitted ? "ADMITTED" : (v.error ?? "")))).toEqual(
      repos.map(() => expect.stringMatching(/layer 5: more than 16777216 bytes of signatures for one image/)),
    );
    expect(mostReading).toBeGreaterThan(1);
    expect(mostReading).toBeLessThanOrEqual(6);

    // One image that needs more than the whole shared budget fails, with the reason.
    const [alone] = await verify([`${host}/shared-0:v1`], keyPolicy(), {
      signatureMemoryBytes: 8 * 1024 * 1024,
    });
    expect(alone?.error).toMatch(
      /layer 3: more than 8388608 bytes of signatures for one image, all the memory this verifier gives the signatures of every image at once/,
    );
  });

  it("reports unusable registries.d and registries.conf as input errors", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-bad-conf-"));
    fs.writeFileSync(path.join(dir, "a.yaml"), "docker: [unclosed\n");
    fs.writeFileSync(path.join(dir, "registries.conf"), '[[registry]]\nlocation = "https://bad"\n');
    const [d] = await verify([`${host}/x:v1`], keyPolicy(), { registriesD: dir });
    expect(d).toMatchObject({ admitted: false, inputError: true });
    const [c] = await verify([`${host}/x:v1`], keyPolicy(), {
      registriesConf: path.join(dir, "registries.conf"),
    });
    expect(c).toMatchObject({ admitted: false, inputError: true });
    expect(c?.error).toMatch(/URI schemes are not supported/);
  });
});
