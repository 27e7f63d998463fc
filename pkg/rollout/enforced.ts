// The `Enforced` condition of a policy: whether CRI-O on every node of every pool the policy reaches
// runs a configuration carrying the policy's current requirements, and if not, where the rollout
// stands. Decided from the pools' status and the node policy their rendered MachineConfigs
// deliver (node-policy.ts), never from what this controller wrote: the Machine Config Operator may
// not have merged or rolled it out yet.
import type { Condition } from "../apis/meta.ts";
import type { PolicyRequirement } from "../containers/policy.ts";
import { carries, policyFilePath, type NodePolicy } from "./node-policy.ts";

export const CONDITION_ENFORCED = "Enforced";

/** What a policy needs on the nodes. */
export interface PolicyExpectation {
  /** Set for an ImagePolicy: its requirements live in that namespace's file. */
  namespace?: string;
  scopes: readonly string[];
  requirement: PolicyRequirement;
  generation?: number;
}

/** A pool as the rollout sees it. `undefined` node policy: the rendered MachineConfig could not be read. */
export interface PoolRollout {
  name: string;
  /** The rendered configuration every updated machine runs (status.configuration). */
  current: NodePolicy | undefined;
  /** The rendered configuration the pool is moving to (spec.configuration). */
  target: NodePolicy | undefined;
  machineCount: number;
  updatedMachineCount: number;
  /** The pool's Updated condition is True. */
  updated: boolean;
  /** The pool's Degraded condition message, when it is True. */
  degraded?: string;
}

export type EnforcedReason =
  | "Enforced"
  | "RollingOut"
  | "Pending"
  | "PoolDegraded"
  | "PoolsUnknown"
  | "NoPools"
  /** The policy has no scope in the node files (Invalid, Ignored, every scope in conflict). */
  | "NotApplied";

export type EnforcedCondition = Omit<Condition, "lastTransitionTime"> & { reason: EnforcedReason };

/**
 * The Enforced condition for one policy over the pools it reaches (pools whose machineConfigSelector
 * picks the MachineConfig that carries it; a pool it does not reach never holds it back).
 */
export function enforcedCondition(
  policy: PolicyExpectation,
  pools: readonly PoolRollout[],
): EnforcedCondition {
  const observed = policy.generation !== undefined ? { observedGeneration: policy.generation } : {};
  const condition = (
    status: Condition["status"],
    reason: EnforcedReason,
    message: string,
  ): EnforcedCondition => ({
    type: CONDITION_ENFORCED,
    status,
    reason,
    message,
    ...observed,
  });
  if (pools.length === 0) {
    return condition("False", "NoPools", "no MachineConfigPool receives the generated MachineConfig");
  }
  const unreadable = pools.filter((p) => p.current === undefined || p.target === undefined);
  if (unreadable.length > 0) {
    return condition(
      "Unknown",
      "PoolsUnknown",
      `the rendered configuration of ${unreadable.map((p) => p.name).join(", ")} cannot be read`,
    );
  }
  const path = policyFilePath(policy.namespace);
  const has = (node: NodePolicy | undefined): boolean =>
    node !== undefined && carries(node, path, policy.scopes, policy.requirement);
  const done = (p: PoolRollout): boolean =>
    has(p.current) && p.updated && p.machineCount === p.updatedMachineCount;
  if (pools.every(done)) {
    return condition(
      "True",
      "Enforced",
      `enforced on every node: ${pools.map((p) => `${p.name}: done`).join("; ")}`,
    );
  }
  // A degraded pool that is moving to a configuration carrying the policy stalls its rollout.
  const stalled = pools.filter((p) => p.degraded !== undefined && !done(p) && has(p.target));
  if (stalled.length > 0) {
    return condition(
      "False",
      "PoolDegraded",
      stalled.map((p) => `${p.name} is degraded: ${p.degraded ?? ""}`).join("; "),
    );
  }
  const waiting = pools.filter((p) => !done(p) && !has(p.target));
  if (waiting.length > 0) {
    return condition(
      "False",
      "Pending",
      `no rendered configuration carries it yet on ${waiting.map((p) => p.name).join(", ")}`,
    );
  }
  return condition(
    "False",
    "RollingOut",
    pools
      .map((p) =>
        done(p)
          ? `${p.name}: done`
          : `${p.name}: ${p.updatedMachineCount} of ${p.machineCount} machines updated`,
      )
      .join("; "),
  );
}
