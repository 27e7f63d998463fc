// pkg/kube's REST layer against a real kube-apiserver: server-side apply with a field manager
// (create, update, no-op, conflicts, field ownership), the status subresource, optimistic
// concurrency, and the typed errors.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import { KubeClient, type ResourceClient } from "../../pkg/kube/client.ts";
import { setCondition } from "../../pkg/kube/conditions.ts";
import {
  isConflict,
  isInvalid,
  isMissingResourceType,
  isNotFound,
  KubeApiError,
} from "../../pkg/kube/errors.ts";
import { CLUSTER_IMAGE_POLICIES, MACHINE_CONFIGS } from "../../pkg/kube/resources.ts";
import { getTestEnvironment } from "../harness/env.ts";

const plane = getTestEnvironment();
const run = crypto.randomBytes(3).toString("hex");
const MANAGER = "image-policy-controller";
const KEY_DATA = Buffer.from(
  "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEKNkqqCeTubXTagqs+AXLaxW69349\nMShW63AuPdIw/H2pWtzw+i++cyeo1Hdlw+jcLkMeIEUSEeySMgtRBk4iSg==\n-----END PUBLIC KEY-----",
).toString("base64");

let client: KubeClient;
let machineConfigs: ResourceClient<MachineConfig>;
let policies: ResourceClient<ClusterImagePolicy>;
const created: (() => Promise<unknown>)[] = [];

function machineConfig(name: string, files: string[]): MachineConfig {
  return {
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfig",
    metadata: { name, labels: { "machineconfiguration.openshift.io/role": "worker" } },
    spec: {
      config: {
        ignition: { version: "3.4.0" },
        storage: { files: files.map((path) => ({ path, mode: 420, contents: { source: "data:,x" } })) },
      },
    },
  };
}

beforeAll(() => {
  client = new KubeClient(plane.kubeConfig);
  machineConfigs = client.resource(MACHINE_CONFIGS);
  policies = client.resource(CLUSTER_IMAGE_POLICIES);
});

afterAll(async () => {
  await Promise.allSettled(created.map((remove) => remove()));
  client.close();
});

describe("server-side apply", () => {
  it("creates, then updates a MachineConfig; an identical apply does not write", async () => {
    const name = `99-worker-generated-registries-${run}`;
    created.push(() => machineConfigs.delete(name));
    const first = await machineConfigs.apply(machineConfig(name, ["/etc/containers/policy.json"]), {
      fieldManager: MANAGER,
    });
    expect(first.metadata.uid).toBeTruthy();
    const managers = (first.metadata as { managedFields?: { manager: string; operation: string }[] })
      .managedFields;
    expect(managers?.map((m) => [m.manager, m.operation])).toEqual([[MANAGER, "Apply"]]);

    const second = await machineConfigs.apply(
      machineConfig(name, [
        "/etc/containers/policy.json",
        "/etc/containers/registries.d/sigstore-registries.yaml",
      ]),
      { fieldManager: MANAGER },
    );
    expect(second.metadata.resourceVersion).not.toBe(first.metadata.resourceVersion);
    expect(second.metadata.uid).toBe(first.metadata.uid);
    expect((second.spec.config as { storage: { files: unknown[] } }).storage.files).toHaveLength(2);

    const third = await machineConfigs.apply(
      machineConfig(name, [
        "/etc/containers/policy.json",
        "/etc/containers/registries.d/sigstore-registries.yaml",
      ]),
      { fieldManager: MANAGER },
    );
    expect(third.metadata.resourceVersion).toBe(second.metadata.resourceVersion);
    expect((await machineConfigs.get(name)).metadata.resourceVersion).toBe(second.metadata.resourceVersion);
  });

  it("removes fields the manager stops applying, and keeps other managers' fields", async () => {
    const name = `99-ownership-${run}`;
    created.push(() => machineConfigs.delete(name));
    const withKernelArgs = {
      ...machineConfig(name, []),
      spec: { ...machineConfig(name, []).spec, kernelArguments: ["a=1"] },
    };
    await machineConfigs.apply(withKernelArgs, { fieldManager: MANAGER });
    await machineConfigs.mergePatch(
      name,
      undefined,
      { metadata: { annotations: { "someone-else": "yes" } } },
      {
        fieldManager: "kubectl-edit",
      },
    );
    const after = await machineConfigs.apply(machineConfig(name, []), { fieldManager: MANAGER });
    expect(after.spec.kernelArguments).toBeUndefined();
    expect(after.metadata.annotations).toEqual({ "someone-else": "yes" });
  });

  it("reports a conflict with another manager unless forced", async () => {
    const name = `99-conflict-${run}`;
    created.push(() => machineConfigs.delete(name));
    await machineConfigs.apply(
      { ...machineConfig(name, []), spec: { osImageURL: "quay.io/os:1" } },
      { fieldManager: "other" },
    );
    const conflict = await machineConfigs
      .apply(
        { ...machineConfig(name, []), spec: { osImageURL: "quay.io/os:2" } },
        { fieldManager: MANAGER, force: false },
      )
      .catch((error: unknown) => error);
    expect(isConflict(conflict)).toBe(true);
    expect((conflict as KubeApiError).message).toContain("conflict");
    const forced = await machineConfigs.apply(
      { ...machineConfig(name, []), spec: { osImageURL: "quay.io/os:2" } },
      { fieldManager: MANAGER },
    );
    expect(forced.spec.osImageURL).toBe("quay.io/os:2");
  });

  it("applies status on a ClusterImagePolicy without touching its spec; an identical status apply does not write", async () => {
    const name = `cip-status-${run}`;
    created.push(() => policies.delete(name));
    const spec = {
      scopes: ["registry.example.com/team"],
      policy: { rootOfTrust: { policyType: "PublicKey", publicKey: { keyData: KEY_DATA } } },
    } as ClusterImagePolicy["spec"];
    const policy: ClusterImagePolicy = {
      apiVersion: "config.openshift.io/v1",
      kind: "ClusterImagePolicy",
      metadata: { name },
      spec,
    };
    const createdPolicy = await policies.apply(policy, { fieldManager: "platform-admin" });
    expect(createdPolicy.metadata.generation).toBe(1);

    const conditions = setCondition(
      [],
      { type: "Applied", status: "True", reason: "Rendered", message: "in 2 pools", observedGeneration: 1 },
      Date.now(),
    );
    const statusOnly = {
      apiVersion: policy.apiVersion,
      kind: policy.kind,
      metadata: { name },
      status: { conditions },
    };
    const withStatus = await policies.applyStatus(statusOnly as ClusterImagePolicy, {
      fieldManager: MANAGER,
    });
    expect(withStatus.status?.conditions).toEqual(conditions);
    expect(withStatus.spec).toEqual(spec);
    expect(withStatus.metadata.generation).toBe(1); // status writes do not bump the generation

    const again = await policies.applyStatus(statusOnly as ClusterImagePolicy, { fieldManager: MANAGER });
    expect(again.metadata.resourceVersion).toBe(withStatus.metadata.resourceVersion);

    // The main resource ignores status, the status subresource ignores spec.
    const ignored = await policies.applyStatus(
      { ...statusOnly, spec: { ...spec, scopes: ["evil.example.com"] } } as ClusterImagePolicy,
      { fieldManager: MANAGER },
    );
    expect(ignored.spec.scopes).toEqual(["registry.example.com/team"]);
  });

  it("rejects an invalid status with the API server's reason", async () => {
    const name = `cip-invalid-${run}`;
    created.push(() => policies.delete(name));
    await policies.apply(
      {
        apiVersion: "config.openshift.io/v1",
        kind: "ClusterImagePolicy",
        metadata: { name },
        spec: {
          scopes: ["registry.example.com/x"],
          policy: { rootOfTrust: { policyType: "PublicKey", publicKey: { keyData: KEY_DATA } } },
        } as ClusterImagePolicy["spec"],
      },
      { fieldManager: MANAGER },
    );
    const error = await policies
      .applyStatus(
        {
          apiVersion: "config.openshift.io/v1",
          kind: "ClusterImagePolicy",
          metadata: { name },
          status: {
            conditions: [
              { type: "Applied", status: "Maybe", reason: "", message: "", lastTransitionTime: "x" },
            ],
          },
        } as unknown as ClusterImagePolicy,
        { fieldManager: MANAGER },
      )
      .catch((e: unknown) => e);
    expect(isInvalid(error)).toBe(true);
    expect((error as KubeApiError).details?.causes?.length).toBeGreaterThan(0);
  });
});

