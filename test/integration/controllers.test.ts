// The controllers against the real API server: MachineConfigs follow the policies, status conditions
// are set and cleared, bursts coalesce, restarts and edits are handled, the managed release policy
// is created, reverted and left alone under an override. Assertions are on objects, not timings.
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import { runController } from "../../pkg/cli/controller.ts";
import { runVerify } from "../../pkg/cli/verify.ts";
import { decodeIgnitionFile, type IgnitionConfig } from "../../pkg/ignition/ignition.ts";
import {
  CLUSTER_IMAGE_POLICIES,
  CLUSTER_VERSIONS,
  FEATURE_GATES,
  IMAGE_POLICIES,
  IMAGES,
  isNotFound,
  KubeClient,
  MACHINE_CONFIG_POOLS,
  MACHINE_CONFIGS,
} from "../../pkg/kube/index.ts";
import { eventually } from "../../pkg/kube/testing/eventually.ts";
import { defaultPools } from "../../pkg/render/snapshot.ts";
import { cip, ip, roots } from "../../pkg/render/testing/fixtures.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { freePort } from "../harness/tools.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";
import { kubeConfigForServiceAccount } from "../harness/users.ts";

const WORKER_MC = "99-worker-generated-registries";
let client: KubeClient;
let namespace: TestNamespace;
let controller: { stop(): Promise<void> } | undefined;

function startController(
  extraArgs: string[] = [],
  kubeconfigPath = getTestEnvironment().kubeconfigPath,
  metricsPort?: number,
): { stop(): Promise<void> } {
  const abort = new AbortController();
  const io = { out: () => undefined, err: () => undefined };
  const metrics = metricsPort === undefined ? "0" : `127.0.0.1:${metricsPort}`;
  const args = ["--kubeconfig", kubeconfigPath, "--metrics-bind-address", metrics, "--log-level", "error"];
  const done = runController([...args, ...extraArgs], io, abort.signal);
  return {
    async stop() {
      abort.abort();
      await done;
    },
  };
}

/** One sample of the controller's /metrics (0 when absent): the positive signals tests wait for. */
async function metric(port: number, name: string, labels: string): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

async function workerFiles(): Promise<Map<string, string>> {
  const mc = await client.resource(MACHINE_CONFIGS).get(WORKER_MC);
  const files = (mc.spec.config as unknown as IgnitionConfig).storage?.files ?? [];
  return new Map(files.map((f) => [f.path, Buffer.from(decodeIgnitionFile(f)).toString()]));
}

async function dockerScopes(): Promise<string[]> {
  const text = (await workerFiles()).get("/etc/containers/policy.json");
  if (!text) return [];
  return Object.keys((JSON.parse(text) as { transports: { docker?: object } }).transports.docker ?? {});
}

/** Counts writes to a MachineConfig while `action` runs (resourceVersion changes seen by a watch). */
async function countWrites(name: string, action: () => Promise<void>): Promise<number> {
  const resource = client.resource(MACHINE_CONFIGS);
  const list = await resource.list();
  const abort = new AbortController();
  let writes = 0;
  const watching = (async () => {
    try {
      for await (const event of resource.watch({
        resourceVersion: list.metadata.resourceVersion,
        signal: abort.signal,
      })) {
        if (
          event.type !== "ERROR" &&
          event.type !== "BOOKMARK" &&
          (event.object as MachineConfig).metadata.name === name
        )
          writes++;
      }
    } catch {
      // aborted
    }
  })();
  await action();
  abort.abort();
  await watching;
  return writes;
}

