// Which OpenShift feature gates are on, the way operators other than the CVO must read them: from
// FeatureGate `status.featureGates` for the cluster's current version; when the status has no
// entry for that version yet (a bootstrap render, a folder of manifests), from the feature set's
// known defaults.
import type { FeatureGate } from "../apis/config/v1/featuregate.ts";

export const SigstoreImageVerification = "SigstoreImageVerification";
export const SigstoreImageVerificationPKI = "SigstoreImageVerificationPKI";

/** `spec.featureSet` values; "" is spelled Default in release-manifest annotations. */
export const KNOWN_FEATURE_SETS = [
  "Default",
  "TechPreviewNoUpgrade",
  "DevPreviewNoUpgrade",
  "OKD",
  "CustomNoUpgrade",
];

export interface FeatureGateState {
  /** The feature set in annotation spelling: Default, TechPreviewNoUpgrade, … */
  featureSet: string;
  enabled: ReadonlySet<string>;
  disabled: ReadonlySet<string>;
  /** Where the lists came from, for messages. */
  source: string;
}

// Both sigstore gates are enabled in every fixed feature set from 4.21/4.22 on (openshift/api
// features.go); gates we do not know default to disabled.
const FIXED_SET_DEFAULTS: Record<string, string[]> = {
  Default: [SigstoreImageVerification, SigstoreImageVerificationPKI],
  OKD: [SigstoreImageVerification, SigstoreImageVerificationPKI],
  TechPreviewNoUpgrade: [SigstoreImageVerification, SigstoreImageVerificationPKI],
  DevPreviewNoUpgrade: [SigstoreImageVerification, SigstoreImageVerificationPKI],
};

export function featureSetName(featureGate: FeatureGate | undefined): string {
  const set = featureGate?.spec?.featureSet ?? "";
  return set === "" ? "Default" : set;
}

/**
 * The gate state for `version` (the ClusterVersion's current version). With no FeatureGate at
 * all, the Default set applies, as on a cluster that never changed it.
 */
export function featureGateState(featureGate: FeatureGate | undefined, version?: string): FeatureGateState {
  const featureSet = featureSetName(featureGate);
  const details = featureGate?.status?.featureGates ?? [];
  const forVersion = version !== undefined ? details.find((d) => d.version === version) : undefined;
  const chosen = forVersion ?? (version === undefined && details.length === 1 ? details[0] : undefined);
  if (chosen) {
    return {
      featureSet,
      enabled: new Set(chosen.enabled.map((g) => g.name)),
      disabled: new Set(chosen.disabled.map((g) => g.name)),
      source: `FeatureGate status for version ${chosen.version}`,
    };
  }
  if (featureSet === "CustomNoUpgrade") {
    const custom = featureGate?.spec?.customNoUpgrade;
    const disabled = new Set(custom?.disabled ?? []);
    const enabled = new Set(
      [...(FIXED_SET_DEFAULTS.Default ?? []), ...(custom?.enabled ?? [])].filter((g) => !disabled.has(g)),
    );
    return { featureSet, enabled, disabled, source: "FeatureGate spec.customNoUpgrade over the Default set" };
  }
  const enabled = new Set(FIXED_SET_DEFAULTS[featureSet] ?? []);
  return { featureSet, enabled, disabled: new Set(), source: `the ${featureSet} feature set's defaults` };
}

export function isGateEnabled(state: FeatureGateState, gate: string): boolean {
  return state.enabled.has(gate) && !state.disabled.has(gate);
}
