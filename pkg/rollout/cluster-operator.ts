// The status of the `image-policy` ClusterOperator, as cluster operators report theirs (`oc get co`):
// Available (the controller renders and delivers), Progressing (a policy change is rolling out to
// the nodes), Degraded (a render refused, API errors that persist, a pool degraded while rolling
// out our change) and Upgradeable, with relatedObjects and versions. Pure: the controller gathers
// the inputs and applies the result.
import type {
  ClusterOperatorStatus,
  ClusterOperatorStatusCondition,
  ObjectReference,
} from "../apis/config/v1/clusteroperator.ts";
import type { EnforcedCondition } from "./enforced.ts";
import { canonicalJson } from "./node-policy.ts";

export const CLUSTER_OPERATOR_NAME = "image-policy";

export interface ClusterOperatorInputs {
  /** The controller's version (versions[name=operator]). */
  version: string;
  /** The namespace the controller runs in, for relatedObjects. */
  namespace: string;
  /** Whether a render has been delivered since the controller started. */
  synced: boolean;
  /** Why the last render was refused (nothing delivered), if it was. */
  renderErrors: readonly string[];
  /** An API error that has persisted across retries, if any. */
  persistentApiError?: string;
  /** The Enforced condition of every policy that has scopes applied, with its label. */
  enforced: readonly { policy: string; condition: EnforcedCondition }[];
  /** The generated MachineConfigs, for relatedObjects. */
  machineConfigs: readonly string[];
}

type Wanted = Omit<ClusterOperatorStatusCondition, "lastTransitionTime">;

const summary = (items: readonly string[], max = 3): string =>
  items.length <= max
    ? items.join("; ")
    : `${items.slice(0, max).join("; ")}; and ${items.length - max} more`;

/** The conditions the ClusterOperator should carry now (without transition times). */
export function clusterOperatorConditions(inputs: ClusterOperatorInputs): Wanted[] {
  const rolling = inputs.enforced.filter(
    (e) => e.condition.reason === "RollingOut" || e.condition.reason === "Pending",
  );
  const stalled = inputs.enforced.filter((e) => e.condition.reason === "PoolDegraded");
  const degradedReasons: Wanted[] = [];
  if (inputs.renderErrors.length > 0) {
    degradedReasons.push({
      type: "Degraded",
      status: "True",
      reason: "RenderRefused",
      message: `the node files cannot be delivered, nodes keep the last good configuration: ${summary(inputs.renderErrors)}`,
    });
  }
  if (stalled.length > 0) {
    degradedReasons.push({
      type: "Degraded",
      status: "True",
      reason: "PoolDegraded",
      message: `rolling out ${summary(stalled.map((s) => s.policy))} is stalled: ${stalled[0]?.condition.message ?? ""}`,
    });
  }
  if (inputs.persistentApiError !== undefined) {
    degradedReasons.push({
      type: "Degraded",
      status: "True",
      reason: "APIError",
      message: inputs.persistentApiError,
    });
  }
  const degraded: Wanted =
    degradedReasons.length === 0
      ? { type: "Degraded", status: "False", reason: "AsExpected", message: "" }
      : {
          type: "Degraded",
          status: "True",
          reason: degradedReasons.map((d) => d.reason).join("_"),
          message: degradedReasons.map((d) => d.message).join("\n"),
        };
  const progressing: Wanted =
    rolling.length > 0
      ? {
          type: "Progressing",
          status: "True",
          reason: "RollingOut",
          message: `rolling out ${rolling.length} polic${rolling.length === 1 ? "y" : "ies"} to the nodes: ${summary(
            rolling.map((r) => `${r.policy}: ${r.condition.message}`),
          )}`,
        }
      : {
          type: "Progressing",
          status: "False",
          reason: "AsExpected",
          message: "every applied policy is enforced on every node",
        };
  const available: Wanted = inputs.synced
    ? { type: "Available", status: "True", reason: "AsExpected", message: "" }
    : {
        type: "Available",
        status: "False",
        reason: "NotYetSynced",
        message: "no configuration delivered yet",
      };
  const upgradeable: Wanted = { type: "Upgradeable", status: "True", reason: "AsExpected", message: "" };
  return [available, progressing, degraded, upgradeable];
}

/** relatedObjects: what `oc adm inspect co/image-policy` should gather. */
export function relatedObjects(
  inputs: Pick<ClusterOperatorInputs, "namespace" | "machineConfigs">,
): ObjectReference[] {
  return [
    { group: "", resource: "namespaces", name: inputs.namespace },
    { group: "config.openshift.io", resource: "clusterimagepolicies", name: "" },
    { group: "config.openshift.io", resource: "imagepolicies", name: "" },
    { group: "image-policy.dev", resource: "clustersimplesigningpolicies", name: "" },
    ...inputs.machineConfigs.map((name) => ({
      group: "machineconfiguration.openshift.io",
      resource: "machineconfigs",
      name,
    })),
  ];
}

/**
 * The next status: conditions keep their lastTransitionTime unless their status changes; undefined
 * when nothing would change, so an unchanged operator is never written.
 */
export function nextClusterOperatorStatus(
  current: ClusterOperatorStatus | undefined,
  inputs: ClusterOperatorInputs,
  now: string,
): ClusterOperatorStatus | undefined {
  const before = new Map((current?.conditions ?? []).map((c) => [c.type, c]));
  const conditions = clusterOperatorConditions(inputs).map((want): ClusterOperatorStatusCondition => {
    const existing = before.get(want.type);
    return {
      ...want,
      lastTransitionTime: existing && existing.status === want.status ? existing.lastTransitionTime : now,
    };
  });
  const next: ClusterOperatorStatus = {
    ...current,
    conditions,
    versions: [{ name: "operator", version: inputs.version }],
    relatedObjects: relatedObjects(inputs),
  };
  return canonicalJson(current ?? {}) === canonicalJson(next) ? undefined : next;
}
