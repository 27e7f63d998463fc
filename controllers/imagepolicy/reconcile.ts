// One reconcile of the image-policy controller: snapshot from the caches → render → apply the
// MachineConfigs whose content changed, delete the generated MachineConfigs of pools that are gone,
// write the policies' status conditions where they changed, record events. The cluster is read
// through ClusterState and written through ImagePolicyWriter, so the logic is tested without an
// API server and the same code runs against a real one.
import type { ClusterImagePolicy } from "../../pkg/apis/config/v1/clusterimagepolicy.ts";
import type { ClusterVersion } from "../../pkg/apis/config/v1/clusterversion.ts";
import type { FeatureGate } from "../../pkg/apis/config/v1/featuregate.ts";
import type { Image } from "../../pkg/apis/config/v1/image.ts";
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
  pools(): MachineConfigPool[];
  machineConfigs(): MachineConfig[];
}

export type PolicyObject = ClusterImagePolicy | ImagePolicy | ClusterSimpleSigningPolicy;

/** How the controller writes; the real one uses server-side apply with one field manager. */
export interface ImagePolicyWriter {
  applyMachineConfig(machineConfig: MachineConfig): Promise<void>;
  deleteMachineConfig(name: string): Promise<void>;
  applyStatus(policy: PolicyObject, conditions: Condition[]): Promise<void>;
  event(regarding: KubeObject, type: "Normal" | "Warning", reason: string, message: string): void;
}

export interface ReconcileOptions {
  crioVersion: CrioVersion;
  controllerVersion: string;
  /** The field manager of this controller: generated MachineConfigs it applied carry it. */
  fieldManager: string;
  now: () => string;
}

export interface ReconcileResult {
  outcomes: PolicyOutcome[];
  machineConfigWrites: string[];
  machineConfigDeletes: string[];
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

/** True when the live object already has everything this controller would apply. */
export function machineConfigUpToDate(desired: MachineConfig, live: MachineConfig | undefined): boolean {
  if (!live) return false;
  return (
    jsonEqual(desired.spec, { osImageURL: live.spec?.osImageURL ?? "", config: live.spec?.config }) &&
    live.metadata.labels?.[ROLE_LABEL] === desired.metadata.labels?.[ROLE_LABEL] &&
    live.metadata.annotations?.[GENERATED_BY_ANNOTATION] ===
      desired.metadata.annotations?.[GENERATED_BY_ANNOTATION] &&
    jsonEqual(desired.metadata.ownerReferences ?? [], live.metadata.ownerReferences ?? [])
  );
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
    statusWrites: 0,
    warnings: rendered.warnings,
  };

  for (const desired of rendered.machineConfigs) {
    if (machineConfigUpToDate(desired, live.get(desired.metadata.name ?? ""))) continue;
    await writer.applyMachineConfig(desired);
    result.machineConfigWrites.push(desired.metadata.name ?? "");
  }
  const wanted = new Set(rendered.machineConfigs.map((mc) => mc.metadata.name));
  for (const [name, mc] of live) {
    // Only generated MachineConfigs this controller applied itself: never anyone else's.
    if (!GENERATED_NAME.test(name) || wanted.has(name) || !appliedBy(mc, options.fieldManager)) continue;
    await writer.deleteMachineConfig(name);
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
    await writer.applyStatus(policy, conditions);
    result.statusWrites++;
    if (event) writer.event(policy, event.type, event.reason, event.message);
  }
  return result;
}