describe("optimistic concurrency and errors", () => {
  it("update with a stale resourceVersion is a conflict; get after delete is not found", async () => {
    const name = `99-occ-${run}`;
    const object = await machineConfigs.create(machineConfig(name, []));
    const updated = await machineConfigs.update({ ...object, spec: { osImageURL: "quay.io/os:1" } });
    expect(updated.metadata.resourceVersion).not.toBe(object.metadata.resourceVersion);
    const stale = await machineConfigs
      .update({ ...object, spec: { osImageURL: "quay.io/os:2" } })
      .catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    await machineConfigs.delete(name, undefined, { preconditions: { uid: object.metadata.uid } });
    const gone = await machineConfigs.get(name).catch((e: unknown) => e);
    expect(isNotFound(gone)).toBe(true);
    expect(gone).toMatchObject({ statusCode: 404, reason: "NotFound" });
  });

  it("keeps fields the typed client-node models would not know", async () => {
    const name = `99-unknown-${run}`;
    created.push(() => machineConfigs.delete(name));
    const object = machineConfig(name, []);
    (object.spec.config as Record<string, unknown>).passwd = {
      users: [{ name: "core", sshAuthorizedKeys: ["ssh-ed25519 AAAA"] }],
    };
    await machineConfigs.apply(object, { fieldManager: MANAGER });
    const read = await machineConfigs.get(name);
    expect(read.spec.config).toMatchObject({ passwd: { users: [{ name: "core" }] } });
  });

  it("tells a missing resource type (no CRD) from a missing object of a served type", async () => {
    const missingObject = await policies.get(`absent-${run}`).catch((e: unknown) => e);
    expect(isNotFound(missingObject)).toBe(true);
    expect(isMissingResourceType(missingObject, `absent-${run}`)).toBe(false);
    // A kind this API server does not serve, in a group it does serve (as ClusterOperator is absent
    // from a plain Kubernetes cluster): the controller reports no operator status there.
    const unserved = client.resource<ClusterImagePolicy>({
      group: "config.openshift.io",
      version: "v1",
      plural: "nosuchkinds",
      kind: "NoSuchKind",
      namespaced: false,
    });
    const missingType = await unserved.get("image-policy").catch((e: unknown) => e);
    expect(isNotFound(missingType)).toBe(true);
    expect(isMissingResourceType(missingType, "image-policy")).toBe(true);
  });
});