async function deleteIfPresent(del: () => Promise<unknown>): Promise<void> {
  try {
    await del();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

beforeAll(async () => {
  const plane = getTestEnvironment();
  client = new KubeClient(plane.kubeConfig);
  namespace = await createTestNamespace(plane.kubeConfig, "controllers");
  for (const pool of defaultPools()) await client.resource(MACHINE_CONFIG_POOLS).create(pool);
  controller = startController();
});

afterAll(async () => {
  await controller?.stop();
  const cips = await client.resource(CLUSTER_IMAGE_POLICIES).list();
  for (const c of cips.items)
    await deleteIfPresent(() => client.resource(CLUSTER_IMAGE_POLICIES).delete(c.metadata.name ?? ""));
  for (const name of ["master", "worker"])
    await deleteIfPresent(() => client.resource(MACHINE_CONFIG_POOLS).delete(name));
  for (const name of [WORKER_MC, "99-master-generated-registries"])
    await deleteIfPresent(() => client.resource(MACHINE_CONFIGS).delete(name));
  await deleteIfPresent(() => client.resource(CLUSTER_VERSIONS).delete("version"));
  await deleteIfPresent(() => client.resource(FEATURE_GATES).delete("cluster"));
  await namespace.cleanup();
  client.close();
});

describe("imagepolicy controller", () => {
  it("renders a new ClusterImagePolicy into the pools' MachineConfigs and marks it Applied", async () => {
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip("team-registry", ["registry.example.com/team"]));
    await eventually(async () => expect(await dockerScopes()).toContain("registry.example.com/team"), {
      timeoutMs: 60_000,
    });
    await client.resource(MACHINE_CONFIGS).get("99-master-generated-registries");
    // An update of the spec is followed too.
    const created = await client.resource(CLUSTER_IMAGE_POLICIES).get("team-registry");
    await client.resource(CLUSTER_IMAGE_POLICIES).update({
      ...created,
      spec: { ...created.spec, scopes: ["registry.example.com/team", "registry.example.com/other"] },
    });
    await eventually(async () => expect(await dockerScopes()).toContain("registry.example.com/other"));
    await eventually(async () => {
      const policy = await client.resource(CLUSTER_IMAGE_POLICIES).get("team-registry");
      expect(policy.status?.conditions?.find((c) => c.type === "Applied")).toMatchObject({
        status: "True",
        observedGeneration: 2,
      });
    });
  });

  it("writes only the conditions it owns: another manager's condition stays that manager's alone", async () => {
    const policies = client.resource(CLUSTER_IMAGE_POLICIES);
    await policies.create(cip("co-owned", ["registry.example.com/co-owned"]));
    const applied = async (generation: number) =>
      eventually(async () =>
        expect(
          (await policies.get("co-owned")).status?.conditions?.find((c) => c.type === "Applied"),
        ).toMatchObject({
          status: "True",
          observedGeneration: generation,
        }),
      );
    await applied(1);
    // Another controller owns a condition of its own on the same status.
    const otherCondition = (conditions: unknown[]) => ({
      apiVersion: "config.openshift.io/v1",
      kind: "ClusterImagePolicy",
      metadata: { name: "co-owned" },
      status: { conditions },
    });
    await policies.applyStatus(
      otherCondition([
        {
          type: "Verified",
          status: "True",
          reason: "ByOther",
          message: "",
          lastTransitionTime: "2026-01-01T00:00:00Z",
        },
      ]) as ClusterImagePolicy,
      { fieldManager: "other-controller", force: true },
    );
    // Our controller writes the status again (a new generation)...
    const live = await policies.get("co-owned");
    await policies.update({
      ...live,
      spec: { ...live.spec, scopes: [...live.spec.scopes, "registry.example.com/co-2"] },
    });
    await applied(2);
    expect((await policies.get("co-owned")).status?.conditions?.map((c) => c.type).sort()).toEqual([
      "Applied",
      "Enforced",
      "Verified",
    ]);
    // ...without becoming a co-owner of the other condition: when its manager withdraws it, it is gone.
    await policies.applyStatus(otherCondition([]) as ClusterImagePolicy, {
      fieldManager: "other-controller",
      force: true,
    });
    await eventually(async () =>
      expect((await policies.get("co-owned")).status?.conditions?.map((c) => c.type)).toEqual([
        "Applied",
        "Enforced",
      ]),
    );
    await policies.delete("co-owned");
  });

  it("leaves a generated MachineConfig another manager applied, and takes it over only when told to", async () => {
    const machineConfigs = client.resource(MACHINE_CONFIGS);
    const name = "99-infra-generated-registries";
    // As the Machine Config Operator would have written it, before this controller ran.
    await machineConfigs.create(
      {
        apiVersion: "machineconfiguration.openshift.io/v1",
        kind: "MachineConfig",
        metadata: { name, labels: { "machineconfiguration.openshift.io/role": "infra" } },
        spec: { config: { ignition: { version: "3.5.0" } } },
      },
      { fieldManager: "machine-config-controller" },
    );
    const infra = {
      ...defaultPools()[1]!,
      metadata: {
        name: "infra",
        labels: { "machineconfiguration.openshift.io/mco-built-in": "" },
      },
    };
    await client.resource(MACHINE_CONFIG_POOLS).create(infra);
    const events = async () =>
      (
        (await client.request("GET", "/apis/events.k8s.io/v1/namespaces/default/events")) as {
          items: { reason?: string; note?: string; regarding?: { kind?: string; name?: string } }[];
        }
      ).items.filter((e) => e.regarding?.kind === "MachineConfig" && e.regarding.name === name);
    await eventually(async () => expect((await events()).map((e) => e.reason)).toContain("ManagedByAnother"));
    const untouched = await machineConfigs.get(name);
    expect(untouched.spec.config).toEqual({ ignition: { version: "3.5.0" } });
    const managers = (untouched.metadata as { managedFields?: { manager?: string }[] }).managedFields;
    expect(managers?.map((f) => f.manager)).toEqual(["machine-config-controller"]);

    await controller?.stop();
    controller = startController(["--take-over-machineconfigs"]);
    await eventually(async () => expect((await events()).map((e) => e.reason)).toContain("TakenOver"));
    await eventually(async () => {
      const taken = await machineConfigs.get(name);
      expect(taken.metadata.labels?.["image-policy.dev/managed-by"]).toBe("image-policy-controller");
      const managedFields = (taken.metadata as { managedFields?: { manager?: string; operation?: string }[] })
        .managedFields;
      expect(managedFields?.filter((f) => f.operation === "Apply").map((f) => f.manager)).toEqual([
        "image-policy-controller",
      ]);
    });

    await controller?.stop();
    controller = startController();
    await client.resource(MACHINE_CONFIG_POOLS).delete("infra");
    // The pool is gone, and the object is now this controller's: it deletes it.
    await eventually(async () =>
      expect((await machineConfigs.list()).items.map((mc) => mc.metadata.name)).not.toContain(name),
    );
  });

  it("sets ConflictScopes on an ImagePolicy inside a cluster scope, and clears it when the cluster policy goes", async () => {
    // Its own cluster policy, so that it runs alone too (-t) and does not rely on earlier tests.
    await client
      .resource(CLUSTER_IMAGE_POLICIES)
      .create(cip("conflict-parent", ["registry.example.com/conflict"]));
    const policy = ip(namespace.name, "tools", ["registry.example.com/conflict/tools", "ghcr.io/team-a"]);
    await client.resource(IMAGE_POLICIES).create(policy);
    const conditions = async () =>
      (await client.resource(IMAGE_POLICIES).get("tools", namespace.name)).status?.conditions ?? [];
    await eventually(async () =>
      expect((await conditions()).map((c) => [c.type, c.status, c.reason])).toEqual([
        ["Applied", "False", "ConflictScopes"],
        ["Pending", "False", "ConflictScopes"],
        // No Machine Config Operator here: no pool has rendered anything yet.
        ["Enforced", "False", "Pending"],
      ]),
    );
    expect((await workerFiles()).has(`/etc/crio/policies/${namespace.name}.json`)).toBe(true);
    await client.resource(CLUSTER_IMAGE_POLICIES).delete("conflict-parent");
    await eventually(async () =>
      expect((await conditions()).map((c) => [c.type, c.status])).toEqual([
        ["Applied", "True"],
        ["Enforced", "False"],
      ]),
    );
    await eventually(async () => expect(await dockerScopes()).not.toContain("registry.example.com/conflict"));
    // The first test's policy is not needed by the ones after this.
    await deleteIfPresent(() => client.resource(CLUSTER_IMAGE_POLICIES).delete("team-registry"));
  });

  it("reports an unusable policy as Applied=False/Invalid, keeps its scope closed, and applies the others", async () => {
    const bad = cip("bad-key", ["bad.example.com"]);
    if (bad.spec.policy.rootOfTrust.publicKey) {
      bad.spec.policy.rootOfTrust.publicKey.keyData = Buffer.from(
        "-----BEGIN PUBLIC KEY-----\nthis is not a key at all, only text that looks like one\n-----END PUBLIC KEY-----",
      ).toString("base64");
    }
    await client.resource(CLUSTER_IMAGE_POLICIES).create(bad);
    await client
      .resource(CLUSTER_IMAGE_POLICIES)
      .create(cip("good-key", ["good.example.com"], roots.fulcio()));
    await eventually(async () => {
      const status = (await client.resource(CLUSTER_IMAGE_POLICIES).get("bad-key")).status?.conditions?.[0];
      expect(status).toMatchObject({ type: "Applied", status: "False", reason: "Invalid" });
      expect(status?.message).toContain("publicKey.keyData is not a valid public key");
    });
    await eventually(async () => {
      const scopes = await dockerScopes();
      expect(scopes).toContain("good.example.com");
      // Written as given (what MCO writes): the nodes refuse every image in it, never admit unsigned.
      expect(scopes).toContain("bad.example.com");
    });
  });

  it("coalesces a burst of 200 policies into at most 3 writes per MachineConfig", async () => {
    const writes = await countWrites(WORKER_MC, async () => {
      await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          client.resource(CLUSTER_IMAGE_POLICIES).create(cip(`burst-${i}`, [`burst-${i}.example.com`])),
        ),
      );
      await eventually(async () => expect(await dockerScopes()).toContain("burst-199.example.com"), {
        timeoutMs: 60_000,
      });
      // Let any straggling reconcile land before counting.
      await new Promise((resolve) => setTimeout(resolve, 2000));
    });
    expect(writes).toBeGreaterThanOrEqual(1);
    expect(writes).toBeLessThanOrEqual(3);
  });

  it("restores an edited MachineConfig, and a restart with nothing changed writes nothing", async () => {
    // Its own policy, so that it runs alone too (-t) and does not rely on what earlier tests left.
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip("restore-edit", ["restore-edit.example.com"]));
    await eventually(async () => expect(await dockerScopes()).toContain("restore-edit.example.com"), {
      timeoutMs: 60_000,
    });
    const resource = client.resource(MACHINE_CONFIGS);
    const live = await resource.get(WORKER_MC);
    await resource.update({ ...live, spec: { ...live.spec, config: { ignition: { version: "3.5.0" } } } });
    await eventually(async () => expect(await dockerScopes()).toContain("restore-edit.example.com"));

    // Zero writes after a restart, asserted only once the new controller has positively synced and
    // finished a reconcile (its metrics say so), not after a fixed wait.
    const before = (await resource.get(WORKER_MC)).metadata.resourceVersion;
    const port = await freePort();
    const writes = await countWrites(WORKER_MC, async () => {
      await controller?.stop();
      controller = startController([], undefined, port);
      await eventually(async () =>
        expect(
          await metric(
            port,
            "controller_runtime_reconcile_total",
            'controller="imagepolicy",result="success"',
          ),
        ).toBeGreaterThanOrEqual(1),
      );
    });
    expect(writes).toBe(0);
    expect((await resource.get(WORKER_MC)).metadata.resourceVersion).toBe(before);
  });

  it("its own writes trigger no render: one workqueue add per user change", async () => {
    const port = await freePort();
    await controller?.stop();
    controller = startController([], undefined, port);
    const adds = () => metric(port, "workqueue_adds_total", 'name="imagepolicy"');
    const applied = (name: string) =>
      eventually(async () =>
        expect(
          (await client.resource(CLUSTER_IMAGE_POLICIES).get(name)).status?.conditions?.find(
            (c) => c.type === "Applied",
          ),
        ).toMatchObject({ status: "True", observedGeneration: 1 }),
      );
    await eventually(async () =>
      expect(
        await metric(port, "controller_runtime_reconcile_total", 'controller="imagepolicy",result="success"'),
      ).toBeGreaterThanOrEqual(1),
    );
    const start = await adds();
    // A change, whose reconcile writes both MachineConfigs and the policy's status...
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip("own-writes", ["own-writes.example.com"]));
    await applied("own-writes");
    // ...then a sentinel on the same watch: its event comes after the status write's, so once the
    // sentinel is Applied, every event of the first change's writes has reached the controller.
    await client
      .resource(CLUSTER_IMAGE_POLICIES)
      .create(cip("own-writes-sentinel", ["sentinel.example.com"]));
    await applied("own-writes-sentinel");
    expect((await adds()) - start).toBe(2);
    for (const name of ["own-writes", "own-writes-sentinel"])
      await client.resource(CLUSTER_IMAGE_POLICIES).delete(name);
  });

  it("reconnects after the API server restarts and converges", async () => {
    await getTestEnvironment().restartApiServer();
    await client.resource(CLUSTER_IMAGE_POLICIES).create(cip("after-restart", ["after-restart.example.com"]));
    await eventually(async () => expect(await dockerScopes()).toContain("after-restart.example.com"), {
      timeoutMs: 90_000,
    });
  });

  it("renders no sigstore policy while the SigstoreImageVerification gate is off", async () => {
    await client.resource(FEATURE_GATES).create({
      apiVersion: "config.openshift.io/v1",
      kind: "FeatureGate",
      metadata: { name: "cluster" },
      spec: { featureSet: "CustomNoUpgrade", customNoUpgrade: { disabled: ["SigstoreImageVerification"] } },
    });
    await eventually(async () => expect((await workerFiles()).size).toBe(0), { timeoutMs: 60_000 });
    await client.resource(FEATURE_GATES).delete("cluster");
    await eventually(async () => expect(await dockerScopes()).toContain("after-restart.example.com"), {
      timeoutMs: 60_000,
    });
  });
});

