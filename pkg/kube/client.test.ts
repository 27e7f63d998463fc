// The REST layer against a local HTTP server that answers like the API server: paths, query
// parameters, content types, bodies, Status errors and watch streams. (The real API server is in
// test/integration/kube-*.test.ts.)
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { KubeConfig } from "@kubernetes/client-node";
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import { KubeClient, resourcePath, type ResourceType } from "./client.ts";
import { isAlreadyExists, isConflict, isGone, isNotFound, KubeApiError } from "./errors.ts";
import { CLUSTER_IMAGE_POLICIES, IMAGE_POLICIES, LEASES } from "./resources.ts";
import { MemoryLogger } from "./testing/memory-logger.ts";

interface Recorded {
  method: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: string;
}

type Responder = (request: Recorded, response: http.ServerResponse) => void;

let server: http.Server;
let baseUrl: string;
let responder: Responder = (_req, res) => res.writeHead(500).end();
const recorded: Recorded[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const request = {
        method: req.method ?? "",
        url: new URL(req.url ?? "/", "http://x"),
        headers: req.headers,
        body,
      };
      recorded.push(request);
      responder(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function client(logger = new MemoryLogger()): KubeClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: "c", server: `${baseUrl}/prefix`, skipTLSVerify: true }],
    users: [{ name: "u", token: "secret-token" }],
    contexts: [{ name: "ctx", cluster: "c", user: "u" }],
    currentContext: "ctx",
  });
  return new KubeClient(kubeConfig, { userAgent: "test-agent", logger });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Responder {
  return (_req, res) =>
    res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(JSON.stringify(body));
}

function last(): Recorded {
  const request = recorded.at(-1);
  if (!request) throw new Error("no request");
  return request;
}

const policy = {
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterImagePolicy",
  metadata: { name: "p" },
  spec: { scopes: ["example.com"], policy: { rootOfTrust: { policyType: "PublicKey" } } },
} as unknown as ClusterImagePolicy;

describe("resourcePath", () => {
  const core: ResourceType = {
    group: "",
    version: "v1",
    plural: "configmaps",
    namespaced: true,
    kind: "ConfigMap",
  };
  it("builds core, group, namespaced, cluster-scoped and subresource paths", () => {
    expect(resourcePath(core, { namespace: "ns", name: "x" })).toBe("/api/v1/namespaces/ns/configmaps/x");
    expect(resourcePath(core)).toBe("/api/v1/configmaps");
    expect(resourcePath(CLUSTER_IMAGE_POLICIES, { name: "p", subresource: "status" })).toBe(
      "/apis/config.openshift.io/v1/clusterimagepolicies/p/status",
    );
    expect(resourcePath(LEASES, { namespace: "kube-system", name: "l" })).toBe(
      "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/l",
    );
  });
  it("refuses a namespace for cluster-scoped objects and a name without one for namespaced ones", () => {
    expect(() => resourcePath(CLUSTER_IMAGE_POLICIES, { namespace: "ns", name: "p" })).toThrow(
      /cluster-scoped/,
    );
    expect(() => resourcePath(IMAGE_POLICIES, { name: "p" })).toThrow(/namespaced/);
  });
});

