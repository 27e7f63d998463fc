// pkg/kube's informer against a real kube-apiserver: the cache follows adds, updates and deletes,
// and converges after the API server process is stopped and started — including objects that
// were changed and deleted while it was down (written straight into etcd, the only way to change
// anything then) and objects changed after it came back.
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "@jest/globals";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import { KubeClient, type ResourceClient } from "../../pkg/kube/client.ts";
import { listerWatcherFor, SharedInformer } from "../../pkg/kube/informer.ts";
import { CLUSTER_IMAGE_POLICIES } from "../../pkg/kube/resources.ts";
import { objectKey } from "../../pkg/kube/store.ts";
import { eventually } from "../../pkg/kube/testing/eventually.ts";
import { MemoryLogger } from "../../pkg/kube/testing/memory-logger.ts";
import { getTestEnvironment } from "../harness/env.ts";

const plane = getTestEnvironment();
const run = crypto.randomBytes(3).toString("hex");
const LABEL = "kube-informer-test";
const KEY_DATA = Buffer.from(
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKNkqqCeTubXTagqs+AXLaxW69349\nMShW63AuPdIw/H2pWtzw+i++cyeo1Hdlw+jcLkMeIEUSEeySMgtRBk4iSg==\n-----END PUBLIC KEY-----",
).toString("base64");

let client: KubeClient;
let policies: ResourceClient<ClusterImagePolicy>;
const informers: SharedInformer<ClusterImagePolicy>[] = [];

function policy(name: string, scope: string, group: string): ClusterImagePolicy {
  return {
    apiVersion: "config.openshift.io/v1",
    kind: "ClusterImagePolicy",
    metadata: { name: `${name}-${run}`, labels: { [LABEL]: group } },
    spec: {
      scopes: [scope],
      policy: { rootOfTrust: { policyType: "PublicKey", publicKey: { keyData: KEY_DATA } } },
    },
  } as ClusterImagePolicy;
}

/** An informer on this test's policies of `group`, recording what it delivers. */
async function startInformer(group: string) {
  const events: string[] = [];
  const logger = new MemoryLogger();
  const informer = new SharedInformer(listerWatcherFor(policies, { labelSelector: `${LABEL}=${group}` }), {
    name: `cip-${group}`,
    backoff: { initialMs: 200, maxMs: 2_000 },
    logger,
  });
  informers.push(informer);
  const short = (p: ClusterImagePolicy) => objectKey(p).replace(`-${run}`, "");
  informer.addEventHandler({
    onAdd: (p) => events.push(`add ${short(p)}`),
    onUpdate: (old, p) =>
      events.push(`update ${short(p)} ${old.spec.scopes.join()}->${p.spec.scopes.join()}`),
    onDelete: (p, finalStateUnknown) =>
      events.push(`delete ${short(p)}${finalStateUnknown ? " (relist)" : ""}`),
  });
  informer.start();
  expect(await informer.waitForSync()).toBe(true);
  return { informer, events, logger };
}

/** What the informer holds, as name → scopes. */
function cacheOf(informer: SharedInformer<ClusterImagePolicy>): Record<string, string[]> {
  return Object.fromEntries(
    informer.list().map((p) => [p.metadata.name?.replace(`-${run}`, ""), p.spec.scopes]),
  );
}

async function serverState(group: string): Promise<Record<string, string[]>> {
  const list = await policies.list({ labelSelector: `${LABEL}=${group}` });
  return Object.fromEntries(list.items.map((p) => [p.metadata.name?.replace(`-${run}`, ""), p.spec.scopes]));
}

/** etcd's JSON gateway: the API server stores custom resources as JSON under /registry. */
async function etcd(method: "range" | "put" | "deleterange", body: Record<string, string>): Promise<unknown> {
  const encoded = Object.fromEntries(
    Object.entries(body).map(([k, v]) => [k, Buffer.from(v).toString("base64")]),
  );
  const response = await fetch(`${plane.etcdUrl}/v3/kv/${method}`, {
    method: "POST",
    body: JSON.stringify(encoded),
  });
  if (!response.ok) throw new Error(`etcd ${method}: ${response.status} ${await response.text()}`);
  return response.json();
}

function etcdKey(name: string): string {
  return `/registry/config.openshift.io/clusterimagepolicies/${name}`;
}

async function changeInEtcd(name: string, scope: string): Promise<void> {
  const current = (await etcd("range", { key: etcdKey(name) })) as { kvs?: { value: string }[] };
  const value = current.kvs?.[0]?.value;
  if (!value) throw new Error(`${name} is not in etcd`);
  const object = JSON.parse(Buffer.from(value, "base64").toString()) as ClusterImagePolicy;
  object.spec.scopes = [scope];
  await etcd("put", { key: etcdKey(name), value: JSON.stringify(object) });
}