describe("releasepolicy controller", () => {
  const manifest = parse(
    readFileSync(
      join(import.meta.dirname, "../../manifests/release/ocp/0000_90_openshift-cluster-image-policy.yaml"),
      "utf8",
    ),
  ) as ClusterImagePolicy;
  const get = () => client.resource(CLUSTER_IMAGE_POLICIES).get("openshift");

  it("creates the managed openshift policy, recreates it after a delete, and reverts edits", async () => {
    await eventually(async () => expect((await get()).spec).toEqual(manifest.spec));
    await client.resource(CLUSTER_IMAGE_POLICIES).delete("openshift");
    await eventually(async () => expect((await get()).spec).toEqual(manifest.spec));
    const live = await get();
    await client.resource(CLUSTER_IMAGE_POLICIES).update({
      ...live,
      metadata: { ...live.metadata, labels: { extra: "x" } },
      spec: { ...live.spec, scopes: ["quay.io/openshift-release-dev/ocp-release-evil"] },
    });
    await eventually(async () => {
      const reverted = await get();
      expect(reverted.spec).toEqual(manifest.spec);
      expect(reverted.metadata.labels).toBeUndefined();
    });
  });

  it("leaves the policy alone once ClusterVersion overrides it", async () => {
    await client.resource(CLUSTER_VERSIONS).create({
      apiVersion: "config.openshift.io/v1",
      kind: "ClusterVersion",
      metadata: { name: "version" },
      spec: {
        clusterID: "00000000-0000-4000-8000-000000000000",
        overrides: [
          {
            kind: "ClusterImagePolicy",
            group: "config.openshift.io",
            namespace: "",
            name: "openshift",
            unmanaged: true,
          },
        ],
      },
    });
    // Wait until the controller says it stepped aside (a positive signal, not a fixed sleep), then
    // edit: the edit must stay. The image-policy controller writes this object's status meanwhile,
    // so the update is retried on a resourceVersion conflict.
    await eventually(async () => {
      const events = (await client.request("GET", "/apis/events.k8s.io/v1/namespaces/default/events")) as {
        items: { reason?: string; regarding?: { kind?: string; name?: string } }[];
      };
      expect(events.items.some((e) => e.reason === "Overridden" && e.regarding?.name === "openshift")).toBe(
        true,
      );
    });
    await eventually(async () => {
      const live = await get();
      await client
        .resource(CLUSTER_IMAGE_POLICIES)
        .update({ ...live, spec: { ...live.spec, scopes: ["quay.io/left-alone"] } });
    });
    // The image-policy controller rendering the edited scope proves the edit went through the shared
    // informers, which the release-policy controller reacts to in the same pass.
    await eventually(async () => expect(await dockerScopes()).toContain("quay.io/left-alone"));
    expect((await get()).spec.scopes).toEqual(["quay.io/left-alone"]);
  });
});

