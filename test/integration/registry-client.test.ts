// pkg/registry against a real registry: distribution 2.8 (Debian's docker-registry) started on
// loopback by test/harness/registry.ts, filled through the distribution API by
// test/harness/oci-images.ts. Needs nothing from the Kubernetes control plane of the global setup.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import {
  RegistryClient,
  type RegistryClientOptions,
  type RepositoryName,
} from "../../pkg/registry/client.ts";
import { RegistryError, isManifestUnknown } from "../../pkg/registry/errors.ts";
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_INDEX,
  OCI_LAYER_GZIP,
  OCI_MANIFEST,
} from "../../pkg/registry/media-types.ts";
import { pushImage, pushIndex, type PushedImage, type PushedIndex } from "../harness/oci-images.ts";
import { startRegistry, type RunningRegistry } from "../harness/registry.ts";

const START_TIMEOUT_MS = 180_000; // the first run on a machine downloads docker-registry from Debian

const sha256 = (data: Uint8Array): string => `sha256:${createHash("sha256").update(data).digest("hex")}`;

/** Deterministic bytes that gzip cannot shrink (SHA-256 in counter mode). */
function pseudoRandomBytes(length: number): Uint8Array {
  const blocks: Buffer[] = [];
  for (let i = 0; i * 32 < length; i++) blocks.push(createHash("sha256").update(`block ${i}`).digest());
  return new Uint8Array(Buffer.concat(blocks).subarray(0, length));
}

async function failure(promise: Promise<unknown>): Promise<RegistryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof RegistryError)) throw new Error(`expected a RegistryError, got ${String(error)}`);
  return error;
}

