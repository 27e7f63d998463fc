// One reconcile of the release-policy controller: decide (pkg/releasepolicy) what to do with the
// managed `openshift` ClusterImagePolicy and do it: create it, revert edits, or leave the live
// object alone when it is not managed; say so in Events and in the log.
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../../pkg/apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../../pkg/apis/config/v1/featuregate.ts";
import type { KubeObject } from "../../pkg/apis/meta.ts";
import { featureGateState } from "../../pkg/featuregates/featuregates.ts";
import { DEFAULT_CLUSTER_PROFILE } from "../../pkg/releasepolicy/include.ts";
import { decideReleasePolicy, type ReleasePolicyDecision } from "../../pkg/releasepolicy/managed.ts";

export interface ReleasePolicyState {
  featureGate(): FeatureGate | undefined;
  clusterVersion(): ClusterVersion | undefined;
  /** The live ClusterImagePolicy with the manifest's name, if any. */
  livePolicy(name: string): ClusterImagePolicy | undefined;
}

export interface ReleasePolicyWriter {
  create(policy: ClusterImagePolicy): Promise<void>;
  /** Replaces the object (optimistic concurrency on its resourceVersion). */
  update(policy: ClusterImagePolicy): Promise<void>;
  event(regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
  log(message: string, fields: Record<string, unknown>): void;
}

export interface ReleasePolicyOptions {
  flavour: string;
  /** The flavour's manifest (or the configured replacement); undefined when there is none. */
  manifest: ClusterImagePolicy | undefined;
  profile?: string;
  excludeIdentifier?: string;
}

export class ReleasePolicyReconciler {
  /** The last reason the policy was unmanaged, so "stepped aside" is said once per change. */
  private lastUnmanagedReason: string | undefined;

  private readonly options: ReleasePolicyOptions;

  constructor(options: ReleasePolicyOptions) {
    this.options = options;
  }

  async reconcile(state: ReleasePolicyState, writer: ReleasePolicyWriter): Promise<ReleasePolicyDecision> {
    const clusterVersion = state.clusterVersion();
    const name = this.options.manifest?.metadata.name ?? "openshift";
    const live = state.livePolicy(name);
    const decision = decideReleasePolicy({
      manifest: this.options.manifest,
      flavour: this.options.flavour,
      inclusion: {
        featureGates: featureGateState(state.featureGate(), clusterVersion?.status?.desired?.version),
        profile: this.options.profile ?? DEFAULT_CLUSTER_PROFILE,
        overrides: clusterVersion?.spec?.overrides ?? [],
        ...(this.options.excludeIdentifier ? { excludeIdentifier: this.options.excludeIdentifier } : {}),
      },
      clusterVersion,
      live,
    });
    switch (decision.action) {
      case "create":
        await writer.create(decision.object);
        writer.event(
          decision.object,
          "Normal",
          "Created",
          `created the managed release image policy ${name}`,
        );
        writer.log("created the managed release image policy", { name });
        this.lastUnmanagedReason = undefined;
        break;
      case "update":
        await writer.update(decision.object);
        writer.event(
          decision.object,
          "Warning",
          "Reverted",
          `reverted manual changes to ${decision.reverted.join(", ")} of the managed release image policy ${name}`,
        );
        writer.log("reverted manual changes to the managed release image policy", {
          name,
          reverted: decision.reverted,
        });
        this.lastUnmanagedReason = undefined;
        break;
      case "unmanaged":
        if (decision.reason !== this.lastUnmanagedReason) {
          const what = decision.liveObjectLeft
            ? `the release image policy ${name} is no longer managed and is left as it is`
            : `the release image policy ${name} is not managed`;
          writer.log(`${what}: ${decision.reason}`, { name, overridden: decision.overridden });
          const regarding = live ?? clusterVersion;
          if (regarding)
            writer.event(
              regarding,
              "Normal",
              decision.overridden ? "Overridden" : "NotManaged",
              `${what}: ${decision.reason}`,
            );
          this.lastUnmanagedReason = decision.reason;
        }
        break;
      case "none":
        this.lastUnmanagedReason = undefined;
        break;
    }
    return decision;
  }
}