describe("updateguard controller", () => {
  it("records a Warning event when the ClusterVersion requests a non-canonical release image, and a metric without the pullspec", async () => {
    const port = await freePort();
    await controller?.stop();
    controller = startController([], undefined, port);
    const cv = await client.resource(CLUSTER_VERSIONS).get("version");
    const image = "mirror.example.com/ocp/release@sha256:" + "ab".repeat(32);
    await client.resource(CLUSTER_VERSIONS).update({ ...cv, spec: { ...cv.spec, desiredUpdate: { image } } });
    await eventually(async () => {
      const events = (await client.request("GET", "/apis/events.k8s.io/v1/namespaces/default/events")) as {
        items: { reason?: string; note?: string; regarding?: { kind?: string } }[];
      };
      const found = events.items.find(
        (e) => e.reason === "NonCanonicalReleaseImage" && e.regarding?.kind === "ClusterVersion",
      );
      expect(found?.note).toContain(
        "release images must come from quay.io/openshift-release-dev/ocp-release",
      );
    });
    // Labels of bounded cardinality: the reason, never the requested pullspec.
    await eventually(async () =>
      expect(
        await metric(port, "image_policy_release_update_findings", 'reason="NonCanonicalReleaseImage"'),
      ).toBe(1),
    );
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).not.toContain("mirror.example.com");
  });
});

