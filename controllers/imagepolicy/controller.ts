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
  IMAGES,
  MACHINE_CONFIG_POOLS,
  MACHINE_CONFIGS,
  type Logger,
  type Manager,
  type ResourceType,
} from "../../pkg/kube/index.ts";
import type { CrioVersion } from "../../pkg/render/crio-version.ts";
import {
  reconcileImagePolicies,
  type ClusterState,
  type ImagePolicyWriter,
  type PolicyObject,
} from "./reconcile.ts";

export const IMAGE_POLICY_CONTROLLER = "imagepolicy";
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
}

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
  };
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
  const pools = informer(MACHINE_CONFIG_POOLS);
  const machineConfigs = informer(MACHINE_CONFIGS);

  const state: ClusterState = {
    clusterImagePolicies: () => cips.list(),
    imagePolicies: () => ips.list(),
    simpleSigningPolicies: () => cssps.list(),
    featureGate: () => featureGates.get("cluster"),
    clusterVersion: () => clusterVersions.get("version"),
    image: () => images.get("cluster"),
    imageDigestMirrorSets: () => idms.list(),
    imageTagMirrorSets: () => itms.list(),
    pools: () => pools.list(),
    machineConfigs: () => machineConfigs.list(),
  };
  const client = manager.client;
  const m = metrics(options.registry);
  const apply = { fieldManager: options.fieldManager, force: true };
  const writer: ImagePolicyWriter = {
    async applyMachineConfig(machineConfig: MachineConfig) {
      await client.resource(MACHINE_CONFIGS).apply(machineConfig, apply);
      m.machineConfigWrites.inc({ operation: "apply" });
    },
    async deleteMachineConfig(name: string) {
      await client.resource(MACHINE_CONFIGS).delete(name);
      m.machineConfigWrites.inc({ operation: "delete" });
    },
    async applyStatus(policy: PolicyObject, conditions: Condition[]) {
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
      await client.resource(type).applyStatus(patch as PolicyObject, apply);
    },
    event(regarding, type, reason, message) {
      options.events.event(regarding, { type, reason, note: message, action: "Render" });
    },
  };

  const controller = new Controller({
    name: IMAGE_POLICY_CONTROLLER,
    kind: "Cluster",
    registry: options.registry,
    logger: options.logger,
    queue: { debounceMs: options.debounceMs ?? 300 },
    reconcile: async (_key, context) => {
      const stop = m.renderSeconds.startTimer();
      const result = await reconcileImagePolicies(state, writer, {
        crioVersion: options.crioVersion,
        controllerVersion: options.controllerVersion,
        fieldManager: options.fieldManager,
        now: () => new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
      stop();
      m.policies.reset();
      for (const o of result.outcomes) m.policies.inc({ kind: o.kind, state: o.state });
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
    pools,
    machineConfigs,
  ]) {
    controller.watch(source as Parameters<Controller["watch"]>[0], everything);
  }
  return controller;
}
