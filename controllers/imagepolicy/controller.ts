// The image-policy controller on the runtime: informers for every input, one work-queue key for the
// whole cluster (every change re-renders everything, so a burst of events is one reconcile after
// the debounce), the reconcile core of reconcile.ts, server-side apply with one field manager.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { Condition, KubeObject } from "../../pkg/apis/meta.ts";
import {
  CLUSTER_IMAGE_POLICIES,
  CLUSTER_SIMPLE_SIGNING_POLICIES,
  CLUSTER_VERSIONS,
  Controller,
  EventRecorder,
  FEATURE_GATES,
  IMAGE_DIGEST_MIRROR_SETS,
  IMAGE_POLICIES,
  IMAGE_TAG_MIRROR_SETS,
  IMAGE_CONTENT_SOURCE_POLICIES,
  CLUSTER_OPERATORS,
  IMAGES,
  KubeApiError,
  isMissingResourceType,
  isNotFound,
  MACHINE_CONFIG_POOLS,
  MACHINE_CONFIGS,
  type Logger,
  type Manager,
  type ResourceType,
} from "../../pkg/kube/index.ts";
import type { ClusterOperator, ClusterOperatorStatus } from "../../pkg/apis/config/v1/clusteroperator.ts";
import type { CrioVersion } from "../../pkg/render/crio-version.ts";
import type { PolicyOutcome } from "../../pkg/render/outcome.ts";
import { CLUSTER_OPERATOR_NAME } from "../../pkg/rollout/cluster-operator.ts";
import { nodePolicyOf, type NodePolicy } from "../../pkg/rollout/node-policy.ts";
import {
  MANAGED_BY_LABEL,
  MANAGED_BY_VALUE,
  reconcileImagePolicies,
  type ClusterState,
  type ImagePolicyWriter,
  type PolicyObject,
} from "./reconcile.ts";

export const IMAGE_POLICY_CONTROLLER = "imagepolicy";
/** Rendered configurations whose node policy is remembered: a few per pool are ever named at once. */
const NODE_POLICY_CACHE_ENTRIES = 64;
const CLUSTER_KEY = "cluster";

export interface ImagePolicyControllerOptions {
  crioVersion: CrioVersion;
  controllerVersion: string;
  fieldManager: string;
  events: EventRecorder;
  logger: Logger;
  registry: Registry;
  /** Coalescing window for bursts of changes; default 300 ms. */
  debounceMs?: number;
  /** Replace generated MachineConfigs another field manager applied (--take-over-machineconfigs). */
  takeOverMachineConfigs?: boolean;
  /** The controller's namespace, named in the ClusterOperator's relatedObjects. */
  namespace?: string;
}

/** Reconciles that failed in a row before the ClusterOperator reports the error as Degraded. */
const PERSISTENT_FAILURES = 3;