describe("registry client against docker-registry (anonymous, plain HTTP)", () => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  let repo: RepositoryName;
  let amd64: PushedImage;
  let arm64: PushedImage;
  let armV7: PushedImage;
  let dockerImage: PushedImage;
  let ociIndex: PushedIndex;
  let dockerList: PushedIndex;

  beforeAll(async () => {
    registry = await startRegistry();
    repo = { registry: registry.host, repository: "demo/app" };
    client = new RegistryClient({
      insecureRegistries: [registry.host],
      credentials: false,
      requestTimeoutMs: 10_000,
    });
    const linux = (architecture: string, variant?: string) => ({
      os: "linux",
      architecture,
      ...(variant ? { variant } : {}),
    });
    amd64 = await pushImage(registry, "demo/app", "v1-amd64", {
      platform: linux("amd64"),
      layers: ["a", "b"],
    });
    arm64 = await pushImage(registry, "demo/app", "v1-arm64", { platform: linux("arm64", "v8") });
    armV7 = await pushImage(registry, "demo/app", "v1-armv7", { platform: linux("arm", "v7") });
    dockerImage = await pushImage(registry, "demo/app", "docker", { format: "docker", seed: "docker" });
    ociIndex = await pushIndex(registry, "demo/app", "v1", [amd64, arm64, armV7]);
    dockerList = await pushIndex(
      registry,
      "demo/app",
      "v1-list",
      [{ ...dockerImage, platform: { os: "linux", architecture: "amd64" } }, arm64],
      { format: "docker" },
    );
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    client?.close();
    await registry?.stop();
  });

  it("fetches an OCI manifest by tag and by digest, with the digest the registry stored", async () => {
    const byTag = await client.getManifest(repo, "v1-amd64");
    expect(byTag.digest).toBe(amd64.digest);
    expect(byTag.mediaType).toBe(OCI_MANIFEST);
    expect(Buffer.from(byTag.bytes).equals(Buffer.from(amd64.manifest))).toBe(true);
    expect(byTag.parsed).toMatchObject({
      kind: "manifest",
      config: { digest: amd64.config.digest, size: amd64.config.size },
      layers: amd64.layers.map((l) => ({ mediaType: OCI_LAYER_GZIP, digest: l.digest, size: l.size })),
    });
    const byDigest = await client.getManifest(repo, amd64.digest);
    expect(byDigest.digest).toBe(amd64.digest);
    expect(Buffer.from(byDigest.bytes).equals(Buffer.from(byTag.bytes))).toBe(true);
  });

  it("fetches a Docker schema 2 manifest and a HEAD of it", async () => {
    const fetched = await client.getManifest(repo, "docker");
    expect(fetched.mediaType).toBe(DOCKER_MANIFEST);
    expect(fetched.digest).toBe(dockerImage.digest);
    expect(await client.headManifest(repo, "docker")).toEqual({
      mediaType: DOCKER_MANIFEST,
      digest: dockerImage.digest,
      size: dockerImage.size,
    });
  });

  it("resolves an OCI index to the instance for a platform", async () => {
    const index = await client.getManifest(repo, "v1");
    expect(index.mediaType).toBe(OCI_INDEX);
    expect(index.digest).toBe(ociIndex.digest);
    expect(index.parsed.kind === "index" && index.parsed.manifests.map((m) => m.digest)).toEqual([
      amd64.digest,
      arm64.digest,
      armV7.digest,
    ]);
    const image = { ...repo, reference: "v1" };
    const resolved = await client.resolveImage(image, { os: "linux", architecture: "arm64" });
    expect(resolved.index?.digest).toBe(ociIndex.digest);
    expect(resolved.manifest.digest).toBe(arm64.digest);
    expect((await client.resolveImage(image, { architecture: "amd64", os: "linux" })).manifest.digest).toBe(
      amd64.digest,
    );
    expect(
      (await client.resolveImage(image, { architecture: "arm", variant: "v7", os: "linux" })).manifest.digest,
    ).toBe(armV7.digest);
    // arm/v6 cannot run a v7 image: nothing matches.
    const none = await failure(
      client.resolveImage(image, { architecture: "arm", variant: "v6", os: "linux" }),
    );
    expect(none.message).toContain(
      'no image found in image index for architecture "arm", variant "v6", OS "linux"',
    );
    // A single-platform reference resolves to itself.
    const single = await client.resolveImage({ ...repo, reference: "v1-armv7" });
    expect(single.index).toBeUndefined();
    expect(single.manifest.digest).toBe(armV7.digest);
  });

  it("resolves a Docker manifest list", async () => {
    const image = { ...repo, reference: "v1-list" };
    const resolved = await client.resolveImage(image, { os: "linux", architecture: "amd64" });
    expect(resolved.index?.mediaType).toBe(DOCKER_MANIFEST_LIST);
    expect(resolved.index?.digest).toBe(dockerList.digest);
    expect(resolved.manifest.digest).toBe(dockerImage.digest);
    expect(resolved.manifest.mediaType).toBe(DOCKER_MANIFEST);
  });

  it("fetches blobs with their digest checked, and the harness's images are what they claim", async () => {
    const configBytes = await client.getBlob(repo, amd64.config.digest, {
      maxBytes: 64 * 1024,
      expectedSize: amd64.config.size,
    });
    const config = JSON.parse(Buffer.from(configBytes).toString("utf8")) as {
      architecture: string;
      rootfs: { diff_ids: string[] };
    };
    expect(config.architecture).toBe("amd64");
    const diffIds: string[] = [];
    for (const layer of amd64.layers) {
      const gzipped = await client.getBlob(repo, layer.digest, {
        maxBytes: 64 * 1024,
        expectedSize: layer.size,
      });
      diffIds.push(sha256(gunzipSync(gzipped)));
    }
    expect(config.rootfs.diff_ids).toEqual(diffIds);
  });

  it("makes the same digests from the same inputs, and others from another seed", async () => {
    const again = await pushImage(registry, "demo/copy", "v1", {
      platform: { os: "linux", architecture: "amd64" },
      layers: ["a", "b"],
    });
    expect(again.digest).toBe(amd64.digest);
    const other = await pushImage(registry, "demo/copy", "v2", {
      platform: { os: "linux", architecture: "amd64" },
      layers: ["a", "b"],
      seed: "other",
    });
    expect(other.digest).not.toBe(amd64.digest);
    expect((await client.getManifest({ ...repo, repository: "demo/copy" }, "v1")).digest).toBe(amd64.digest);
  });

  it("lists every tag (distribution 2.8 ignores the page size; the client asks for it anyway)", async () => {
    const tags = await client.listTags(repo, { pageSize: 2 });
    expect([...tags].sort()).toEqual(["docker", "v1", "v1-amd64", "v1-arm64", "v1-armv7", "v1-list"]);
    expect(fs.readFileSync(registry.logFile, "utf8")).toContain("/v2/demo/app/tags/list?n=2");
  });

  it("reports an unknown tag, digest or repository as MANIFEST_UNKNOWN / NAME_UNKNOWN", async () => {
    const unknownTag = await failure(client.getManifest(repo, "no-such-tag"));
    expect(unknownTag).toMatchObject({ reason: "http-status", status: 404, registry: registry.host });
    expect(unknownTag.codes).toEqual(["MANIFEST_UNKNOWN"]);
    expect(isManifestUnknown(unknownTag)).toBe(true);

    const unknownDigest = await failure(client.getManifest(repo, `sha256:${"0".repeat(64)}`));
    expect(unknownDigest.codes).toEqual(["MANIFEST_UNKNOWN"]);

    const unknownRepository = await failure(client.listTags({ ...repo, repository: "no/such/repo" }));
    expect(unknownRepository.codes).toEqual(["NAME_UNKNOWN"]);

    const head = await failure(client.headManifest(repo, "no-such-tag"));
    expect(isManifestUnknown(head)).toBe(true);

    const blob = await failure(client.getBlob(repo, `sha256:${"0".repeat(64)}`, { maxBytes: 1024 }));
    expect(blob).toMatchObject({ reason: "http-status", status: 404 });
    expect(blob.codes).toEqual(["BLOB_UNKNOWN"]);
  });

  it("refuses an oversized blob from its Content-Length", async () => {
    const bigImage = await pushImage(registry, "demo/big", "v1", { layers: [pseudoRandomBytes(256 * 1024)] });
    const layer = bigImage.layers[0];
    if (layer === undefined) throw new Error("no layer");
    expect(layer.size).toBeGreaterThan(64 * 1024);
    const big = { ...repo, repository: "demo/big" };
    const error = await failure(client.getBlob(big, layer.digest, { maxBytes: 64 * 1024 }));
    expect(error.reason).toBe("size-limit");
    expect(error.message).toContain(`is ${layer.size} bytes, more than the limit of 65536 bytes`);
    // A descriptor size over the limit is refused without asking the registry at all.
    await expect(
      client.getBlob(big, layer.digest, { maxBytes: 1000, expectedSize: layer.size }),
    ).rejects.toMatchObject({ reason: "size-limit" });
    // Within the limit it arrives whole.
    const whole = await client.getBlob(big, layer.digest, { maxBytes: layer.size, expectedSize: layer.size });
    expect(whole.length).toBe(layer.size);
  });

  it("catches a registry serving content that does not match its digest (tampered storage)", async () => {
    const victim = await pushImage(registry, "demo/tampered", "v1", { seed: "tamper" });
    // Same size, different content, still valid JSON (the registry parses manifests before serving them).
    const tamper = (digest: string): void => {
      const hex = digest.slice("sha256:".length);
      const blobs = path.join(registry.dir, "data/docker/registry/v2/blobs/sha256");
      const file = path.join(blobs, hex.slice(0, 2), hex, "data");
      const text = fs.readFileSync(file, "latin1");
      const at = text.indexOf("sha256:") + "sha256:".length;
      const changed = text[at] === "0" ? "1" : "0";
      fs.writeFileSync(file, Buffer.from(text.slice(0, at) + changed + text.slice(at + 1), "latin1"));
    };
    const tampered = { ...repo, repository: "demo/tampered" };
    tamper(victim.config.digest); // the config's rootfs.diff_ids hold a digest to change
    const blob = await failure(client.getBlob(tampered, victim.config.digest, { maxBytes: 64 * 1024 }));
    expect(blob.reason).toBe("digest-mismatch");
    expect(blob.message).toContain(`blob ${registry.host}/demo/tampered@${victim.config.digest}`);

    tamper(victim.digest); // manifests are stored as blobs too
    const byDigest = await failure(client.getManifest(tampered, victim.digest));
    expect(byDigest.reason).toBe("digest-mismatch");
    const byTag = await failure(client.getManifest(tampered, "v1"));
    expect(byTag.reason).toBe("digest-mismatch");
    expect(byTag.message).toContain(`announced digest ${victim.digest}`);
  });
});

