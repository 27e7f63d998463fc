// The test control plane (test/harness) against itself: a real kube-apiserver and etcd, CRDs with
// structural schemas and CEL rules, namespaces per test, server-side apply, RBAC identities, and an
// API server restart that keeps etcd's data.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  RbacAuthorizationV1Api,
  VersionApi,
} from "@kubernetes/client-node";
import { stringify as toYaml } from "yaml";
import { attachControlPlane, startControlPlane, type ControlPlane } from "../harness/controlplane.ts";
import { applyCrds, installCrds, type CrdManifest } from "../harness/crds.ts";
import { getTestEnvironment } from "../harness/env.ts";
import { kubeRequest } from "../harness/http.ts";
import { createTestNamespace, type TestNamespace } from "../harness/namespace.ts";
import { isRunning, sleep, type ProcessRecord } from "../harness/processes.ts";
import { readState } from "../harness/state.ts";
import { repoRoot } from "../harness/tools.ts";
import { kubeConfigForServiceAccount, sharedTestUsers } from "../harness/users.ts";

const GROUP = "harness.ipc.test";

// A structural schema with a CEL rule on spec, like the project's own CRDs.
const widgetCrd: CrdManifest = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: "Namespaced",
    names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: {
              spec: {
                type: "object",
                required: ["minReplicas", "maxReplicas"],
                properties: {
                  minReplicas: { type: "integer", minimum: 0 },
                  maxReplicas: { type: "integer", minimum: 0 },
                  owner: { type: "string", maxLength: 63 },
                },
                "x-kubernetes-validations": [
                  {
                    rule: "self.minReplicas <= self.maxReplicas",
                    message: "minReplicas must not exceed maxReplicas",
                  },
                ],
              },
              status: { type: "object", properties: { phase: { type: "string" } } },
            },
          },
        },
      },
    ],
  },
};

function widget(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: `${GROUP}/v1`, kind: "Widget", metadata: { name }, spec };
}

async function withNamespace<T>(prefix: string, body: (namespace: TestNamespace) => Promise<T>): Promise<T> {
  const namespace = await createTestNamespace(getTestEnvironment().kubeConfig, prefix);
  try {
    return await body(namespace);
  } finally {
    await namespace.cleanup();
  }
}

