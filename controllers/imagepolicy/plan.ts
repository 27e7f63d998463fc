// The decision half of a reconcile, with no I/O: from a render and what is live in the cluster, the
// steps to take — MachineConfigs to apply and delete, status conditions to apply (only the types
// this controller owns), events and log lines — in the order they must happen, plus the Enforced
// condition of every policy and the ClusterOperator's next status. reconcile.ts performs a plan;
// tests check plans without any API (the way controller-rs and sample-controller separate deciding
// from doing).
import type { ClusterOperatorStatus } from "../../pkg/apis/config/v1/clusteroperator.ts";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../../pkg/apis/machineconfiguration/v1/machineconfigpool.ts";
import type { Condition, KubeObject } from "../../pkg/apis/meta.ts";
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { ImagePolicy } from "../../pkg/apis/config/v1/imagepolicy.ts";
import type { ClusterSimpleSigningPolicy } from "../../pkg/apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import { GENERATED_BY_ANNOTATION, ROLE_LABEL } from "../../pkg/render/machineconfig.ts";
import { outcomeLabel, type PolicyOutcome } from "../../pkg/render/outcome.ts";
import type { Rendered } from "../../pkg/render/render.ts";
import { nextClusterOperatorStatus } from "../../pkg/rollout/cluster-operator.ts";
import {
  CONDITION_ENFORCED,
  enforcedCondition,
  type EnforcedCondition,
  type PolicyExpectation,
  type PoolRollout,
} from "../../pkg/rollout/enforced.ts";
import { carries, policyFilePath, type NodePolicy } from "../../pkg/rollout/node-policy.ts";
import { poolConfigurations, poolRollout, poolsReached } from "../../pkg/rollout/pools.ts";
import { jsonEqual } from "../../pkg/util/json.ts";
import { compareStrings } from "../../pkg/util/sorted.ts";
import {
  CONDITION_APPLIED,
  CONDITION_PENDING,
  enforcedEvent,
  nextConditions,
  ownedConditions,
  refusedConditions,
  refusedMessage,
  transitionEvent,
} from "./status.ts";

export type PolicyObject = ClusterImagePolicy | ImagePolicy | ClusterSimpleSigningPolicy;

/** The label that marks the MachineConfigs this controller applies (its informer selects on it). */
export const MANAGED_BY_LABEL = "image-policy.dev/managed-by";
export const MANAGED_BY_VALUE = "image-policy-controller";

const GENERATED_NAME = /^99-(.+)-generated-registries$/;

/** What is live in the cluster, as far as a plan needs it. */
export interface LiveState {
  /**
   * MachineConfigs by name: the ones this controller's cache holds (those it labelled), plus each
   * generated name the render wants that the cache does not hold, as read from the API.
   */
  machineConfigs: ReadonlyMap<string, MachineConfig>;
  policies: readonly PolicyObject[];
  pools: readonly MachineConfigPool[];
  /** The node policy of every rendered MachineConfig the pools name; undefined: unreadable. */
  nodePolicies: ReadonlyMap<string, NodePolicy | undefined>;
  /** The ClusterOperator's current status; "absent" when the kind does not exist in this cluster. */
  clusterOperator: ClusterOperatorStatus | undefined | "absent";
}

export interface PlanOptions {
  /** The field manager of this controller: generated MachineConfigs it applied carry it. */
  fieldManager: string;
  takeOverMachineConfigs: boolean;
  controllerVersion: string;
  namespace: string;
  now: string;
  /** The ClusterOperator's Available condition: a configuration has been delivered since start. */
  synced: boolean;
  persistentApiError?: string;
}

export type Step =
  | { kind: "apply"; machineConfig: MachineConfig; force: boolean }
  | { kind: "delete"; name: string; uid: string | undefined }
  | { kind: "status"; policy: PolicyObject; conditions: Condition[] }
  | { kind: "event"; regarding: KubeObject; type: "Normal" | "Warning"; reason: string; message: string }
  | { kind: "log"; message: string; fields: Record<string, unknown> }
  | { kind: "clusterOperator"; status: ClusterOperatorStatus };

export interface Plan {
  outcomes: PolicyOutcome[];
  warnings: string[];
  /** Why the render cannot be delivered; non-empty means no MachineConfig is touched. */
  refused: string[];
  steps: Step[];
  /** The Enforced condition of every policy outcome, in outcome order. */
  enforced: { outcome: PolicyOutcome; condition: EnforcedCondition }[];
  /** Generated MachineConfigs left alone because another manager applied them. */
  managedByAnother: string[];
  /** Per reached pool: its machines, and how many run a configuration with every applied policy. */
  pools: { name: string; machineCount: number; enforcingMachines: number }[];
}