describe("KubeClient requests", () => {
  it("GETs with the credentials, under the server's path prefix, and returns plain JSON", async () => {
    responder = json(200, { ...policy, spec: { unknownField: { kept: true } } });
    const got = await client().resource(CLUSTER_IMAGE_POLICIES).get("p");
    expect(last().method).toBe("GET");
    expect(last().url.pathname).toBe("/prefix/apis/config.openshift.io/v1/clusterimagepolicies/p");
    expect(last().headers.authorization).toBe("Bearer secret-token");
    expect(last().headers["user-agent"]).toBe("test-agent");
    expect((got as unknown as { spec: unknown }).spec).toEqual({ unknownField: { kept: true } });
  });

  it("lists with query parameters and fills in the items' apiVersion and kind", async () => {
    responder = json(200, {
      metadata: { resourceVersion: "42" },
      items: [{ metadata: { name: "l", namespace: "ns" } }],
    });
    const list = await client()
      .resource(LEASES)
      .list({ namespace: "ns", labelSelector: "a=b", resourceVersion: "0" });
    expect(last().url.pathname).toBe("/prefix/apis/coordination.k8s.io/v1/namespaces/ns/leases");
    expect(Object.fromEntries(last().url.searchParams)).toEqual({
      labelSelector: "a=b",
      resourceVersion: "0",
    });
    expect(list.items[0]).toMatchObject({ apiVersion: "coordination.k8s.io/v1", kind: "Lease" });
    expect(list.metadata.resourceVersion).toBe("42");
  });

  it("follows continue tokens and returns the list's resourceVersion", async () => {
    responder = (req, res) => {
      const page = req.url.searchParams.get("continue") ?? "";
      const next = page === "" ? "p2" : page === "p2" ? "p3" : "";
      json(200, {
        metadata: { resourceVersion: "9", continue: next },
        items: [{ metadata: { name: page || "p1" } }],
      })(req, res);
    };
    const all = await client().resource(CLUSTER_IMAGE_POLICIES).listAll({ pageSize: 1 });
    expect(all.items.map((i) => i.metadata.name)).toEqual(["p1", "p2", "p3"]);
    expect(all.resourceVersion).toBe("9");
    expect(last().url.searchParams.get("limit")).toBe("1");
  });

  it("server-side applies with the field manager, force, and the apply content type", async () => {
    responder = json(200, policy);
    await client().resource(CLUSTER_IMAGE_POLICIES).apply(policy, { fieldManager: "imagepolicy" });
    expect(last().method).toBe("PATCH");
    expect(last().headers["content-type"]).toBe("application/apply-patch+yaml");
    expect(Object.fromEntries(last().url.searchParams)).toEqual({
      fieldManager: "imagepolicy",
      force: "true",
    });
    expect(JSON.parse(last().body)).toMatchObject({
      apiVersion: "config.openshift.io/v1",
      kind: "ClusterImagePolicy",
    });
    await client()
      .resource(CLUSTER_IMAGE_POLICIES)
      .applyStatus(policy, { fieldManager: "imagepolicy", force: false });
    expect(last().url.pathname).toMatch(/\/clusterimagepolicies\/p\/status$/);
    expect(last().url.searchParams.get("force")).toBe("false");
  });

  it("merge-patches, updates with the object's resourceVersion, creates and deletes", async () => {
    responder = json(200, policy);
    const resource = client().resource(CLUSTER_IMAGE_POLICIES);
    await resource.mergePatch("p", undefined, { metadata: { labels: { a: "b" } } });
    expect(last().headers["content-type"]).toBe("application/merge-patch+json");
    await resource.mergePatchStatus("p", undefined, { status: {} });
    expect(last().url.pathname).toMatch(/\/p\/status$/);
    await resource.update(
      { ...policy, metadata: { name: "p", resourceVersion: "5" } },
      { fieldManager: "m" },
    );
    expect(last().method).toBe("PUT");
    expect(JSON.parse(last().body).metadata.resourceVersion).toBe("5");
    await resource.create(policy, { dryRun: true });
    expect(last().method).toBe("POST");
    expect(last().url.pathname).toMatch(/\/clusterimagepolicies$/);
    expect(last().url.searchParams.get("dryRun")).toBe("All");
    await resource.delete("p", undefined, { preconditions: { uid: "u1" } });
    expect(last().method).toBe("DELETE");
    expect(JSON.parse(last().body)).toMatchObject({ kind: "DeleteOptions", preconditions: { uid: "u1" } });
  });

  it("turns Status answers into KubeApiErrors with code and reason", async () => {
    const resource = client().resource(CLUSTER_IMAGE_POLICIES);
    const status = (code: number, reason: string) =>
      json(code, {
        kind: "Status",
        apiVersion: "v1",
        status: "Failure",
        code,
        reason,
        message: `${reason}!`,
      });
    responder = status(404, "NotFound");
    const notFound = await resource.get("p").catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(KubeApiError);
    expect(notFound).toMatchObject({ statusCode: 404, reason: "NotFound", message: "NotFound!" });
    expect(isNotFound(notFound)).toBe(true);
    responder = status(409, "Conflict");
    const conflict = await resource.update({ ...policy }).catch((e: unknown) => e);
    expect([isConflict(conflict), isAlreadyExists(conflict)]).toEqual([true, false]);
    responder = status(409, "AlreadyExists");
    const exists = await resource.create(policy).catch((e: unknown) => e);
    expect([isConflict(exists), isAlreadyExists(exists)]).toEqual([false, true]);
    responder = status(410, "Expired");
    expect(isGone(await resource.list().catch((e: unknown) => e))).toBe(true);
    responder = (_req, res) => res.writeHead(503).end("upstream down");
    const plain = await resource.get("p").catch((e: unknown) => e);
    expect(plain).toMatchObject({ statusCode: 503, reason: "" });
    expect((plain as Error).message).toContain("upstream down");
  });

  it("logs the server's warnings", async () => {
    const logger = new MemoryLogger();
    responder = json(200, policy, { Warning: '299 - "unknown field \\"spec.x\\""' });
    await client(logger).resource(CLUSTER_IMAGE_POLICIES).get("p");
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: "warn",
        fields: expect.objectContaining({ warning: 'unknown field \\"spec.x\\"' }),
      }),
    );
  });
});