beforeAll(() => {
  client = new KubeClient(plane.kubeConfig);
  policies = client.resource(CLUSTER_IMAGE_POLICIES);
});

afterEach(async () => {
  await Promise.all(informers.splice(0).map((i) => i.stop()));
});

afterAll(async () => {
  if (!plane.apiServerRunning) await plane.startApiServer();
  const all = await policies.list({ labelSelector: LABEL });
  await Promise.all(
    all.items
      .filter((p) => p.metadata.name?.endsWith(run))
      .map((p) => policies.delete(p.metadata.name ?? "")),
  );
  client.close();
});

describe("SharedInformer on a real API server", () => {
  it("delivers the initial list, then adds, updates and deletes, and its cache matches the server", async () => {
    await policies.create(policy("a", "registry.example.com/a", "basic"));
    const { informer, events } = await startInformer("basic");
    expect(events).toEqual(["add a"]);
    await policies.create(policy("b", "registry.example.com/b", "basic"));
    await policies.mergePatch(`a-${run}`, undefined, { spec: { scopes: ["registry.example.com/a2"] } });
    await policies.delete(`b-${run}`);
    await eventually(() =>
      expect(events).toEqual([
        "add a",
        "add b",
        "update a registry.example.com/a->registry.example.com/a2",
        "delete b",
      ]),
    );
    expect(cacheOf(informer)).toEqual(await serverState("basic"));
    expect(informer.stats.lists).toBe(1);
  });

  it("survives plane.restartApiServer() and sees changes made afterwards", async () => {
    await policies.create(policy("r1", "registry.example.com/r1", "restart"));
    const { informer, events } = await startInformer("restart");
    await plane.restartApiServer();
    await policies.create(policy("r2", "registry.example.com/r2", "restart"));
    await policies.mergePatch(`r1-${run}`, undefined, { spec: { scopes: ["registry.example.com/r1b"] } });
    await eventually(
      () =>
        expect(cacheOf(informer)).toEqual({
          r1: ["registry.example.com/r1b"],
          r2: ["registry.example.com/r2"],
        }),
      {
        timeoutMs: 60_000,
      },
    );
    expect(events).toContain("add r2");
    expect(events).toContain("update r1 registry.example.com/r1->registry.example.com/r1b");
    expect(cacheOf(informer)).toEqual(await serverState("restart"));
  });

  it("converges after the API server was down, with objects changed and deleted meanwhile", async () => {
    await policies.create(policy("kept", "registry.example.com/kept", "down"));
    await policies.create(policy("changed", "registry.example.com/before", "down"));
    await policies.create(policy("deleted", "registry.example.com/deleted", "down"));
    await policies.create(policy("later", "registry.example.com/later", "down"));
    const { informer, events, logger } = await startInformer("down");
    events.length = 0;

    await plane.stopApiServer();
    await changeInEtcd(`changed-${run}`, "registry.example.com/after");
    await etcd("deleterange", { key: etcdKey(`deleted-${run}`) });
    // The informer keeps trying (and failing) while the API server is down; its cache stays.
    await eventually(() => expect(informer.stats.failures).toBeGreaterThanOrEqual(2));
    expect(Object.keys(cacheOf(informer)).sort()).toEqual(["changed", "deleted", "kept", "later"]);
    await plane.startApiServer();

    // Changes after the restart arrive too.
    await policies.create(policy("new", "registry.example.com/new", "down"));
    await policies.mergePatch(`later-${run}`, undefined, {
      spec: { scopes: ["registry.example.com/later2"] },
    });

    const expected = {
      kept: ["registry.example.com/kept"],
      changed: ["registry.example.com/after"],
      later: ["registry.example.com/later2"],
      new: ["registry.example.com/new"],
    };
    await eventually(() => expect(cacheOf(informer)).toEqual(expected), { timeoutMs: 60_000 });
    expect(await serverState("down")).toEqual(expected);
    expect(events).toEqual(
      expect.arrayContaining([
        "update changed registry.example.com/before->registry.example.com/after",
        expect.stringMatching(/^delete deleted/),
        "add new",
        "update later registry.example.com/later->registry.example.com/later2",
      ]),
    );
    expect(events.filter((e) => e.includes("kept"))).toEqual([]);
    expect(informer.stats.lists).toBeGreaterThanOrEqual(2);
    expect(logger.messages("warn")).toContain("list/watch failed; relisting after back-off");
  });
});
