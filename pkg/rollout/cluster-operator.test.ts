import { describe, expect, it } from "@jest/globals";
import {
  clusterOperatorConditions,
  nextClusterOperatorStatus,
  type ClusterOperatorInputs,
} from "./cluster-operator.ts";
import type { EnforcedCondition } from "./enforced.ts";

const enforced = (reason: EnforcedCondition["reason"], message: string): EnforcedCondition => ({
  type: "Enforced",
  status: reason === "Enforced" ? "True" : "False",
  reason,
  message,
});

const inputs = (fields: Partial<ClusterOperatorInputs>): ClusterOperatorInputs => ({
  version: "1.2.3",
  namespace: "image-policy-system",
  synced: true,
  renderErrors: [],
  enforced: [],
  machineConfigs: ["99-worker-generated-registries"],
  ...fields,
});

const byType = (conditions: ReturnType<typeof clusterOperatorConditions>) =>
  Object.fromEntries(conditions.map((c) => [c.type, [c.status, c.reason]]));

describe("the image-policy ClusterOperator", () => {
  it("is Available and settled when every policy is enforced", () => {
    expect(
      byType(
        clusterOperatorConditions(
          inputs({ enforced: [{ policy: "a", condition: enforced("Enforced", "") }] }),
        ),
      ),
    ).toEqual({
      Available: ["True", "AsExpected"],
      Progressing: ["False", "AsExpected"],
      Degraded: ["False", "AsExpected"],
      Upgradeable: ["True", "AsExpected"],
    });
    expect(byType(clusterOperatorConditions(inputs({ synced: false }))).Available).toEqual([
      "False",
      "NotYetSynced",
    ]);
  });

  it("is Progressing while a policy rolls out, Degraded when a pool stalls it or a render is refused", () => {
    const rolling = clusterOperatorConditions(
      inputs({
        enforced: [
          {
            policy: "ClusterImagePolicy a",
            condition: enforced("RollingOut", "worker: 3 of 5 machines updated"),
          },
        ],
      }),
    );
    expect(rolling[1]).toEqual({
      type: "Progressing",
      status: "True",
      reason: "RollingOut",
      message: "rolling out 1 policy to the nodes: ClusterImagePolicy a: worker: 3 of 5 machines updated",
    });
    const stalled = clusterOperatorConditions(
      inputs({
        renderErrors: ["the files cannot fit in one MachineConfig"],
        enforced: [
          {
            policy: "ClusterImagePolicy a",
            condition: enforced("PoolDegraded", "worker is degraded: drain failed"),
          },
        ],
      }),
    );
    expect(stalled[2]).toMatchObject({
      type: "Degraded",
      status: "True",
      reason: "RenderRefused_PoolDegraded",
    });
    expect(stalled[2]?.message).toContain(
      "nodes keep the last good configuration: the files cannot fit in one MachineConfig",
    );
    expect(stalled[2]?.message).toContain("worker is degraded: drain failed");
  });

  it("keeps transition times of unchanged conditions and writes nothing when nothing changes", () => {
    const first = nextClusterOperatorStatus(undefined, inputs({}), "2026-01-01T00:00:00Z");
    expect(first?.versions).toEqual([{ name: "operator", version: "1.2.3" }]);
    expect(first?.relatedObjects).toContainEqual({
      group: "machineconfiguration.openshift.io",
      resource: "machineconfigs",
      name: "99-worker-generated-registries",
    });
    expect(nextClusterOperatorStatus(first, inputs({}), "2026-01-02T00:00:00Z")).toBeUndefined();
    const later = nextClusterOperatorStatus(first, inputs({ renderErrors: ["x"] }), "2026-01-03T00:00:00Z");
    const time = (type: string) => later?.conditions?.find((c) => c.type === type)?.lastTransitionTime;
    expect(time("Degraded")).toBe("2026-01-03T00:00:00Z");
    expect(time("Available")).toBe("2026-01-01T00:00:00Z");
  });
});