describe("the shared test control plane", () => {
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = getTestEnvironment();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ipc-crds-"));
    try {
      // Written as a file so the test goes through installCrds' YAML path, like crds/ does.
      fs.writeFileSync(path.join(dir, "widgets.yaml"), `---\n${toYaml(widgetCrd)}---\n`);
      expect(await installCrds(plane.kubeConfig, dir)).toEqual([`widgets.${GROUP}`]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("is kube-apiserver v1.34.4, reached over TLS verified with the generated CA", async () => {
    const version = await plane.kubeConfig.makeApiClient(VersionApi).getCode();
    expect(version.gitVersion).toBe("v1.34.4");

    const fromFile = new KubeConfig();
    fromFile.loadFromFile(plane.kubeconfigPath);
    const cluster = fromFile.getCurrentCluster();
    expect(cluster?.server).toBe(plane.server);
    expect(cluster?.skipTLSVerify).toBeFalsy();
    expect(cluster?.caData).toBeTruthy();
    expect((await kubeRequest(fromFile, "GET", "/readyz")).text).toBe("ok");
  });

  it("has the CRD Established with its structural schema", async () => {
    const crd = await plane.request(
      "GET",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.${GROUP}`,
    );
    const conditions = (crd.json as { status: { conditions: { type: string; status: string }[] } }).status
      .conditions;
    expect(conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "Established", status: "True" }),
        expect.objectContaining({ type: "NamesAccepted", status: "True" }),
      ]),
    );
    expect(conditions).not.toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "NonStructuralSchema" })]),
    );
  });

  it("accepts a valid custom object and rejects one that breaks the CEL rule", () =>
    withNamespace("cel", async ({ name: namespace }) => {
      const objects = plane.kubeConfig.makeApiClient(CustomObjectsApi);
      const created = (await objects.createNamespacedCustomObject({
        group: GROUP,
        version: "v1",
        namespace,
        plural: "widgets",
        body: widget("good", { minReplicas: 1, maxReplicas: 3 }),
      })) as { metadata: { uid?: string } };
      expect(created.metadata.uid).toBeTruthy();

      const rejected = await plane.request("POST", `/apis/${GROUP}/v1/namespaces/${namespace}/widgets`, {
        body: widget("bad", { minReplicas: 5, maxReplicas: 1 }),
      });
      expect(rejected.status).toBe(422);
      expect(rejected.json).toMatchObject({
        kind: "Status",
        status: "Failure",
        reason: "Invalid",
        code: 422,
        message:
          `Widget.${GROUP} "bad" is invalid: spec: Invalid value: "object": ` +
          "minReplicas must not exceed maxReplicas",
        details: {
          name: "bad",
          group: GROUP,
          kind: "Widget",
          causes: [
            {
              reason: "FieldValueInvalid",
              message: 'Invalid value: "object": minReplicas must not exceed maxReplicas',
              field: "spec",
            },
          ],
        },
      });

      // The generated client surfaces the same rejection as an ApiException.
      const error = await objects
        .createNamespacedCustomObject({
          group: GROUP,
          version: "v1",
          namespace,
          plural: "widgets",
          body: widget("bad", { minReplicas: 5, maxReplicas: 1 }),
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiException);
      expect((error as ApiException<unknown>).code).toBe(422);
    }));

  it("gives every test its own namespace and removes it with its objects", async () => {
    const kubeConfig = plane.kubeConfig;
    const first = await createTestNamespace(kubeConfig, "Same Prefix!");
    const second = await createTestNamespace(kubeConfig, "Same Prefix!");
    expect(first.name).toMatch(/^same-prefix-[0-9a-f]{8}$/);
    expect(second.name).not.toBe(first.name);

    const core = kubeConfig.makeApiClient(CoreV1Api);
    await core.createNamespacedConfigMap({ namespace: first.name, body: { metadata: { name: "cm" } } });
    await plane.kubeConfig.makeApiClient(CustomObjectsApi).createNamespacedCustomObject({
      group: GROUP,
      version: "v1",
      namespace: first.name,
      plural: "widgets",
      body: widget("w", { minReplicas: 0, maxReplicas: 0 }),
    });
    await first.cleanup();
    await second.cleanup();
    await first.cleanup(); // idempotent

    // Without kube-controller-manager a deleted namespace would stay Terminating; cleanup finishes it.
    for (const name of [first.name, second.name]) {
      expect((await plane.request("GET", `/api/v1/namespaces/${name}`)).status).toBe(404);
    }
    expect((await plane.request("GET", `/api/v1/namespaces/${first.name}/configmaps/cm`)).status).toBe(404);
    expect((await plane.request("GET", `/apis/${GROUP}/v1/namespaces/${first.name}/widgets/w`)).status).toBe(
      404,
    );
  });

  it("server-side applies with field managers, conflicts and forced ownership", () =>
    withNamespace("ssa", async ({ name: namespace }) => {
      const url = `/apis/${GROUP}/v1/namespaces/${namespace}/widgets/applied`;
      const apply = (manager: string, spec: Record<string, unknown>, force = false) =>
        plane.request("PATCH", `${url}?fieldManager=${manager}${force ? "&force=true" : ""}`, {
          body: widget("applied", spec),
          contentType: "application/apply-patch+yaml",
        });

      const first = await apply("manager-a", { minReplicas: 1, maxReplicas: 2, owner: "a" });
      expect(first.status).toBe(201);
      const managers = (
        first.json as { metadata: { managedFields: { manager: string; operation: string }[] } }
      ).metadata.managedFields;
      expect(managers).toEqual([expect.objectContaining({ manager: "manager-a", operation: "Apply" })]);

      const conflict = await apply("manager-b", { minReplicas: 1, maxReplicas: 2, owner: "b" });
      expect(conflict.status).toBe(409);
      expect((conflict.json as { message: string }).message).toBe(
        'Apply failed with 1 conflict: conflict with "manager-a": .spec.owner',
      );

      const forced = await apply("manager-b", { minReplicas: 1, maxReplicas: 2, owner: "b" }, true);
      expect(forced.status).toBe(200);
      const object = forced.json as {
        spec: { owner: string };
        metadata: { managedFields: { manager: string; fieldsV1: { "f:spec"?: Record<string, unknown> } }[] };
      };
      expect(object.spec.owner).toBe("b");
      const ownerOf = (manager: string) =>
        object.metadata.managedFields.find((m) => m.manager === manager)?.fieldsV1["f:spec"]?.["f:owner"];
      expect(ownerOf("manager-b")).toEqual({});
      expect(ownerOf("manager-a")).toBeUndefined();
    }));

  it("authenticates declared token users and service accounts, authorized by RBAC only", () =>
    withNamespace("rbac", async ({ name: namespace }) => {
      const [declared] = sharedTestUsers;
      expect(() => plane.kubeConfigForUser("nobody")).toThrow(/not declared/);
      expect(() => plane.kubeConfigForUser(declared.name, ["system:masters"])).toThrow(
        /declared with groups/,
      );
      const asUser = plane.kubeConfigForUser(declared.name, declared.groups);
      const asServiceAccount = await kubeConfigForServiceAccount(plane.kubeConfig, namespace, "controller");

      const whoAmI = async (kubeConfig: KubeConfig) => {
        const review = await kubeRequest(
          kubeConfig,
          "POST",
          "/apis/authentication.k8s.io/v1/selfsubjectreviews",
          {
            body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
          },
        );
        return (review.json as { status: { userInfo: { username: string; groups: string[] } } }).status
          .userInfo;
      };
      expect(await whoAmI(asUser)).toMatchObject({
        username: "test-unprivileged",
        groups: expect.arrayContaining(["test-group", "system:authenticated"]),
      });
      expect(await whoAmI(asServiceAccount)).toMatchObject({
        username: `system:serviceaccount:${namespace}:controller`,
        groups: expect.arrayContaining(["system:serviceaccounts", `system:serviceaccounts:${namespace}`]),
      });

      const listWidgets = (kubeConfig: KubeConfig) =>
        kubeRequest(kubeConfig, "GET", `/apis/${GROUP}/v1/namespaces/${namespace}/widgets`);
      expect((await listWidgets(asUser)).status).toBe(403);
      expect((await listWidgets(asServiceAccount)).status).toBe(403);

      const rbac = plane.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace,
        body: {
          metadata: { name: "widget-reader" },
          rules: [{ apiGroups: [GROUP], resources: ["widgets"], verbs: ["get", "list", "watch"] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace,
        body: {
          metadata: { name: "widget-readers" },
          roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "widget-reader" },
          subjects: [
            { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "test-group" },
            { kind: "ServiceAccount", name: "controller", namespace },
          ],
        },
      });
      expect((await listWidgets(asUser)).status).toBe(200);
      expect((await listWidgets(asServiceAccount)).status).toBe(200);
      // Read only: writes stay forbidden.
      const write = await kubeRequest(asUser, "POST", `/apis/${GROUP}/v1/namespaces/${namespace}/widgets`, {
        body: widget("w", { minReplicas: 0, maxReplicas: 0 }),
      });
      expect(write.status).toBe(403);
    }));
});

describe("a private control plane", () => {
  let plane: ControlPlane;

  beforeAll(async () => {
    plane = await startControlPlane({ users: [{ name: "alice", groups: ["devs"] }] });
  }, 120_000);

  afterAll(async () => {
    await plane?.stop();
  }, 60_000);

  it("keeps etcd's data and serves the same clients after the API server restarts", async () => {
    const core = plane.kubeConfig.makeApiClient(CoreV1Api);
    const objects = plane.kubeConfig.makeApiClient(CustomObjectsApi);
    await applyCrds(plane.kubeConfig, [widgetCrd]);
    await core.createNamespace({ body: { metadata: { name: "before-restart" } } });
    await core.createNamespacedConfigMap({
      namespace: "before-restart",
      body: { metadata: { name: "kept" }, data: { key: "value" } },
    });
    const widgets = { group: GROUP, version: "v1", namespace: "before-restart", plural: "widgets" };
    await objects.createNamespacedCustomObject({
      ...widgets,
      body: widget("kept", { minReplicas: 1, maxReplicas: 1 }),
    });

    // Through a second handle on the state file, as a test file does with the shared control plane.
    const handle = attachControlPlane(plane.stateFile);
    const before = readState(plane.stateFile)?.apiServer.process;
    await handle.stopApiServer();
    expect(handle.apiServerRunning).toBe(false);
    await expect(
      core.readNamespacedConfigMap({ namespace: "before-restart", name: "kept" }),
    ).rejects.toThrow();
    await handle.startApiServer();
    const after = readState(plane.stateFile)?.apiServer.process;
    expect(after?.pid).not.toBe(before?.pid);

    // The same client instances reconnect; etcd kept the data; custom resources can be listed at
    // once (no 429 while their watch cache initializes).
    const kept = await core.readNamespacedConfigMap({ namespace: "before-restart", name: "kept" });
    expect(kept.data).toEqual({ key: "value" });
    const listed = (await objects.listNamespacedCustomObject(widgets)) as {
      items: { metadata: { name: string } }[];
    };
    expect(listed.items.map((item) => item.metadata.name)).toEqual(["kept"]);

    await plane.restartApiServer();
    const configMaps = await core.listNamespacedConfigMap({ namespace: "before-restart" });
    expect(configMaps.items.map((c) => c.metadata?.name)).toEqual(["kept"]);
    await objects.createNamespacedCustomObject({
      ...widgets,
      body: widget("after", { minReplicas: 0, maxReplicas: 0 }),
    });
  }, 120_000);

  it("declares token users before start and writes kubeconfig files for them", async () => {
    const file = plane.kubeconfigFileForUser("alice", ["devs"]);
    const alice = new KubeConfig();
    alice.loadFromFile(file);
    const namespaces = await kubeRequest(alice, "GET", "/api/v1/namespaces");
    expect(namespaces.status).toBe(403);
    expect((namespaces.json as { message: string }).message).toBe(
      'namespaces is forbidden: User "alice" cannot list resource "namespaces" in API group "" at the cluster scope',
    );
  });

  it("stops every process and removes its directory", async () => {
    const other = await startControlPlane();
    const state = readState(other.stateFile);
    const processes = [state?.etcd.process, state?.apiServer.process, state?.watchdog].filter(
      (p): p is ProcessRecord => p !== null && p !== undefined,
    );
    expect(processes).toHaveLength(3);
    await other.stop();
    expect(processes.filter(isRunning)).toEqual([]);
    expect(fs.existsSync(other.dir)).toBe(false);
    await other.stop(); // idempotent
  }, 120_000);

  it("is stopped by its watchdog when the process that started it dies", async () => {
    const controlplaneModule = path.join(repoRoot, "test", "harness", "controlplane.ts");
    const script =
      `import { startControlPlane } from ${JSON.stringify(controlplaneModule)};` +
      "const plane = await startControlPlane(); console.log(plane.stateFile); setInterval(() => {}, 1000);";
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const stateFile = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.trim());
        });
        child.once("exit", (code) => reject(new Error(`the child exited with ${code} before starting`)));
      });
      const state = readState(stateFile);
      const servers = [state?.etcd.process, state?.apiServer.process].filter(
        (p): p is ProcessRecord => p !== null && p !== undefined,
      );
      expect(servers.filter(isRunning)).toHaveLength(2);

      child.kill("SIGKILL"); // no chance to clean up
      const deadline = Date.now() + 20_000;
      while (servers.some(isRunning) && Date.now() < deadline) await sleep(100);
      expect(servers.filter(isRunning)).toEqual([]);
      while (fs.existsSync(path.dirname(stateFile)) && Date.now() < deadline) await sleep(100);
      expect(fs.existsSync(path.dirname(stateFile))).toBe(false);
    } finally {
      child.kill("SIGKILL");
    }
  }, 120_000);
});