describe("image-policy verify --cluster", () => {
  it("renders the policy from the live cluster with the controller's engine", async () => {
    await client.resource(IMAGES).create({
      apiVersion: "config.openshift.io/v1",
      kind: "Image",
      metadata: { name: "cluster" },
      spec: { registrySources: { blockedRegistries: ["blocked.example.com"] } },
    });
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = getTestEnvironment().kubeconfigPath;
    try {
      const stdout: string[] = [];
      const io = { out: (t: string) => void stdout.push(t), err: () => undefined };
      // A blocked registry is refused by policy alone: no registry is contacted.
      expect(await runVerify(["blocked.example.com/team/app:1", "--cluster"], io)).toBe(1);
      expect(stdout.join("\n")).toContain("rendered from the cluster");
      expect(stdout.join("\n")).toContain("reject");
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
      await client.resource(IMAGES).delete("cluster");
    }
  });
});

describe("least privilege", () => {
  it("runs with exactly the shipped RBAC (service account, leader election)", async () => {
    const plane = getTestEnvironment();
    await controller?.stop();
    controller = undefined;
    // The shipped ClusterRole, bound to a service account of the test namespace; the Lease Role there.
    const rbac = parseAllDocuments(
      readFileSync(join(import.meta.dirname, "../../manifests/deploy/02-rbac.yaml"), "utf8"),
    ).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string; namespace?: string };
          subjects?: { namespace: string }[];
        },
    );
    const suffix = namespace.name;
    for (const object of rbac) {
      object.metadata.name = `${object.metadata.name}-${suffix}`;
      if (object.metadata.namespace) object.metadata.namespace = namespace.name;
      for (const subject of object.subjects ?? []) subject.namespace = namespace.name;
      const roleRef = (object as { roleRef?: { name: string } }).roleRef;
      if (roleRef) roleRef.name = `${roleRef.name}-${suffix}`;
      const plural = {
        ClusterRole: "clusterroles",
        ClusterRoleBinding: "clusterrolebindings",
        Role: "roles",
        RoleBinding: "rolebindings",
      }[object.kind];
      const path = object.metadata.namespace
        ? `/apis/rbac.authorization.k8s.io/v1/namespaces/${object.metadata.namespace}/${plural}`
        : `/apis/rbac.authorization.k8s.io/v1/${plural}`;
      await client.request("POST", path, { body: object });
    }
    const kubeConfig = await kubeConfigForServiceAccount(
      plane.kubeConfig,
      namespace.name,
      "image-policy-controller",
    );
    const file = join(mkdtempSync(join(tmpdir(), "sa-")), "kubeconfig");
    writeFileSync(file, kubeConfig.exportConfig());
    controller = startController(
      ["--leader-elect", "--namespace", namespace.name, "--identity", "sa-controller"],
      file,
    );

    await client
      .resource(CLUSTER_IMAGE_POLICIES)
      .create(cip("least-privilege", ["least-privilege.example.com"]));
    await eventually(async () => expect(await dockerScopes()).toContain("least-privilege.example.com"), {
      timeoutMs: 60_000,
    });
    await eventually(async () => {
      const policy = await client.resource(CLUSTER_IMAGE_POLICIES).get("least-privilege");
      expect(policy.status?.conditions?.[0]).toMatchObject({ type: "Applied", status: "True" });
    });
    const lease = (await client.request(
      "GET",
      `/apis/coordination.k8s.io/v1/namespaces/${namespace.name}/leases/image-policy-controller`,
    )) as {
      spec: { holderIdentity?: string };
    };
    expect(lease.spec.holderIdentity).toBe("sa-controller");
    for (const object of rbac.reverse()) {
      const plural = {
        ClusterRole: "clusterroles",
        ClusterRoleBinding: "clusterrolebindings",
        Role: "roles",
        RoleBinding: "rolebindings",
      }[object.kind];
      if (!object.metadata.namespace)
        await client.request(
          "DELETE",
          `/apis/rbac.authorization.k8s.io/v1/${plural}/${object.metadata.name}`,
        );
    }
  });
});
