// The client's HTTP behaviour against small node:http(s) servers on loopback: digest and size checks,
// error bodies, pagination, authentication flows, redirects, timeouts, TLS. The real registry is
// exercised in test/integration/registry-client.test.ts.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selfSignedCertificate } from "../../test/harness/registry.ts";
import { RegistryClient, type RegistryClientOptions } from "./client.ts";
import { RegistryError, isManifestUnknown } from "./errors.ts";
import { DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST, SUPPORTED_MANIFEST_TYPES } from "./media-types.ts";

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  accept: string | undefined;
}

interface TestServer {
  host: string;
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

const servers: TestServer[] = [];
const clients: RegistryClient[] = [];

async function serve(handler: Handler, tls?: { cert: string; key: string }): Promise<TestServer> {
  const requests: RecordedRequest[] = [];
  const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = new URL(req.url ?? "/", "http://test.invalid");
    requests.push({
      method: req.method ?? "",
      path: `${url.pathname}${url.search}`,
      authorization: req.headers.authorization,
      accept: req.headers.accept,
    });
    handler(req, res, url);
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const host = `127.0.0.1:${port}`;
  const handle: TestServer = {
    host,
    url: `${tls ? "https" : "http"}://${host}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  servers.push(handle);
  return handle;
}

function client(server: TestServer, options: RegistryClientOptions = {}): RegistryClient {
  const created = new RegistryClient({
    insecureRegistries: [server.host],
    credentials: false,
    requestTimeoutMs: 5000,
    ...options,
  });
  clients.push(created);
  return created;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const sha256 = (data: Uint8Array | string): string =>
  `sha256:${createHash("sha256").update(data).digest("hex")}`;
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));
const errorBody = (code: string, message: string): Buffer =>
  json({ errors: [{ code, message, detail: {} }] });

const CONFIG = json({ architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } });
const MANIFEST = json({
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: {
    mediaType: "application/vnd.oci.image.config.v1+json",
    digest: sha256(CONFIG),
    size: CONFIG.length,
  },
  layers: [],
});
const MANIFEST_DIGEST = sha256(MANIFEST);
const repo = (server: TestServer, repository = "team/app") => ({ registry: server.host, repository });

/** A registry with one manifest (tag v1) and its config blob, and a hook to change answers. */
function registryHandler(
  overrides: { manifest?: Handler; blob?: Handler; ping?: Handler; tags?: Handler } = {},
): Handler {
  return (req, res, url) => {
    if (url.pathname === "/v2/") {
      if (overrides.ping) return overrides.ping(req, res, url);
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
      return;
    }
    if (/\/manifests\//.test(url.pathname)) {
      if (overrides.manifest) return overrides.manifest(req, res, url);
      const reference = url.pathname.split("/").pop();
      if (reference === "v1" || reference === MANIFEST_DIGEST) {
        res.writeHead(200, {
          "content-type": OCI_MANIFEST,
          "docker-content-digest": MANIFEST_DIGEST,
          "content-length": MANIFEST.length,
        });
        res.end(req.method === "HEAD" ? undefined : MANIFEST);
        return;
      }
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(errorBody("MANIFEST_UNKNOWN", "manifest unknown"));
      return;
    }
    if (/\/blobs\//.test(url.pathname)) {
      if (overrides.blob) return overrides.blob(req, res, url);
      if (url.pathname.endsWith(sha256(CONFIG))) {
        res.writeHead(200, { "content-length": CONFIG.length }).end(CONFIG);
        return;
      }
      res.writeHead(404).end(errorBody("BLOB_UNKNOWN", "blob unknown to registry"));
      return;
    }
    if (url.pathname.endsWith("/tags/list") && overrides.tags) return overrides.tags(req, res, url);
    res.writeHead(404).end(errorBody("NAME_UNKNOWN", "repository name not known to registry"));
  };
}

describe("manifests", () => {
  it("fetches by tag with every supported type in Accept, and returns sha256 of the bytes", async () => {
    const server = await serve(registryHandler());
    const fetched = await client(server).getManifest(repo(server), "v1");
    expect(fetched.digest).toBe(MANIFEST_DIGEST);
    expect(fetched.mediaType).toBe(OCI_MANIFEST);
    expect(Buffer.from(fetched.bytes).equals(MANIFEST)).toBe(true);
    expect(fetched.parsed.kind).toBe("manifest");
    const request = server.requests.find((r) => r.path === "/v2/team/app/manifests/v1");
    expect(request?.accept?.split(", ")).toEqual([...SUPPORTED_MANIFEST_TYPES]);
  });

  it("fetches by digest and verifies the bytes against it", async () => {
    const server = await serve(registryHandler());
    const fetched = await client(server).getManifest(repo(server), MANIFEST_DIGEST);
    expect(fetched.digest).toBe(MANIFEST_DIGEST);

    const lying = await serve(
      registryHandler({
        manifest: (_req, res) => res.writeHead(200, { "content-type": OCI_MANIFEST }).end(MANIFEST),
      }),
    );
    const wanted = `sha256:${"0".repeat(64)}`;
    const error = await client(lying)
      .getManifest(repo(lying), wanted)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ reason: "digest-mismatch" });
    expect((error as Error).message).toContain(MANIFEST_DIGEST);
  });

  it("checks Docker-Content-Digest when fetching by tag", async () => {
    const server = await serve(
      registryHandler({
        manifest: (_req, res) =>
          res
            .writeHead(200, {
              "content-type": OCI_MANIFEST,
              "docker-content-digest": `sha256:${"1".repeat(64)}`,
            })
            .end(MANIFEST),
      }),
    );
    await expect(client(server).getManifest(repo(server), "v1")).rejects.toMatchObject({
      reason: "digest-mismatch",
    });
  });

  it("reports MANIFEST_UNKNOWN with the status and the registry's codes", async () => {
    const server = await serve(registryHandler());
    const error = await client(server)
      .getManifest(repo(server), "nope")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect(error).toMatchObject({ reason: "http-status", status: 404 });
    expect((error as RegistryError).codes).toEqual(["MANIFEST_UNKNOWN"]);
    expect((error as Error).message).toBe(
      `manifest ${server.host}/team/app:nope: HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)`,
    );
    expect(isManifestUnknown(error)).toBe(true);
  });

  it("guesses the type from the body when the Content-Type is generic", async () => {
    const server = await serve(
      registryHandler({
        manifest: (_req, res) => res.writeHead(200, { "content-type": "text/plain" }).end(MANIFEST),
      }),
    );
    expect((await client(server).getManifest(repo(server), "v1")).mediaType).toBe(OCI_MANIFEST);
  });

  it("refuses a manifest whose body contradicts its Content-Type, or is garbage", async () => {
    const server = await serve(
      registryHandler({
        manifest: (_req, res, url) =>
          url.pathname.endsWith("/garbage")
            ? res.writeHead(200, { "content-type": OCI_MANIFEST }).end("<html>oops</html>")
            : res.writeHead(200, { "content-type": OCI_INDEX }).end(MANIFEST),
      }),
    );
    const c = client(server);
    await expect(c.getManifest(repo(server), "v1")).rejects.toMatchObject({ reason: "bad-response" });
    await expect(c.getManifest(repo(server), "v1")).rejects.toThrow(/declares mediaType/);
    await expect(c.getManifest(repo(server), "garbage")).rejects.toThrow(/not valid JSON/);
  });

  it("refuses manifests larger than the limit", async () => {
    const big = Buffer.alloc(2048, " ");
    const server = await serve(
      registryHandler({
        manifest: (_req, res) => res.writeHead(200, { "content-type": OCI_MANIFEST }).end(big),
      }),
    );
    await expect(
      client(server, { maxManifestBytes: 1024 }).getManifest(repo(server), "v1"),
    ).rejects.toMatchObject({
      reason: "size-limit",
    });
  });

  it("HEADs a manifest for its digest, type and size", async () => {
    const server = await serve(registryHandler());
    const c = client(server);
    expect(await c.headManifest(repo(server), "v1")).toEqual({
      mediaType: OCI_MANIFEST,
      digest: MANIFEST_DIGEST,
      size: MANIFEST.length,
    });
    const error = await c.headManifest(repo(server), "missing").catch((e: unknown) => e);
    expect(isManifestUnknown(error)).toBe(true);
  });

  it("refuses invalid names before any request", async () => {
    const server = await serve(registryHandler());
    const c = client(server);
    await expect(c.getManifest({ registry: server.host, repository: "Team/App" }, "v1")).rejects.toThrow(
      TypeError,
    );
    await expect(c.getManifest(repo(server), "../../etc")).rejects.toThrow(/invalid tag or digest/);
    await expect(c.getManifest({ registry: "bad host", repository: "a" }, "v1")).rejects.toThrow(
      /invalid registry/,
    );
    expect(server.requests).toEqual([]);
  });
});

describe("blobs", () => {
  it("fetches a blob and verifies its digest", async () => {
    const server = await serve(registryHandler());
    const bytes = await client(server).getBlob(repo(server), sha256(CONFIG), { maxBytes: 1024 });
    expect(Buffer.from(bytes).equals(CONFIG)).toBe(true);
  });

  it("refuses a blob whose content does not match its digest", async () => {
    const server = await serve(registryHandler({ blob: (_req, res) => res.writeHead(200).end("tampered") }));
    await expect(
      client(server).getBlob(repo(server), sha256(CONFIG), { maxBytes: 1024 }),
    ).rejects.toMatchObject({ reason: "digest-mismatch" });
  });

  it("refuses before reading when Content-Length is over the limit", async () => {
    let written = 0;
    const server = await serve(
      registryHandler({
        blob: (_req, res) => {
          res.writeHead(200, { "content-length": 10 * 1024 * 1024 });
          const chunk = Buffer.alloc(64 * 1024);
          const pump = (): void => {
            while (written < 10 * 1024 * 1024 && !res.destroyed) {
              written += chunk.length;
              if (!res.write(chunk)) return void res.once("drain", pump);
            }
            res.end();
          };
          pump();
        },
      }),
    );
    const error = await client(server)
      .getBlob(repo(server), sha256(CONFIG), { maxBytes: 1000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "size-limit" });
    expect((error as Error).message).toContain("is 10485760 bytes, more than the limit of 1000 bytes");
  });

  it("aborts while streaming when a body without Content-Length grows past the limit", async () => {
    let stopped = false;
    const server = await serve(
      registryHandler({
        blob: (_req, res) => {
          res.writeHead(200); // chunked, no length: endless
          const timer = setInterval(() => {
            if (res.destroyed) {
              stopped = true;
              clearInterval(timer);
              return;
            }
            res.write(Buffer.alloc(16 * 1024, 1));
          }, 1);
        },
      }),
    );
    const started = Date.now();
    await expect(
      client(server).getBlob(repo(server), sha256(CONFIG), { maxBytes: 100 * 1024 }),
    ).rejects.toMatchObject({ reason: "size-limit" });
    expect(Date.now() - started).toBeLessThan(3000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(stopped).toBe(true); // the connection was cut, not drained
  });

  it("holds a blob to the size its descriptor announces", async () => {
    const server = await serve(registryHandler());
    const c = client(server);
    await expect(
      c.getBlob(repo(server), sha256(CONFIG), { maxBytes: 1024, expectedSize: CONFIG.length - 1 }),
    ).rejects.toMatchObject({ reason: "size-limit" });
    await expect(
      c.getBlob(repo(server), sha256(CONFIG), { maxBytes: 1024, expectedSize: CONFIG.length + 1 }),
    ).rejects.toThrow(/sent \d+ bytes, expected/);
    await expect(c.getBlob(repo(server), sha256(CONFIG), { maxBytes: 10, expectedSize: 20 })).rejects.toThrow(
      /is 20 bytes, more than the limit of 10 bytes/,
    );
    expect(server.requests.filter((r) => r.path.includes("/blobs/"))).toHaveLength(2);
  });

  it("follows a redirect to storage without sending the registry's credentials there", async () => {
    const storage = await serve((_req, res) => res.writeHead(200).end(CONFIG));
    const server = await serve(
      registryHandler({
        ping: (_req, res) => res.writeHead(401, { "www-authenticate": 'Basic realm="r"' }).end(),
        blob: (_req, res) => res.writeHead(307, { location: `${storage.url}/bucket/blob?sig=abc` }).end(),
      }),
    );
    const c = client(server, { staticCredentials: { [server.host]: { username: "u", password: "p" } } });
    const bytes = await c.getBlob(repo(server), sha256(CONFIG), { maxBytes: 1024 });
    expect(Buffer.from(bytes).equals(CONFIG)).toBe(true);
    expect(server.requests.find((r) => r.path.includes("/blobs/"))?.authorization).toMatch(/^Basic /);
    expect(storage.requests).toEqual([
      { method: "GET", path: "/bucket/blob?sig=abc", authorization: undefined, accept: undefined },
    ]);
  });
});

describe("tags", () => {
  const allTags = ["a", "b", "c", "d", "e"];
  const paginated =
    (absolute: boolean): Handler =>
    (_req, res, url) => {
      const n = Number(url.searchParams.get("n") ?? allTags.length);
      const last = url.searchParams.get("last");
      const start = last === null ? 0 : allTags.indexOf(last) + 1;
      const page = allTags.slice(start, start + n);
      const headers: Record<string, string> = { "content-type": "application/json" };
      if (start + n < allTags.length) {
        const next = `/v2/team/app/tags/list?n=${n}&last=${page[page.length - 1]}`;
        headers.link = `<${absolute ? `http://${_req.headers.host}${next}` : next}>; rel="next"`;
      }
      res.writeHead(200, headers).end(json({ name: "team/app", tags: page }));
    };

  it("follows relative and absolute Link headers page by page", async () => {
    for (const absolute of [false, true]) {
      const server = await serve(registryHandler({ tags: paginated(absolute) }));
      expect(await client(server).listTags(repo(server), { pageSize: 2 })).toEqual(allTags);
      expect(server.requests.filter((r) => r.path.includes("/tags/")).map((r) => r.path)).toEqual([
        "/v2/team/app/tags/list?n=2",
        "/v2/team/app/tags/list?n=2&last=b",
        "/v2/team/app/tags/list?n=2&last=d",
      ]);
    }
  });

  it("reads an empty repository's null tags as none, and stops a looping Link", async () => {
    const empty = await serve(
      registryHandler({
        tags: (_req, res) => res.writeHead(200).end(json({ name: "team/app", tags: null })),
      }),
    );
    expect(await client(empty).listTags(repo(empty))).toEqual([]);
    const looping = await serve(
      registryHandler({
        tags: (_req, res) =>
          res
            .writeHead(200, { link: '</v2/team/app/tags/list?n=1>; rel="next"' })
            .end(json({ name: "team/app", tags: ["x"] })),
      }),
    );
    await expect(client(looping).listTags(repo(looping), { pageSize: 1 })).rejects.toThrow(
      /next page link loops/,
    );
  });
});

describe("authentication", () => {
  function tokenServer(users: Record<string, string>): Handler {
    return (req, res, url) => {
      const authorization = req.headers.authorization;
      if (authorization !== undefined) {
        const [user, password] = Buffer.from(authorization.replace(/^Basic /, ""), "base64")
          .toString()
          .split(":");
        if (user === undefined || users[user] !== password) {
          res.writeHead(401).end(errorBody("UNAUTHORIZED", "bad credentials"));
          return;
        }
      }
      const scope = url.searchParams.getAll("scope").join(" ");
      const who = authorization === undefined ? "anonymous" : "user";
      res.writeHead(200).end(json({ token: `${who}|${scope}`, expires_in: 300 }));
    };
  }

  function bearerRegistry(realm: string, requireUser: boolean): Handler {
    const challenge = `Bearer realm="${realm}",service="test-registry"`;
    return registryHandler({
      ping: (_req, res) => res.writeHead(401, { "www-authenticate": challenge }).end(),
      manifest: (req, res) => {
        const token = req.headers.authorization?.replace(/^Bearer /, "") ?? "";
        const allowed =
          token.includes("repository:team/app:pull") && (!requireUser || token.startsWith("user|"));
        if (!allowed) {
          res
            .writeHead(401, { "www-authenticate": `${challenge},scope="repository:team/app:pull"` })
            .end(errorBody("UNAUTHORIZED", "authentication required"));
          return;
        }
        res.writeHead(200, { "content-type": OCI_MANIFEST }).end(MANIFEST);
      },
    });
  }

  it("gets a Bearer token with the credentials and the repository scope, and reuses it", async () => {
    const auth = await serve(tokenServer({ alice: "s3cret" }));
    const server = await serve(bearerRegistry(`${auth.url}/token`, true));
    const c = client(server, {
      staticCredentials: { [server.host]: { username: "alice", password: "s3cret" } },
    });
    await c.getManifest(repo(server), "v1");
    await c.getManifest(repo(server), MANIFEST_DIGEST);
    expect(auth.requests).toHaveLength(1);
    expect(auth.requests[0]?.path).toBe(
      "/token?account=alice&service=test-registry&scope=repository%3Ateam%2Fapp%3Apull",
    );
    expect(auth.requests[0]?.authorization).toBe(`Basic ${Buffer.from("alice:s3cret").toString("base64")}`);
    const manifestRequests = server.requests.filter((r) => r.path.includes("/manifests/"));
    expect(manifestRequests.map((r) => r.authorization)).toEqual([
      "Bearer user|repository:team/app:pull",
      "Bearer user|repository:team/app:pull",
    ]);
  });

  it("reads the credentials from an auth file for the repository", async () => {
    const auth = await serve(tokenServer({ bob: "pw" }));
    const server = await serve(bearerRegistry(`${auth.url}/token`, true));
    const dir = mkdtempSync(join(tmpdir(), "ipc-client-auth-"));
    try {
      const file = join(dir, "auth.json");
      writeFileSync(
        file,
        JSON.stringify({
          auths: { [`${server.host}/team`]: { auth: Buffer.from("bob:pw").toString("base64") } },
        }),
      );
      const c = client(server, { credentials: { authFile: file } });
      expect((await c.getManifest(repo(server), "v1")).digest).toBe(MANIFEST_DIGEST);
      // Another namespace on the same registry has no entry: anonymous token, refused.
      const error = await c.getManifest(repo(server, "other/app"), "v1").catch((e: unknown) => e);
      expect(error).toMatchObject({ reason: "unauthorized", status: 401 });
      expect((error as Error).message).toContain(`no credentials found for ${server.host}/other/app`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("fetches an anonymous token when there are no credentials", async () => {
    const auth = await serve(tokenServer({}));
    const server = await serve(bearerRegistry(`${auth.url}/token`, false));
    await client(server).getManifest(repo(server), "v1");
    expect(auth.requests.map((r) => r.authorization)).toEqual([undefined]);
    expect(auth.requests[0]?.path).not.toContain("account=");
  });

  it("says whose credentials the token server refused", async () => {
    const auth = await serve(tokenServer({ alice: "right" }));
    const server = await serve(bearerRegistry(`${auth.url}/token`, true));
    const c = client(server, {
      staticCredentials: { [server.host]: { username: "alice", password: "wrong" } },
    });
    const error = await c.getManifest(repo(server), "v1").catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "unauthorized", status: 401 });
    expect((error as Error).message).toMatch(
      /token server .*: the credentials from the staticCredentials option were refused/,
    );
  });

  it("uses an identity token as an OAuth2 refresh token", async () => {
    const bodies: string[] = [];
    const auth = await serve((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        bodies.push(`${req.method} ${body}`);
        res.writeHead(200).end(json({ access_token: "user|repository:team/app:pull" }));
      });
    });
    const server = await serve(bearerRegistry(`${auth.url}/token`, true));
    const c = client(server, {
      staticCredentials: { [server.host]: { username: "", password: "", identityToken: "refresh-123" } },
    });
    await c.getManifest(repo(server), "v1");
    expect(bodies).toEqual([
      "POST service=test-registry&scope=repository%3Ateam%2Fapp%3Apull&grant_type=refresh_token&refresh_token=refresh-123&client_id=containers%2Fimage",
    ]);
  });

  it("sends Basic credentials to a Basic registry", async () => {
    const server = await serve(
      registryHandler({
        ping: (_req, res) => res.writeHead(401, { "www-authenticate": 'Basic realm="registry"' }).end(),
        manifest: (req, res) => {
          if (req.headers.authorization !== `Basic ${Buffer.from("u:p").toString("base64")}`) {
            res
              .writeHead(401, { "www-authenticate": 'Basic realm="registry"' })
              .end(errorBody("UNAUTHORIZED", "no"));
            return;
          }
          res.writeHead(200, { "content-type": OCI_MANIFEST }).end(MANIFEST);
        },
      }),
    );
    await client(server, {
      staticCredentials: { [server.host]: { username: "u", password: "p" } },
    }).getManifest(repo(server), "v1");
    const anonymous = await client(server)
      .getManifest(repo(server), "v1")
      .catch((e: unknown) => e);
    expect(anonymous).toMatchObject({ reason: "unauthorized", status: 401 });
    expect((anonymous as RegistryError).codes).toEqual(["UNAUTHORIZED"]);
  });

  it("picks up a challenge a registry only sends on the repository (not on /v2/)", async () => {
    const auth = await serve(tokenServer({}));
    const challenge = `Bearer realm="${auth.url}/token",service="s",scope="repository:team/app:pull"`;
    const server = await serve(
      registryHandler({
        manifest: (req, res) =>
          req.headers.authorization === "Bearer anonymous|repository:team/app:pull"
            ? res.writeHead(200, { "content-type": DOCKER_MANIFEST }).end(
                json({
                  schemaVersion: 2,
                  mediaType: DOCKER_MANIFEST,
                  config: {
                    mediaType: "application/vnd.docker.container.image.v1+json",
                    digest: sha256(CONFIG),
                    size: 1,
                  },
                  layers: [],
                }),
              )
            : res.writeHead(401, { "www-authenticate": challenge }).end(),
      }),
    );
    expect((await client(server).getManifest(repo(server), "v1")).mediaType).toBe(DOCKER_MANIFEST);
  });
});

describe("connections", () => {
  it("does not fall back to plain HTTP for a registry that is not insecure", async () => {
    const server = await serve(registryHandler());
    const c = new RegistryClient({ credentials: false, requestTimeoutMs: 5000 });
    clients.push(c);
    const error = await c.getManifest(repo(server), "v1").catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "unreachable" });
    expect(server.requests).toEqual([]); // the TLS handshake failed; no HTTP request was ever made
  });

  it("gives up after the time limit when a registry accepts but never answers", async () => {
    const server = await serve(() => {
      // never respond
    });
    const started = Date.now();
    const error = await client(server, { requestTimeoutMs: 500 })
      .getManifest(repo(server), "v1")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "timeout" });
    expect((error as Error).message).toContain("within the time limit");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it("reports a refused connection as unreachable", async () => {
    const server = await serve(registryHandler());
    const { host } = server;
    await server.close();
    const error = await client(server)
      .getManifest({ registry: host, repository: "a" }, "v1")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "unreachable", registry: host });
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
  });

  it("pings a registry once, and one caller cancelling does not fail the others sharing the ping", async () => {
    const slowPing = registryHandler({
      ping: (_req, res) => setTimeout(() => res.writeHead(200).end("{}"), 200),
    });
    const server = await serve(slowPing);
    const c = client(server);
    const controller = new AbortController();
    const cancelled = c.getManifest(repo(server), "v1", { signal: controller.signal });
    const other = c.getManifest(repo(server), "v1");
    setTimeout(() => controller.abort(), 50);
    await expect(cancelled).rejects.toMatchObject({ reason: "cancelled" });
    expect((await other).digest).toBe(MANIFEST_DIGEST);
    await c.getBlob(repo(server), sha256(CONFIG), { maxBytes: 1024 });
    expect(server.requests.filter((r) => r.path === "/v2/")).toHaveLength(1);
  });

  it("honours the caller's AbortSignal", async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const pending = client(server, { requestTimeoutMs: 60_000 }).getManifest(repo(server), "v1", {
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toMatchObject({ reason: "cancelled" });
  });
});

describe("TLS", () => {
  let dir: string;
  let certificate: ReturnType<typeof selfSignedCertificate>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "ipc-client-tls-"));
    certificate = selfSignedCertificate({ commonName: "127.0.0.1", ipAddresses: ["127.0.0.1"] });
    writeFileSync(join(dir, "ca.pem"), certificate.certificatePem);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const tlsServer = () =>
    serve(registryHandler(), { cert: certificate.certificatePem, key: certificate.privateKeyPem });

  it("refuses a certificate it cannot verify, saying where a CA would go", async () => {
    const server = await tlsServer();
    const c = new RegistryClient({ credentials: false, certsDirectories: [] });
    clients.push(c);
    const error = await c.getManifest(repo(server), "v1").catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: "unreachable" });
    expect((error as Error).message).toContain(`/etc/containers/certs.d/${server.host}/ca.crt`);
  });

  it("trusts a CA from the host's certs.d directory, or from a CA file", async () => {
    const server = await tlsServer();
    const certsDir = join(dir, "certs.d");
    mkdirSync(join(certsDir, server.host), { recursive: true });
    writeFileSync(join(certsDir, server.host, "ca.crt"), certificate.certificatePem);
    const fromCertsD = new RegistryClient({
      credentials: false,
      certsDirectories: [join(dir, "none"), certsDir],
    });
    const caFile = join(dir, "ca.pem");
    const fromFile = new RegistryClient({ credentials: false, certsDirectories: [], caCertificates: caFile });
    clients.push(fromCertsD, fromFile);
    expect((await fromCertsD.getManifest(repo(server), "v1")).digest).toBe(MANIFEST_DIGEST);
    expect((await fromFile.getManifest(repo(server), "v1")).digest).toBe(MANIFEST_DIGEST);
  });

  it("skips verification for an insecure registry, still over HTTPS", async () => {
    const server = await tlsServer();
    const c = new RegistryClient({
      credentials: false,
      certsDirectories: [],
      insecureRegistries: [server.host],
    });
    clients.push(c);
    expect((await c.getManifest(repo(server), "v1")).digest).toBe(MANIFEST_DIGEST);
  });

  it("never sends credentials to a plain-HTTP token realm of an HTTPS registry", async () => {
    const auth = await serve(() => {});
    const server = await serve(
      registryHandler({
        ping: (_req, res) =>
          res.writeHead(401, { "www-authenticate": `Bearer realm="${auth.url}/token",service="s"` }).end(),
      }),
      { cert: certificate.certificatePem, key: certificate.privateKeyPem },
    );
    const c = new RegistryClient({
      credentials: false,
      caCertificates: join(dir, "ca.pem"),
      certsDirectories: [],
      staticCredentials: { [server.host]: { username: "u", password: "p" } },
    });
    clients.push(c);
    await expect(c.getManifest(repo(server), "v1")).rejects.toThrow(/refusing token realm .* plain HTTP/);
    expect(auth.requests).toEqual([]);
  });
});