function metrics(registry: Registry) {
  const registers = [registry];
  return {
    renderSeconds: new Histogram({
      name: "image_policy_render_duration_seconds",
      help: "Time to render the node files of all policies",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    machineConfigWrites: new Counter({
      name: "image_policy_machineconfig_writes_total",
      help: "MachineConfigs applied or deleted because their content changed",
      labelNames: ["operation"],
      registers,
    }),
    policies: new Gauge({
      name: "image_policy_policies",
      help: "Policies by kind and outcome of the last render",
      labelNames: ["kind", "state"],
      registers,
    }),
    enforced: new Gauge({
      name: "image_policy_policies_enforced",
      help: "Policies by kind and reason of their Enforced condition (Enforced, RollingOut, Pending, PoolDegraded, ...)",
      labelNames: ["kind", "reason"],
      registers,
    }),
    poolMachines: new Gauge({
      name: "image_policy_pool_machines",
      help: "Machines of each pool that receives the generated MachineConfig",
      labelNames: ["pool"],
      registers,
    }),
    poolMachinesEnforcing: new Gauge({
      name: "image_policy_pool_machines_enforcing",
      help: "Machines of each pool running a configuration that carries every applied policy",
      labelNames: ["pool"],
      registers,
    }),
    timeToEnforced: new Histogram({
      name: "image_policy_time_to_enforced_seconds",
      help: "Time from a policy change (a new generation seen) to its Enforced condition becoming True",
      buckets: [10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400],
      registers,
    }),
  };
}

/**
 * When each policy's current generation was first seen, so that the time until its Enforced
 * condition turns True is observed once per generation. Holds one entry per policy at most.
 */
class EnforcementClock {
  readonly #since = new Map<string, { generation: number | undefined; at: number | undefined }>();

  observe(
    enforced: readonly { outcome: PolicyOutcome; condition: { status: string } }[],
    now: number,
    record: (seconds: number) => void,
  ): void {
    const seen = new Set<string>();
    for (const { outcome, condition } of enforced) {
      const key = `${outcome.kind}/${outcome.namespace ?? ""}/${outcome.name}`;
      seen.add(key);
      const entry = this.#since.get(key);
      if (entry === undefined || entry.generation !== outcome.generation) {
        // A policy or generation seen for the first time: time it, unless it is enforced already.
        this.#since.set(key, {
          generation: outcome.generation,
          at: condition.status === "True" ? undefined : now,
        });
      } else if (condition.status === "True" && entry.at !== undefined) {
        record((now - entry.at) / 1000);
        entry.at = undefined;
      }
    }
    for (const key of this.#since.keys()) if (!seen.has(key)) this.#since.delete(key);
  }
}

export function newImagePolicyController(
  manager: Manager,
  options: ImagePolicyControllerOptions,
): Controller {
  const informer = <T extends KubeObject>(type: ResourceType<T>) => manager.informers.informerFor(type);
  const cips = informer(CLUSTER_IMAGE_POLICIES);
  const ips = informer(IMAGE_POLICIES);
  const cssps = informer(CLUSTER_SIMPLE_SIGNING_POLICIES);
  const featureGates = informer(FEATURE_GATES);
  const clusterVersions = informer(CLUSTER_VERSIONS);
  const images = informer(IMAGES);
  const idms = informer(IMAGE_DIGEST_MIRROR_SETS);
  const itms = informer(IMAGE_TAG_MIRROR_SETS);
  const icsps = informer(IMAGE_CONTENT_SOURCE_POLICIES);
  const pools = informer(MACHINE_CONFIG_POOLS);
  // Only the MachineConfigs this controller applied: the cluster's others (rendered-<pool>-<hash>
  // ones run to hundreds of kilobytes each) are never held in memory.
  const machineConfigs = manager.informers.informerFor(MACHINE_CONFIGS, {
    labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}`,
  });

  const state: ClusterState = {
    clusterImagePolicies: () => cips.list(),
    imagePolicies: () => ips.list(),
    simpleSigningPolicies: () => cssps.list(),
    featureGate: () => featureGates.get("cluster"),
    clusterVersion: () => clusterVersions.get("version"),
    image: () => images.get("cluster"),
    imageDigestMirrorSets: () => idms.list(),
    imageTagMirrorSets: () => itms.list(),
    imageContentSourcePolicies: () => icsps.list(),
    pools: () => pools.list(),
    machineConfigs: () => machineConfigs.list(),
  };
  const client = manager.client;
  const m = metrics(options.registry);
  const fieldManager = options.fieldManager;
  // ClusterOperator inputs that outlive one reconcile.
  let synced = false;
  const failures = { count: 0, last: "" };
  const enforcementClock = new EnforcementClock();
  // The node policy of the pools' rendered MachineConfigs, by name (names are content hashes).
  const nodePolicies = new Map<string, NodePolicy>();
  let clusterOperatorAbsentLogged = false;
  // Our own writes' watch events need no render: the writes go through controller.ownWrite() (the
  // controller is created below, with the ignoreOwnWrites option), which drops the events they cause.
  const writer: ImagePolicyWriter = {
    async applyMachineConfig(machineConfig: MachineConfig, { force, signal }) {
      await controller.ownWrite(machineConfig, () =>
        client
          .resource(MACHINE_CONFIGS)
          .apply(machineConfig, { fieldManager, force, ...(signal ? { signal } : {}) }),
      );
      m.machineConfigWrites.inc({ operation: "apply" });
    },
    async getMachineConfig(name: string, signal?: AbortSignal) {
      try {
        return await client.resource(MACHINE_CONFIGS).get(name, undefined, signal);
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
        throw error;
      }
    },
    async deleteMachineConfig(name: string, uid: string | undefined, signal?: AbortSignal) {
      await client.resource(MACHINE_CONFIGS).delete(name, undefined, {
        ...(uid ? { preconditions: { uid } } : {}),
        ...(signal ? { signal } : {}),
      });
      m.machineConfigWrites.inc({ operation: "delete" });
    },
    async applyStatus(policy: PolicyObject, conditions: Condition[], signal?: AbortSignal) {
      const type: ResourceType<PolicyObject> =
        policy.kind === "ImagePolicy"
          ? (IMAGE_POLICIES as ResourceType<PolicyObject>)
          : policy.kind === "ClusterImagePolicy"
            ? (CLUSTER_IMAGE_POLICIES as ResourceType<PolicyObject>)
            : (CLUSTER_SIMPLE_SIGNING_POLICIES as ResourceType<PolicyObject>);
      const metadata: PolicyObject["metadata"] = { name: policy.metadata.name ?? "" };
      if (policy.metadata.namespace) metadata.namespace = policy.metadata.namespace;
      // Only the status: the spec stays the user's. The patch names exactly the conditions we own.
      const patch = { apiVersion: policy.apiVersion, kind: policy.kind, metadata, status: { conditions } };
      await controller.ownWrite(policy, () =>
        client
          .resource(type)
          .applyStatus(patch as PolicyObject, { fieldManager, force: true, ...(signal ? { signal } : {}) }),
      );
    },
    event(regarding, type, reason, message) {
      options.events.event(regarding, { type, reason, note: message, action: "Render" });
    },
    async nodePolicy(renderedName: string, signal?: AbortSignal) {
      const cached = nodePolicies.get(renderedName);
      if (cached) return cached;
      let rendered: MachineConfig;
      try {
        rendered = await client.resource(MACHINE_CONFIGS).get(renderedName, undefined, signal);
      } catch (error) {
        if (error instanceof KubeApiError && error.statusCode === 404) return undefined;
        throw error;
      }
      // Only the digest of its policy files is kept, never the object (hundreds of kilobytes).
      const policy = nodePolicyOf(rendered);
      if (nodePolicies.size >= NODE_POLICY_CACHE_ENTRIES) {
        nodePolicies.delete(nodePolicies.keys().next().value ?? "");
      }
      nodePolicies.set(renderedName, policy);
      return policy;
    },
    async clusterOperatorStatus(signal?: AbortSignal) {
      try {
        return (await client.resource(CLUSTER_OPERATORS).get(CLUSTER_OPERATOR_NAME, undefined, signal))
          .status;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        if (!isMissingResourceType(error, CLUSTER_OPERATOR_NAME)) return undefined; // not created yet
        if (!clusterOperatorAbsentLogged) {
          clusterOperatorAbsentLogged = true;
          options.logger.info("no ClusterOperator kind in this cluster: operator status is not reported", {});
        }
        return "absent" as const;
      }
    },
    async applyClusterOperatorStatus(status: ClusterOperatorStatus, signal?: AbortSignal) {
      const object: ClusterOperator = {
        apiVersion: "config.openshift.io/v1",
        kind: "ClusterOperator",
        metadata: { name: CLUSTER_OPERATOR_NAME },
        spec: {},
      };
      const resource = client.resource(CLUSTER_OPERATORS);
      const withSignal = signal ? { signal } : {};
      // The object first (the cluster-version operator creates it from a manifest on OpenShift; here
      // the controller does), then its status subresource.
      await controller.ownWrite(object, () =>
        resource.apply(object, { fieldManager, force: true, ...withSignal }),
      );
      await controller.ownWrite(object, () =>
        resource.applyStatus({ ...object, status }, { fieldManager, force: true, ...withSignal }),
      );
    },
  };

  const controller = new Controller({
    name: IMAGE_POLICY_CONTROLLER,
    kind: "Cluster",
    registry: options.registry,
    logger: options.logger,
    queue: { debounceMs: options.debounceMs ?? 300 },
    ignoreOwnWrites: true,
    reconcile: async (_key, context) => {
      const stop = m.renderSeconds.startTimer();
      let result: Awaited<ReturnType<typeof reconcileImagePolicies>>;
      try {
        result = await reconcileImagePolicies(state, writer, {
          crioVersion: options.crioVersion,
          controllerVersion: options.controllerVersion,
          fieldManager: options.fieldManager,
          takeOverMachineConfigs: options.takeOverMachineConfigs ?? false,
          namespace: options.namespace ?? "",
          synced,
          ...(failures.count >= PERSISTENT_FAILURES ? { persistentApiError: failures.last } : {}),
          signal: context.signal,
          now: () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
          log: (message, fields) => context.logger.info(message, fields),
        });
      } catch (error) {
        failures.count++;
        failures.last = `${failures.count} reconciles failed in a row: ${(error as Error).message}`;
        throw error;
      }
      stop();
      failures.count = 0;
      if (result.refused.length === 0) synced = true;
      m.policies.reset();
      for (const o of result.outcomes) m.policies.inc({ kind: o.kind, state: o.state });
      m.enforced.reset();
      for (const e of result.enforced) m.enforced.inc({ kind: e.outcome.kind, reason: e.condition.reason });
      m.poolMachines.reset();
      m.poolMachinesEnforcing.reset();
      for (const p of result.pools) {
        m.poolMachines.set({ pool: p.name }, p.machineCount);
        m.poolMachinesEnforcing.set({ pool: p.name }, p.enforcingMachines);
      }
      enforcementClock.observe(result.enforced, Date.now(), (seconds) => m.timeToEnforced.observe(seconds));
      for (const r of result.refused) context.logger.warn(`render refused, nothing delivered: ${r}`);
      for (const w of result.warnings) context.logger.warn(w);
      if (
        result.machineConfigWrites.length > 0 ||
        result.machineConfigDeletes.length > 0 ||
        result.statusWrites > 0
      ) {
        context.logger.info("reconciled", {
          applied: result.machineConfigWrites,
          deleted: result.machineConfigDeletes,
          statusWrites: result.statusWrites,
        });
      }
    },
  });
  // Every change renders everything (an event for an object as our own write left it is dropped
  // by the controller: ignoreOwnWrites).
  const everything = () => [CLUSTER_KEY];
  for (const source of [
    cips,
    ips,
    cssps,
    featureGates,
    clusterVersions,
    images,
    idms,
    itms,
    icsps,
    pools,
    machineConfigs,
  ]) {
    controller.watch(source as Parameters<Controller["watch"]>[0], everything);
  }
  return controller;
}