describe("registry client when the registry is not there", () => {
  it(
    "reports a registry that is down as unreachable, at once",
    async () => {
      const registry = await startRegistry();
      await registry.stop();
      const client = new RegistryClient({ insecureRegistries: [registry.host], credentials: false });
      try {
        const started = Date.now();
        const error = await failure(client.getManifest({ registry: registry.host, repository: "a/b" }, "v1"));
        expect(error.reason).toBe("unreachable");
        expect(error.message).toContain("ECONNREFUSED");
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        client.close();
      }
    },
    START_TIMEOUT_MS,
  );

  it("gives up within the time limit on a host that accepts connections but never answers", async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const host = `127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    const client = new RegistryClient({
      insecureRegistries: [host],
      credentials: false,
      requestTimeoutMs: 1000,
    });
    try {
      const started = Date.now();
      const error = await failure(client.getManifest({ registry: host, repository: "a/b" }, "v1"));
      expect(error.reason).toBe("timeout");
      expect(error.message).toBe(
        `${host}: no response from https://${host}/v2/ or http://${host}/v2/ within the time limit`,
      );
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      client.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("registry client with authentication", () => {
  let workDir: string;
  const users = { alice: "alice-secret" };

  beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-registry-auth-"));
  });
  afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

  const authFile = (name: string, entries: Record<string, [string, string]>): string => {
    const file = path.join(workDir, name);
    const auths = Object.fromEntries(
      Object.entries(entries).map(([key, [user, password]]) => [
        key,
        { auth: Buffer.from(`${user}:${password}`).toString("base64") },
      ]),
    );
    fs.writeFileSync(file, JSON.stringify({ auths }));
    return file;
  };

  it(
    "gets Bearer tokens from the registry's token server with auth.json credentials",
    async () => {
      const registry = await startRegistry({ auth: { type: "token", users } });
      const clients: RegistryClient[] = [];
      const newClient = (options: RegistryClientOptions): RegistryClient => {
        const created = new RegistryClient({ insecureRegistries: [registry.host], ...options });
        clients.push(created);
        return created;
      };
      try {
        const image = await pushImage(registry, "team/private", "v1", {
          credentials: { username: "alice", password: users.alice },
        });
        const repo = { registry: registry.host, repository: "team/private" };
        const pushes = registry.tokenServer?.requests.length ?? 0;

        // Credentials for the namespace, found the containers way (most specific key first).
        const file = authFile("token-auth.json", {
          [`${registry.host}/team`]: ["alice", users.alice],
          [registry.host]: ["alice", "wrong-password"],
        });
        const client = newClient({ credentials: { authFile: file } });
        expect((await client.getManifest(repo, "v1")).digest).toBe(image.digest);
        expect((await client.getBlob(repo, image.config.digest, { maxBytes: 65536 })).length).toBe(
          image.config.size,
        );
        expect(await client.listTags(repo)).toEqual(["v1"]);
        // One token for the repository's pull scope, reused for the manifest, the blob and the tags.
        expect(registry.tokenServer?.requests.slice(pushes)).toEqual([
          {
            username: "alice",
            service: "ipc-test-registry",
            scopes: ["repository:team/private:pull"],
            granted: ["repository:team/private:pull"],
          },
        ]);

        // Anonymous: the token server hands out a token without access; the registry refuses it.
        const anonymous = await failure(newClient({ credentials: false }).getManifest(repo, "v1"));
        expect(anonymous).toMatchObject({ reason: "unauthorized", status: 401 });
        expect(anonymous.codes).toEqual(["UNAUTHORIZED"]);
        expect(anonymous.message).toContain(`no credentials found for ${registry.host}/team/private`);

        // Wrong password (the host-wide entry): the token server refuses it.
        const wrong = await failure(
          newClient({ credentials: { authFile: file } }).getManifest(
            { ...repo, repository: "other/repo" },
            "v1",
          ),
        );
        expect(wrong).toMatchObject({ reason: "unauthorized", status: 401 });
        expect(wrong.message).toContain(`the credentials from ${file} were refused`);
      } finally {
        for (const c of clients) c.close();
        await registry.stop();
      }
    },
    START_TIMEOUT_MS,
  );

  it(
    "sends Basic credentials from the default auth file locations to an htpasswd registry",
    async () => {
      const registry = await startRegistry({ auth: { type: "htpasswd", users } });
      const home = path.join(workDir, "home");
      const runtimeDir = path.join(workDir, "run");
      fs.mkdirSync(path.join(runtimeDir, "containers"), { recursive: true });
      fs.mkdirSync(path.join(home, ".docker"), { recursive: true });
      const clients: RegistryClient[] = [];
      const newClient = (): RegistryClient => {
        const created = new RegistryClient({
          insecureRegistries: [registry.host],
          credentials: { env: { XDG_RUNTIME_DIR: runtimeDir }, homeDir: home },
        });
        clients.push(created);
        return created;
      };
      try {
        const image = await pushImage(registry, "team/basic", "v1", {
          credentials: { username: "alice", password: users.alice },
        });
        const repo = { registry: registry.host, repository: "team/basic" };

        // Only ~/.docker/config.json: used.
        const dockerConfig = authFile("docker-config.json", { [registry.host]: ["alice", users.alice] });
        fs.copyFileSync(dockerConfig, path.join(home, ".docker", "config.json"));
        expect((await newClient().getManifest(repo, "v1")).digest).toBe(image.digest);

        // ${XDG_RUNTIME_DIR}/containers/auth.json comes first: its wrong password wins, and is refused.
        const runtimeAuth = authFile("runtime-auth.json", { [registry.host]: ["alice", "stale"] });
        fs.copyFileSync(runtimeAuth, path.join(runtimeDir, "containers", "auth.json"));
        const refused = await failure(newClient().getManifest(repo, "v1"));
        expect(refused).toMatchObject({ reason: "unauthorized", status: 401 });
        expect(refused.message).toContain(path.join(runtimeDir, "containers", "auth.json"));
      } finally {
        for (const c of clients) c.close();
        await registry.stop();
      }
    },
    START_TIMEOUT_MS,
  );
});

