// One reconcile of the image-policy controller: snapshot from the caches → render → apply the
// MachineConfigs whose content changed, delete the generated MachineConfigs of pools that are gone,
// write the policies' status conditions where they changed, record events. The cluster is read
// through ClusterState and written through ImagePolicyWriter, so the logic is tested without an
// API server and the same code runs against a real one.
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../../pkg/apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../../pkg/apis/config/v1/featuregate.ts";
import type { Image } from "../../pkg/apis/config/v1/image.ts";
import type { ImageContentSourcePolicy } from "../../pkg/apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
import type { ImageDigestMirrorSet } from "../../pkg/apis/config/v1/imagedigestmirrorset.ts";
import type { ImagePolicy } from "../../pkg/apis/config/v1/imagepolicy.ts";
import type { ImageTagMirrorSet } from "../../pkg/apis/config/v1/imagetagmirrorset.ts";
import type { MachineConfig } from "../../pkg/apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../../pkg/apis/machineconfiguration/v1/machineconfigpool.ts";
import type { Condition, KubeObject } from "../../pkg/apis/meta.ts";
import type { ClusterSimpleSigningPolicy } from "../../pkg/apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import type { CrioVersion } from "../../pkg/render/crio-version.ts";
import { GENERATED_BY_ANNOTATION, ROLE_LABEL } from "../../pkg/render/machineconfig.ts";
import type { PolicyOutcome } from "../../pkg/render/outcome.ts";
import { render } from "../../pkg/render/render.ts";
import type { Snapshot } from "../../pkg/render/snapshot.ts";
import { jsonEqual } from "../../pkg/util/json.ts";
import {
  CONDITION_APPLIED,
  CONDITION_PENDING,
  nextConditions,
  ownedConditions,
  transitionEvent,
} from "./status.ts";

/** What the controller reads, from its informer caches. Singletons are the canonical `cluster`/`version` objects. */
export interface ClusterState {
  clusterImagePolicies(): ClusterImagePolicy[];
  imagePolicies(): ImagePolicy[];
  simpleSigningPolicies(): ClusterSimpleSigningPolicy[];
  featureGate(): FeatureGate | undefined;
  clusterVersion(): ClusterVersion | undefined;
  image(): Image | undefined;
  imageDigestMirrorSets(): ImageDigestMirrorSet[];
  imageTagMirrorSets(): ImageTagMirrorSet[];
  imageContentSourcePolicies(): ImageContentSourcePolicy[];
  pools(): MachineConfigPool[];
  machineConfigs(): MachineConfig[];
}

export type PolicyObject = ClusterImagePolicy | ImagePolicy | ClusterSimpleSigningPolicy;

/**
 * How the controller writes; the real one uses server-side apply with one field manager. Every call
 * takes the reconcile's abort signal, so a lost Lease stops writes in flight.
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
}

/** The label that marks the MachineConfigs this controller applies (its informer selects on it). */
export const MANAGED_BY_LABEL = "image-policy.dev/managed-by";
export const MANAGED_BY_VALUE = "image-policy-controller";

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
}

export class RenderFailedError extends Error {}

const GENERATED_NAME = /^99-(.+)-generated-registries$/;

export function snapshotFromState(
  state: ClusterState,
  options: Pick<ReconcileOptions, "crioVersion" | "controllerVersion">,
): Snapshot {
  const snapshot: Snapshot = {
    clusterImagePolicies: state.clusterImagePolicies(),
    imagePolicies: state.imagePolicies(),
    simpleSigningPolicies: state.simpleSigningPolicies(),
    imageDigestMirrorSets: state.imageDigestMirrorSets(),
    imageTagMirrorSets: state.imageTagMirrorSets(),
    imageContentSourcePolicies: state.imageContentSourcePolicies(),
    pools: state.pools(),
    crioVersion: options.crioVersion,
    controllerVersion: options.controllerVersion,
  };
  const featureGate = state.featureGate();
  const clusterVersion = state.clusterVersion();
  const image = state.image();
  if (featureGate) snapshot.featureGate = featureGate;
  if (clusterVersion) snapshot.clusterVersion = clusterVersion;
  if (image) snapshot.image = image;
  return snapshot;
}

/** The rendered MachineConfig as this controller applies it: with the label its informer selects. */
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

function managersOf(machineConfig: MachineConfig): string[] {
  const managedFields = (machineConfig.metadata as { managedFields?: { manager?: string }[] }).managedFields;
  return [...new Set((managedFields ?? []).map((f) => f.manager ?? "").filter((m) => m !== ""))];
}