/** The generated MachineConfig as this controller applies it: with the label its informer selects. */
export function withManagedByLabel(machineConfig: MachineConfig): MachineConfig {
  return {
    ...machineConfig,
    metadata: {
      ...machineConfig.metadata,
      labels: { ...machineConfig.metadata.labels, [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    },
  };
}

/** True when the live object already has everything this controller would apply. */
export function machineConfigUpToDate(desired: MachineConfig, live: MachineConfig | undefined): boolean {
  if (!live) return false;
  return (
    jsonEqual(desired.spec, { osImageURL: live.spec?.osImageURL ?? "", config: live.spec?.config }) &&
    live.metadata.labels?.[ROLE_LABEL] === desired.metadata.labels?.[ROLE_LABEL] &&
    live.metadata.labels?.[MANAGED_BY_LABEL] === desired.metadata.labels?.[MANAGED_BY_LABEL] &&
    live.metadata.annotations?.[GENERATED_BY_ANNOTATION] ===
      desired.metadata.annotations?.[GENERATED_BY_ANNOTATION] &&
    jsonEqual(desired.metadata.ownerReferences ?? [], live.metadata.ownerReferences ?? [])
  );
}

function managedFields(machineConfig: MachineConfig): { manager?: string; operation?: string }[] {
  return (
    (machineConfig.metadata as { managedFields?: { manager?: string; operation?: string }[] })
      .managedFields ?? []
  );
}

const managersOf = (mc: MachineConfig): string[] => [
  ...new Set(
    managedFields(mc)
      .map((f) => f.manager ?? "")
      .filter((m) => m !== ""),
  ),
];

const appliedBy = (mc: MachineConfig, fieldManager: string): boolean =>
  managedFields(mc).some((f) => f.manager === fieldManager && f.operation === "Apply");

/** The generated names a render wants: the executor reads those its cache does not hold. */
export function wantedMachineConfigNames(rendered: Rendered): string[] {
  return rendered.machineConfigs.map((mc) => mc.metadata.name ?? "");
}

/** The rendered MachineConfig names the pools run or move to: the executor reads their node policy. */
export function renderedConfigurationNames(pools: readonly MachineConfigPool[]): string[] {
  const names = new Set<string>();
  for (const pool of pools) {
    const { current, target } = poolConfigurations(pool);
    if (current) names.add(current);
    if (target) names.add(target);
  }
  return [...names];
}

const policyKey = (o: { kind: string; namespace?: string; name: string }): string =>
  `${o.kind}/${o.namespace ?? ""}/${o.name}`;

function machineConfigSteps(rendered: Rendered, live: LiveState, options: PlanOptions, plan: Plan): void {
  for (const generated of rendered.machineConfigs) {
    const desired = withManagedByLabel(generated);
    const name = desired.metadata.name ?? "";
    const current = live.machineConfigs.get(name);
    const ours = current === undefined || appliedBy(current, options.fieldManager);
    if (ours && machineConfigUpToDate(desired, current)) continue;
    if (!ours && current !== undefined) {
      const managers = managersOf(current).join(", ") || "no field manager";
      if (!options.takeOverMachineConfigs) {
        plan.managedByAnother.push(name);
        plan.steps.push({
          kind: "event",
          regarding: current,
          type: "Warning",
          reason: "ManagedByAnother",
          message: `${name} is managed by ${managers}, not by this controller: left as it is (start the controller with --take-over-machineconfigs to replace it)`,
        });
        continue;
      }
      plan.steps.push(
        {
          kind: "log",
          message: `taking over ${name} from ${managers} (--take-over-machineconfigs)`,
          fields: { name, managers },
        },
        {
          kind: "event",
          regarding: current,
          type: "Normal",
          reason: "TakenOver",
          message: `${name} was managed by ${managers}; this controller now manages it`,
        },
      );
    }
    // Force only reclaims fields of an object that is ours (someone edited it) or that we were told
    // to take over; a new object has nothing to reclaim.
    plan.steps.push({ kind: "apply", machineConfig: desired, force: current !== undefined });
  }
  const wanted = new Set(wantedMachineConfigNames(rendered));
  for (const [name, mc] of live.machineConfigs) {
    // Only generated MachineConfigs this controller applied itself: never anyone else's.
    if (!GENERATED_NAME.test(name) || wanted.has(name) || !appliedBy(mc, options.fieldManager)) continue;
    plan.steps.push({ kind: "delete", name, uid: mc.metadata.uid });
  }
}

/** What an outcome needs on the nodes; undefined when nothing of it is applied. */
function expectationOf(outcome: PolicyOutcome): PolicyExpectation | undefined {
  if (outcome.requirement === undefined || outcome.appliedScopes.length === 0) return undefined;
  return {
    ...(outcome.kind === "ImagePolicy" ? { namespace: outcome.namespace ?? "default" } : {}),
    scopes: outcome.appliedScopes,
    requirement: outcome.requirement,
    ...(outcome.generation !== undefined ? { generation: outcome.generation } : {}),
  };
}

/** The Enforced condition of one outcome over the rollouts of the pools its MachineConfigs reach. */
function enforcedOf(outcome: PolicyOutcome, rollouts: readonly PoolRollout[]): EnforcedCondition {
  const expectation = expectationOf(outcome);
  if (expectation) return enforcedCondition(expectation, rollouts);
  return {
    type: CONDITION_ENFORCED,
    status: "False",
    reason: "NotApplied",
    message: "no scope of this policy is applied (see the Applied condition)",
    ...(outcome.generation !== undefined ? { observedGeneration: outcome.generation } : {}),
  };
}

export function planReconcile(rendered: Rendered, live: LiveState, options: PlanOptions): Plan {
  const plan: Plan = {
    outcomes: rendered.outcomes,
    warnings: rendered.warnings,
    refused: rendered.errors,
    steps: [],
    enforced: [],
    managedByAnother: [],
    pools: [],
  };
  // Never deliver a render that failed: the nodes keep what they have, every policy says so.
  if (plan.refused.length === 0) machineConfigSteps(rendered, live, options, plan);

  // The pools that receive the generated MachineConfigs (by their labels; when the render was
  // refused, the ones live now).
  const labels = (
    rendered.machineConfigs.length > 0 ? rendered.machineConfigs : [...live.machineConfigs.values()]
  )
    .filter((mc) => GENERATED_NAME.test(mc.metadata.name ?? ""))
    .map((mc) => mc.metadata.labels ?? {});
  // By name, so that messages do not depend on the order of the informer's list.
  const reached = poolsReached(live.pools, labels).sort((a, b) =>
    compareStrings(a.metadata.name ?? "", b.metadata.name ?? ""),
  );

  const rollouts = reached.map((pool) => poolRollout(pool, (name) => live.nodePolicies.get(name)));

  const byKey = new Map(
    live.policies.map((p) => [
      policyKey({ kind: p.kind, namespace: p.metadata.namespace, name: p.metadata.name ?? "" }),
      p,
    ]),
  );
  for (const outcome of rendered.outcomes) {
    const enforced = enforcedOf(outcome, rollouts);
    plan.enforced.push({ outcome, condition: enforced });
    const policy = byKey.get(policyKey(outcome));
    if (!policy) continue;
    const ownedTypes =
      outcome.kind === "ImagePolicy"
        ? [CONDITION_APPLIED, CONDITION_PENDING, CONDITION_ENFORCED]
        : [CONDITION_APPLIED, CONDITION_ENFORCED];
    const owned =
      plan.refused.length > 0
        ? refusedConditions(outcome, plan.refused, enforced)
        : [...ownedConditions(outcome), enforced];
    const conditions = nextConditions(policy.status?.conditions, owned, ownedTypes, options.now);
    if (!conditions) continue;
    // Only the types we own: applying another manager's condition would make us its co-owner.
    plan.steps.push({
      kind: "status",
      policy,
      conditions: conditions.filter((c) => ownedTypes.includes(c.type)),
    });
    const event =
      plan.refused.length > 0
        ? refusedEvent(policy, plan.refused)
        : (transitionEvent(policy.status?.conditions, outcome) ??
          enforcedEvent(policy.status?.conditions, enforced));
    if (event) plan.steps.push({ kind: "event", regarding: policy, ...event });
  }

  const expectations = rendered.outcomes.flatMap((o) => expectationOf(o) ?? []);
  plan.pools = rollouts.map((rollout) => poolEnforcement(rollout, expectations));

  if (live.clusterOperator !== "absent") {
    const status = nextClusterOperatorStatus(
      live.clusterOperator,
      {
        version: options.controllerVersion,
        namespace: options.namespace,
        synced: options.synced || plan.refused.length === 0,
        renderErrors: plan.refused,
        ...(options.persistentApiError !== undefined
          ? { persistentApiError: options.persistentApiError }
          : {}),
        enforced: plan.enforced
          .filter((e) => e.condition.reason !== "NotApplied")
          .map((e) => ({ policy: outcomeLabel(e.outcome), condition: e.condition })),
        machineConfigs: labels.length > 0 ? wantedMachineConfigNames(rendered) : [],
      },
      options.now,
    );
    if (status) plan.steps.push({ kind: "clusterOperator", status });
  }
  return plan;
}

/**
 * How many machines of a pool run a configuration carrying every applied policy: all when both the
 * configuration the pool runs and the one it moves to carry them; the updated ones when only the
 * target does; the others when only the current one does.
 */
function poolEnforcement(
  rollout: PoolRollout,
  expectations: readonly PolicyExpectation[],
): Plan["pools"][number] {
  const all = (node: NodePolicy | undefined): boolean =>
    node !== undefined &&
    expectations.every((e) => carries(node, policyFilePath(e.namespace), e.scopes, e.requirement));
  const current = all(rollout.current);
  const target = all(rollout.target);
  const enforcingMachines =
    current && target
      ? rollout.machineCount
      : target
        ? rollout.updatedMachineCount
        : current
          ? rollout.machineCount - rollout.updatedMachineCount
          : 0;
  return { name: rollout.name, machineCount: rollout.machineCount, enforcingMachines };
}

function refusedEvent(
  policy: PolicyObject,
  refused: readonly string[],
): { type: "Warning"; reason: string; message: string } | undefined {
  const before = policy.status?.conditions?.find((c) => c.type === CONDITION_APPLIED);
  if (before?.reason === "RenderRefused") return undefined;
  return {
    type: "Warning",
    reason: "RenderRefused",
    message: refusedMessage(refused),
  };
}