describe("KubeClient watch", () => {
  it("streams events split across chunks, with the watch parameters", async () => {
    responder = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      const lines = [
        JSON.stringify({ type: "ADDED", object: { metadata: { name: "a", resourceVersion: "2" } } }),
        JSON.stringify({ type: "BOOKMARK", object: { metadata: { resourceVersion: "3" } } }),
        JSON.stringify({ type: "ERROR", object: { kind: "Status", code: 410, reason: "Expired" } }),
      ].join("\n");
      res.write(lines.slice(0, 10));
      setTimeout(() => res.end(`${lines.slice(10)}\n`), 20);
    };
    const events = [];
    for await (const event of client()
      .resource(CLUSTER_IMAGE_POLICIES)
      .watch({ resourceVersion: "1", allowWatchBookmarks: true, timeoutSeconds: 300 })) {
      events.push(event);
    }
    expect(Object.fromEntries(last().url.searchParams)).toEqual({
      watch: "true",
      resourceVersion: "1",
      allowWatchBookmarks: "true",
      timeoutSeconds: "300",
    });
    expect(events.map((e) => e.type)).toEqual(["ADDED", "BOOKMARK", "ERROR"]);
    expect(events[0]?.object).toMatchObject({ kind: "ClusterImagePolicy", metadata: { name: "a" } });
    expect(events[2]?.object).toMatchObject({ code: 410, reason: "Expired" });
  });

  it("ends with an error when aborted, and fails on a non-200 answer", async () => {
    responder = (_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.write(`${JSON.stringify({ type: "ADDED", object: { metadata: { name: "a" } } })}\n`);
    };
    const abort = new AbortController();
    const seen: string[] = [];
    const watching = (async () => {
      for await (const event of client().resource(CLUSTER_IMAGE_POLICIES).watch({ signal: abort.signal })) {
        seen.push(event.type);
        abort.abort();
      }
    })();
    await expect(watching).rejects.toThrow();
    expect(seen).toEqual(["ADDED"]);
    responder = json(403, { kind: "Status", code: 403, reason: "Forbidden", message: "no" });
    const iterator = client().resource(CLUSTER_IMAGE_POLICIES).watch();
    await expect(iterator.next()).rejects.toMatchObject({ statusCode: 403, reason: "Forbidden" });
  });
});