function appliedBy(machineConfig: MachineConfig, fieldManager: string): boolean {
  const managedFields = (
    machineConfig.metadata as { managedFields?: { manager?: string; operation?: string }[] }
  ).managedFields;
  return (managedFields ?? []).some((f) => f.manager === fieldManager && f.operation === "Apply");
}

export async function reconcileImagePolicies(
  state: ClusterState,
  writer: ImagePolicyWriter,
  options: ReconcileOptions,
): Promise<ReconcileResult> {
  const rendered = render(snapshotFromState(state, options));
  if (rendered.errors.length > 0) {
    // Never apply a render that failed: the nodes keep what they have.
    throw new RenderFailedError(rendered.errors.join("; "));
  }
  const live = new Map(state.machineConfigs().map((mc) => [mc.metadata.name ?? "", mc]));
  const result: ReconcileResult = {
    outcomes: rendered.outcomes,
    machineConfigWrites: [],
    machineConfigDeletes: [],
    machineConfigsManagedByAnother: [],
    statusWrites: 0,
    warnings: rendered.warnings,
  };
  const { signal } = options;

  for (const generated of rendered.machineConfigs) {
    const desired = withManagedByLabel(generated);
    const name = desired.metadata.name ?? "";
    signal?.throwIfAborted();
    // The cache holds only what this controller labelled; a generated name it does not hold may
    // still exist, applied by someone else (the Machine Config Operator writes the same names).
    const current = live.get(name) ?? (await writer.getMachineConfig(name, signal));
    const ours = current === undefined || appliedBy(current, options.fieldManager);
    if (ours && machineConfigUpToDate(desired, current)) continue;
    if (!ours && current !== undefined) {
      const managers = managersOf(current).join(", ") || "no field manager";
      if (!options.takeOverMachineConfigs) {
        result.machineConfigsManagedByAnother.push(name);
        writer.event(
          current,
          "Warning",
          "ManagedByAnother",
          `${name} is managed by ${managers}, not by this controller: left as it is (start the controller with --take-over-machineconfigs to replace it)`,
        );
        continue;
      }
      options.log?.(`taking over ${name} from ${managers} (--take-over-machineconfigs)`, { name, managers });
      writer.event(
        current,
        "Normal",
        "TakenOver",
        `${name} was managed by ${managers}; this controller now manages it`,
      );
    }
    // Force only reclaims fields of an object that is ours (someone edited it) or that we were told
    // to take over; a new object has nothing to reclaim.
    await writer.applyMachineConfig(desired, { force: current !== undefined, signal });
    result.machineConfigWrites.push(name);
  }
  const wanted = new Set(rendered.machineConfigs.map((mc) => mc.metadata.name));
  for (const [name, mc] of live) {
    // Only generated MachineConfigs this controller applied itself: never anyone else's.
    if (!GENERATED_NAME.test(name) || wanted.has(name) || !appliedBy(mc, options.fieldManager)) continue;
    signal?.throwIfAborted();
    await writer.deleteMachineConfig(name, mc.metadata.uid, signal);
    result.machineConfigDeletes.push(name);
  }

  const policies: PolicyObject[] = [
    ...state.clusterImagePolicies(),
    ...state.imagePolicies(),
    ...state.simpleSigningPolicies(),
  ];
  const byKey = new Map(
    policies.map((p) => [`${p.kind}/${p.metadata.namespace ?? ""}/${p.metadata.name ?? ""}`, p]),
  );
  const now = options.now();
  for (const outcome of rendered.outcomes) {
    const policy = byKey.get(`${outcome.kind}/${outcome.namespace ?? ""}/${outcome.name}`);
    if (!policy) continue;
    const ownedTypes =
      outcome.kind === "ImagePolicy" ? [CONDITION_APPLIED, CONDITION_PENDING] : [CONDITION_APPLIED];
    const conditions = nextConditions(policy.status?.conditions, ownedConditions(outcome), ownedTypes, now);
    if (!conditions) continue;
    const event = transitionEvent(policy.status?.conditions, outcome);
    signal?.throwIfAborted();
    // Only the types we own: applying another manager's condition would make us its co-owner.
    await writer.applyStatus(
      policy,
      conditions.filter((c) => ownedTypes.includes(c.type)),
      signal,
    );
    result.statusWrites++;
    if (event) writer.event(policy, event.type, event.reason, event.message);
  }
  return result;
}