describe("registry client over HTTPS", () => {
  let registry: RunningRegistry;
  let image: PushedImage;
  const clients: RegistryClient[] = [];

  beforeAll(async () => {
    registry = await startRegistry({ tls: true });
    image = await pushImage(registry, "secure/app", "v1");
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    for (const c of clients) c.close();
    await registry?.stop();
  });

  const newClient = (options: RegistryClientOptions): RegistryClient => {
    const created = new RegistryClient({ credentials: false, ...options });
    clients.push(created);
    return created;
  };

  it("trusts the registry's CA from a containers-certs.d directory", async () => {
    const client = newClient({ certsDirectories: [registry.certsDirectory ?? ""] });
    const fetched = await client.getManifest({ registry: registry.host, repository: "secure/app" }, "v1");
    expect(fetched.digest).toBe(image.digest);
  });

  it("refuses the registry's certificate without its CA, and says where to put it", async () => {
    const error = await failure(
      newClient({ certsDirectories: [] }).getManifest(
        { registry: registry.host, repository: "secure/app" },
        "v1",
      ),
    );
    expect(error.reason).toBe("unreachable");
    expect(error.message).toContain(`/etc/containers/certs.d/${registry.host}/ca.crt`);
  });

  it("talks HTTPS without verification to a registry marked insecure", async () => {
    const client = newClient({ certsDirectories: [], insecureRegistries: [registry.host] });
    const fetched = await client.getManifest({ registry: registry.host, repository: "secure/app" }, "v1");
    expect(fetched.digest).toBe(image.digest);
  });
});
