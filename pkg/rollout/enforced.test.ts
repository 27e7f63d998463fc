import { describe, expect, it } from "@jest/globals";
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import type { PolicyRequirement } from "../containers/policy.ts";
import { ignitionConfig, ignitionFile } from "../ignition/ignition.ts";
import { enforcedCondition, type PoolRollout } from "./enforced.ts";
import { carries, nodePolicyOf, type NodePolicy } from "./node-policy.ts";

const requirement: PolicyRequirement = {
  type: "sigstoreSigned",
  keyData: "a2V5",
  signedIdentity: { type: "matchRepoDigestOrExact" },
};
const older: PolicyRequirement = { ...requirement, keyData: "b2xk" };

function rendered(files: Record<string, unknown>, options: { gzip?: boolean } = {}): MachineConfig {
  return {
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfig",
    metadata: { name: "rendered-worker-abc" },
    spec: {
      config: ignitionConfig(
        Object.entries(files).map(([path, doc]) =>
          ignitionFile(path, Buffer.from(JSON.stringify(doc)), options),
        ),
      ) as unknown as Record<string, unknown>,
    },
  };
}

const policyWith = (scopes: Record<string, PolicyRequirement[]>) => ({
  default: [{ type: "insecureAcceptAnything" }],
  transports: { docker: scopes },
});

const carrying: NodePolicy = nodePolicyOf(
  rendered({
    "/etc/containers/policy.json": policyWith({ "quay.io/team": [requirement], "quay.io/other": [older] }),
    "/etc/crio/policies/team-a.json": policyWith({ "ghcr.io/a": [requirement] }),
  }),
);
const notCarrying: NodePolicy = nodePolicyOf(
  rendered({ "/etc/containers/policy.json": policyWith({ "quay.io/team": [older] }) }),
);

const pool = (name: string, fields: Partial<PoolRollout>): PoolRollout => ({
  name,
  current: carrying,
  target: carrying,
  machineCount: 3,
  updatedMachineCount: 3,
  updated: true,
  ...fields,
});

const cluster = { scopes: ["quay.io/team"], requirement, generation: 4 };

describe("node policy of a rendered MachineConfig", () => {
  it("matches requirements semantically, whatever the key order or compression", () => {
    const reordered = nodePolicyOf(
      rendered(
        {
          "/etc/containers/policy.json": {
            transports: {
              docker: {
                "quay.io/team": [
                  {
                    signedIdentity: { type: "matchRepoDigestOrExact" },
                    keyData: "a2V5",
                    type: "sigstoreSigned",
                  },
                ],
              },
            },
          },
        },
        { gzip: true },
      ),
    );
    expect(carries(reordered, "/etc/containers/policy.json", ["quay.io/team"], requirement)).toBe(true);
    expect(
      carries(carrying, "/etc/containers/policy.json", ["quay.io/team", "quay.io/other"], requirement),
    ).toBe(false);
    expect(carries(carrying, "/etc/crio/policies/team-a.json", ["ghcr.io/a"], requirement)).toBe(true);
    expect(carries(carrying, "/etc/crio/policies/team-b.json", ["ghcr.io/a"], requirement)).toBe(false);
  });

  it("keeps only policy files, and counts an unreadable one as carrying nothing", () => {
    const mc = rendered({
      "/etc/containers/policy.json": policyWith({ "quay.io/team": [requirement] }),
      "/etc/motd": {},
    });
    (
      mc.spec?.config as { storage: { files: { contents: { source: string } }[] } }
    ).storage.files[0]!.contents.source = "data:,not-json";
    const node = nodePolicyOf(mc);
    expect([...node.keys()]).toEqual(["/etc/containers/policy.json"]);
    expect(node.get("/etc/containers/policy.json")?.size).toBe(0);
  });
});

describe("the Enforced condition", () => {
  it("is True only when every reached pool runs it on every machine", () => {
    expect(enforcedCondition(cluster, [pool("worker", {}), pool("master", {})])).toEqual({
      type: "Enforced",
      status: "True",
      reason: "Enforced",
      message: "enforced on every node: worker: done; master: done",
      observedGeneration: 4,
    });
  });

  it("is Pending while no target carries it, RollingOut with counts while machines update", () => {
    const pending = enforcedCondition(cluster, [
      pool("worker", { current: notCarrying, target: notCarrying }),
    ]);
    expect([pending.status, pending.reason, pending.message]).toEqual([
      "False",
      "Pending",
      "no rendered configuration carries it yet on worker",
    ]);
    const rolling = enforcedCondition(cluster, [
      pool("worker", { current: notCarrying, updatedMachineCount: 3, machineCount: 5, updated: false }),
      pool("master", {}),
    ]);
    expect([rolling.status, rolling.reason, rolling.message]).toEqual([
      "False",
      "RollingOut",
      "worker: 3 of 5 machines updated; master: done",
    ]);
    // All machines counted as updated but the pool has not switched its current configuration yet.
    const switching = enforcedCondition(cluster, [pool("worker", { current: notCarrying })]);
    expect(switching.reason).toBe("RollingOut");
  });

  it("names a degraded pool that carries the rollout; a degraded pool already done does not count", () => {
    const degraded = enforcedCondition(cluster, [
      pool("worker", {
        current: notCarrying,
        updated: false,
        updatedMachineCount: 1,
        degraded: "node w-2: drain failed",
      }),
    ]);
    expect([degraded.status, degraded.reason, degraded.message]).toEqual([
      "False",
      "PoolDegraded",
      "worker is degraded: node w-2: drain failed",
    ]);
    expect(enforcedCondition(cluster, [pool("worker", { degraded: "unrelated" })]).status).toBe("True");
  });

  it("is Unknown when a rendered configuration cannot be read, and False without pools", () => {
    expect(enforcedCondition(cluster, [pool("worker", { target: undefined })])).toMatchObject({
      status: "Unknown",
      reason: "PoolsUnknown",
    });
    expect(enforcedCondition(cluster, [])).toMatchObject({ status: "False", reason: "NoPools" });
  });

  it("looks for an ImagePolicy in its namespace's file", () => {
    expect(
      enforcedCondition({ namespace: "team-a", scopes: ["ghcr.io/a"], requirement }, [pool("worker", {})])
        .status,
    ).toBe("True");
    expect(
      enforcedCondition({ namespace: "team-b", scopes: ["ghcr.io/a"], requirement }, [pool("worker", {})])
        .reason,
    ).toBe("Pending");
  });
});
