import { describe, expect, it } from "@jest/globals";
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { NodePolicy } from "./node-policy.ts";
import { poolRollout, poolsReached, selectorMatches } from "./pools.ts";

const role = (r: string) => ({ "machineconfiguration.openshift.io/role": r });

const pool = (
  name: string,
  selector: MachineConfigPool["spec"]["machineConfigSelector"],
  extra: object = {},
) =>
  ({
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfigPool",
    metadata: { name },
    spec: { machineConfigSelector: selector },
    ...extra,
  }) as MachineConfigPool;

describe("pools a generated MachineConfig reaches", () => {
  it("follows matchLabels and matchExpressions as the API server does", () => {
    expect(selectorMatches({ matchLabels: role("worker") }, role("worker"))).toBe(true);
    expect(selectorMatches({ matchLabels: role("worker") }, role("master"))).toBe(false);
    const infra = {
      matchExpressions: [
        { key: "machineconfiguration.openshift.io/role", operator: "In", values: ["worker", "infra"] },
      ],
    };
    expect(selectorMatches(infra, role("worker"))).toBe(true);
    expect(
      selectorMatches({ matchExpressions: [{ key: "x", operator: "DoesNotExist" }] }, role("worker")),
    ).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: "x", operator: "Exists" }] }, role("worker"))).toBe(
      false,
    );
    expect(selectorMatches({}, role("worker"))).toBe(true);
    expect(selectorMatches(undefined, role("worker"))).toBe(false);
    const pools = [
      pool("worker", { matchLabels: role("worker") }),
      pool("infra", infra),
      pool("gpu", { matchLabels: role("gpu") }),
    ];
    expect(poolsReached(pools, [role("master"), role("worker")]).map((p) => p.metadata.name)).toEqual([
      "worker",
      "infra",
    ]);
  });

  it("reads a pool's configurations, counts and conditions", () => {
    const seen: string[] = [];
    const node: NodePolicy = new Map();
    const rollout = poolRollout(
      pool(
        "worker",
        { matchLabels: role("worker") },
        {
          spec: { configuration: { name: "rendered-worker-new" } },
          status: {
            configuration: { name: "rendered-worker-old" },
            machineCount: 5,
            updatedMachineCount: 3,
            conditions: [
              { type: "Updated", status: "False" },
              { type: "Degraded", status: "True", message: "Node w-2 is reporting: drain failed" },
            ],
          },
        },
      ),
      (name) => {
        seen.push(name);
        return node;
      },
    );
    expect(seen).toEqual(["rendered-worker-old", "rendered-worker-new"]);
    expect(rollout).toEqual({
      name: "worker",
      current: node,
      target: node,
      machineCount: 5,
      updatedMachineCount: 3,
      updated: false,
      degraded: "Node w-2 is reporting: drain failed",
    });
  });
});
