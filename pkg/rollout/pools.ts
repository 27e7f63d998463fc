// MachineConfigPools as the rollout sees them: which pools a generated MachineConfig reaches (their
// machineConfigSelector picks it), which rendered configurations they run and move to, and how far
// their machines are.
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { LabelSelector } from "../apis/meta.ts";
import type { PoolRollout } from "./enforced.ts";
import type { NodePolicy } from "./node-policy.ts";

/** metav1.LabelSelector matching (matchLabels and the four operators): none selects nothing, an empty one all. */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string>,
): boolean {
  if (!selector) return false; // a pool without a selector selects no MachineConfig
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const requirement of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, requirement.key);
    const value = labels[requirement.key];
    const values = requirement.values ?? [];
    switch (requirement.operator) {
      case "In":
        if (!has || !values.includes(value ?? "")) return false;
        break;
      case "NotIn":
        if (has && values.includes(value ?? "")) return false;
        break;
      case "Exists":
        if (!has) return false;
        break;
      case "DoesNotExist":
        if (has) return false;
        break;
      default:
        return false; // an unknown operator matches nothing, as the API server's parser refuses it
    }
  }
  return true;
}

/** The pools whose machineConfigSelector picks at least one of these MachineConfigs' label sets. */
export function poolsReached(
  pools: readonly MachineConfigPool[],
  machineConfigLabels: readonly Record<string, string>[],
): MachineConfigPool[] {
  return pools.filter((pool) =>
    machineConfigLabels.some((labels) => selectorMatches(pool.spec?.machineConfigSelector, labels)),
  );
}

const NOTHING: NodePolicy = new Map();

interface PoolStatus {
  configuration?: { name?: string };
  machineCount?: number;
  updatedMachineCount?: number;
  conditions?: { type?: string; status?: string; message?: string }[];
}

/** The rendered configurations a pool runs (status) and moves to (spec); undefined when not set yet. */
export function poolConfigurations(pool: MachineConfigPool): { current?: string; target?: string } {
  const spec = pool.spec as { configuration?: { name?: string } } | undefined;
  const status = pool.status as PoolStatus | undefined;
  const names: { current?: string; target?: string } = {};
  if (status?.configuration?.name) names.current = status.configuration.name;
  if (spec?.configuration?.name) names.target = spec.configuration.name;
  return names;
}

/** A pool's rollout, with the node policy of each rendered configuration from `nodePolicy`. */
export function poolRollout(
  pool: MachineConfigPool,
  nodePolicy: (renderedName: string) => NodePolicy | undefined,
): PoolRollout {
  const status = (pool.status ?? {}) as PoolStatus;
  const { current, target } = poolConfigurations(pool);
  const condition = (type: string) => status.conditions?.find((c) => c.type === type);
  const degraded = condition("Degraded");
  // A pool MCO has not rendered for yet runs nothing of ours: an empty node policy, not an unknown one.
  const of = (name: string | undefined): NodePolicy | undefined =>
    name === undefined ? NOTHING : nodePolicy(name);
  const rollout: PoolRollout = {
    name: pool.metadata.name ?? "",
    current: of(current),
    // MCO sets spec.configuration first; until it does, the pool is moving nowhere new.
    target: of(target ?? current),
    machineCount: status.machineCount ?? 0,
    updatedMachineCount: status.updatedMachineCount ?? 0,
    updated: condition("Updated")?.status === "True",
  };
  if (degraded?.status === "True") rollout.degraded = degraded.message ?? "";
  return rollout;
}
