// The release-policy controller on the runtime: watches the FeatureGate, the ClusterVersion and the
// managed ClusterImagePolicy, and keeps the managed policy as the release manifest says.
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import {
  CLUSTER_IMAGE_POLICIES,
  CLUSTER_VERSIONS,
  Controller,
  EventRecorder,
  FEATURE_GATES,
  type Logger,
  type Manager,
} from "../../pkg/kube/index.ts";
import type { Registry } from "prom-client";
import { ReleasePolicyReconciler, type ReleasePolicyOptions, type ReleasePolicyWriter } from "./reconcile.ts";

export const RELEASE_POLICY_CONTROLLER = "releasepolicy";

export interface ReleasePolicyControllerOptions extends ReleasePolicyOptions {
  fieldManager: string;
  events: EventRecorder;
  logger: Logger;
  registry: Registry;
  debounceMs?: number;
}

export function newReleasePolicyController(
  manager: Manager,
  options: ReleasePolicyControllerOptions,
): Controller {
  const featureGates = manager.informers.informerFor(FEATURE_GATES);
  const clusterVersions = manager.informers.informerFor(CLUSTER_VERSIONS);
  const policies = manager.informers.informerFor(CLUSTER_IMAGE_POLICIES);
  const client = manager.client.resource(CLUSTER_IMAGE_POLICIES);
  const reconciler = new ReleasePolicyReconciler(options);
  const name = options.manifest?.metadata.name ?? "openshift";

  const controller = new Controller({
    name: RELEASE_POLICY_CONTROLLER,
    kind: "ClusterImagePolicy",
    registry: options.registry,
    logger: options.logger,
    queue: { debounceMs: options.debounceMs ?? 100 },
    reconcile: async (_key, context) => {
      const writer: ReleasePolicyWriter = {
        async create(policy: ClusterImagePolicy) {
          await client.create(policy, { fieldManager: options.fieldManager, signal: context.signal });
        },
        async update(policy: ClusterImagePolicy) {
          // A full update (with the live resourceVersion), as the cluster-version operator does:
          // every spec field, label and annotation the manifest does not carry is removed.
          await client.update(policy, { fieldManager: options.fieldManager, signal: context.signal });
        },
        event(regarding, type, reason, message) {
          options.events.event(regarding, { type, reason, note: message, action: "ManageReleasePolicy" });
        },
        log(message, fields) {
          context.logger.info(message, fields);
        },
      };
      await reconciler.reconcile(
        {
          featureGate: () => featureGates.get("cluster"),
          clusterVersion: () => clusterVersions.get("version"),
          livePolicy: (n) => policies.get(n),
        },
        writer,
      );
    },
  });
  controller.watch(featureGates, () => [name]);
  controller.watch(clusterVersions, () => [name]);
  controller.watch(policies, (policy) => (policy.metadata.name === name ? [name] : []));
  return controller;
}
