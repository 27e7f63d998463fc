// One reconcile of the image-policy controller, the effect half: snapshot from the caches → render
// → read what the plan needs that the caches do not hold (generated MachineConfigs applied by
// others, the node policy of the pools' rendered configurations, the ClusterOperator) → plan
// (plan.ts, no I/O) → perform its steps in order, with the abort signal on every call. The cluster
// is read through ClusterState and written through ImagePolicyWriter, so the same code runs against
// a fake in unit tests and against a real API server in the integration tests.
import type { ClusterOperatorStatus } from "../../pkg/apis/config/v1/clusteroperator.ts";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { Condition, KubeObject } from "../../pkg/apis/meta.ts";
import type { CrioVersion } from "../../pkg/render/crio-version.ts";
import type { PolicyOutcome } from "../../pkg/render/outcome.ts";
import { render } from "../../pkg/render/render.ts";
import { snapshotFromState, type ClusterState } from "../../pkg/render/cluster-state.ts";
import type { EnforcedCondition } from "../../pkg/rollout/enforced.ts";
import type { NodePolicy } from "../../pkg/rollout/node-policy.ts";
import {
  planReconcile,
  renderedConfigurationNames,
  wantedMachineConfigNames,
  type PolicyObject,
} from "./plan.ts";

export type { ClusterState } from "../../pkg/render/cluster-state.ts";
export {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  machineConfigUpToDate,
  withManagedByLabel,
  type PolicyObject,
} from "./plan.ts";

/**
 * How the controller reads what its caches do not hold, and writes; the real one uses server-side
 * apply with one field manager. Every call takes the reconcile's abort signal, so a lost Lease stops
 * writes in flight.
 */
export interface ImagePolicyWriter {
  /** `force` takes fields over from other managers (our own object, edited by someone). */
  applyMachineConfig(
    machineConfig: MachineConfig,
    options: { force: boolean; signal?: AbortSignal },
  ): Promise<void>;
  /** An uncached read of one MachineConfig (the cache holds only ours); undefined when absent. */
  getMachineConfig(name: string, signal?: AbortSignal): Promise<MachineConfig | undefined>;
  /** Deletes only the object with this uid (a precondition): never a newer one of the same name. */
  deleteMachineConfig(name: string, uid: string | undefined, signal?: AbortSignal): Promise<void>;
  /** Applies exactly these conditions (the types this controller owns) to the status. */
  applyStatus(policy: PolicyObject, conditions: Condition[], signal?: AbortSignal): Promise<void>;
  event(regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
  /**
   * The node policy a rendered MachineConfig (the Machine Config Operator's merge for a pool)
   * delivers; undefined when it cannot be read. Rendered names are content hashes, so a cache
   * by name never goes stale.
   */
  nodePolicy(renderedName: string, signal?: AbortSignal): Promise<NodePolicy | undefined>;
  /** The image-policy ClusterOperator's status; "absent" where the kind does not exist. */
  clusterOperatorStatus(signal?: AbortSignal): Promise<ClusterOperatorStatus | undefined | "absent">;
  applyClusterOperatorStatus(status: ClusterOperatorStatus, signal?: AbortSignal): Promise<void>;
}

export interface ReconcileOptions {
  crioVersion: CrioVersion;
  controllerVersion: string;
  /** The field manager of this controller: generated MachineConfigs it applied carry it. */
  fieldManager: string;
  /**
   * Whether a generated MachineConfig another manager applied (e.g. the Machine Config Operator)
   * may be taken over. Off by default: such an object is left alone, with a Warning event.
   */
  takeOverMachineConfigs?: boolean;
  /** The controller's namespace (the ClusterOperator's relatedObjects). */
  namespace?: string;
  /** A configuration has been delivered since the controller started (ClusterOperator Available). */
  synced?: boolean;
  /** An API error that persisted across reconciles (ClusterOperator Degraded). */
  persistentApiError?: string;
  /** Aborts writes in flight and stops the reconcile between writes (leadership lost). */
  signal?: AbortSignal;
  now: () => string;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

export interface ReconcileResult {
  outcomes: PolicyOutcome[];
  machineConfigWrites: string[];
  machineConfigDeletes: string[];
  /** Generated MachineConfigs left alone because another manager applied them. */
  machineConfigsManagedByAnother: string[];
  statusWrites: number;
  warnings: string[];
  /** Why the render was not delivered (the nodes keep the last good configuration); empty when it was. */
  refused: string[];
  enforced: { outcome: PolicyOutcome; condition: EnforcedCondition }[];
  pools: { name: string; machineCount: number; enforcingMachines: number }[];
}

export async function reconcileImagePolicies(
  state: ClusterState,
  writer: ImagePolicyWriter,
  options: ReconcileOptions,
): Promise<ReconcileResult> {
  const { signal } = options;
  const rendered = render(snapshotFromState(state, options));
  const machineConfigs = new Map(state.machineConfigs().map((mc) => [mc.metadata.name ?? "", mc]));
  // The cache holds only what this controller labelled; a generated name it does not hold may
  // still exist, applied by someone else (the Machine Config Operator writes the same names).
  for (const name of wantedMachineConfigNames(rendered)) {
    if (machineConfigs.has(name)) continue;
    const found = await writer.getMachineConfig(name, signal);
    if (found) machineConfigs.set(name, found);
  }
  const pools = state.pools();
  const nodePolicies = new Map<string, NodePolicy | undefined>();
  for (const name of renderedConfigurationNames(pools))
    nodePolicies.set(name, await writer.nodePolicy(name, signal));
  const policies: PolicyObject[] = [
    ...state.clusterImagePolicies(),
    ...state.imagePolicies(),
    ...state.simpleSigningPolicies(),
  ];
  const plan = planReconcile(
    rendered,
    {
      machineConfigs,
      policies,
      pools,
      nodePolicies,
      clusterOperator: await writer.clusterOperatorStatus(signal),
    },
    {
      fieldManager: options.fieldManager,
      takeOverMachineConfigs: options.takeOverMachineConfigs ?? false,
      controllerVersion: options.controllerVersion,
      namespace: options.namespace ?? "",
      now: options.now(),
      synced: options.synced ?? false,
      ...(options.persistentApiError !== undefined ? { persistentApiError: options.persistentApiError } : {}),
    },
  );

  const result: ReconcileResult = {
    outcomes: plan.outcomes,
    machineConfigWrites: [],
    machineConfigDeletes: [],
    machineConfigsManagedByAnother: plan.managedByAnother,
    statusWrites: 0,
    warnings: plan.warnings,
    refused: plan.refused,
    enforced: plan.enforced,
    pools: plan.pools,
  };
  for (const step of plan.steps) {
    signal?.throwIfAborted();
    switch (step.kind) {
      case "apply":
        await writer.applyMachineConfig(step.machineConfig, {
          force: step.force,
          ...(signal ? { signal } : {}),
        });
        result.machineConfigWrites.push(step.machineConfig.metadata.name ?? "");
        break;
      case "delete":
        await writer.deleteMachineConfig(step.name, step.uid, signal);
        result.machineConfigDeletes.push(step.name);
        break;
      case "status":
        await writer.applyStatus(step.policy, step.conditions, signal);
        result.statusWrites++;
        break;
      case "event":
        writer.event(step.regarding, step.type, step.reason, step.message);
        break;
      case "log":
        options.log?.(step.message, step.fields);
        break;
      case "clusterOperator":
        await writer.applyClusterOperatorStatus(step.status, signal);
        break;
    }
  }
  return result;
}
