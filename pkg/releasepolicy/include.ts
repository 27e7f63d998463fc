// Whether a release manifest applies to this cluster, with the cluster-version operator's rules
// (openshift/library-go pkg/manifest/manifest.go IncludeAllowUnknownCapabilities, in its order),
// plus ClusterVersion `spec.overrides`. Pure: the caller gathers the cluster state.
import type { ComponentOverride } from "../apis/config/v1/clusterversion.ts";
import type { KubeObject } from "../apis/meta.ts";
import { KNOWN_FEATURE_SETS, type FeatureGateState } from "../featuregates/featuregates.ts";

export const FEATURE_SET_ANNOTATION = "release.openshift.io/feature-set";
export const FEATURE_GATE_ANNOTATION = "release.openshift.io/feature-gate";
export const MAJOR_VERSION_ANNOTATION = "release.openshift.io/major-version";
export const DEFAULT_CLUSTER_PROFILE = "self-managed-high-availability";

export interface InclusionContext {
  featureGates: FeatureGateState;
  /** The cluster profile (include.release.openshift.io/<profile>). */
  profile: string;
  /** The CVO's EXCLUDE_MANIFESTS identifier, if any (HyperShift sets internal-openshift-hosted). */
  excludeIdentifier?: string;
  /** ClusterVersion spec.overrides. */
  overrides: ComponentOverride[];
  /** The release's major version, for release.openshift.io/major-version. */
  majorVersion?: number;
}

export type Inclusion = { included: true } | { included: false; reason: string; overridden: boolean };

const excluded = (reason: string, overridden = false): Inclusion => ({ included: false, reason, overridden });

export function manifestInclusion(manifest: KubeObject, context: InclusionContext): Inclusion {
  const annotations = manifest.metadata.annotations ?? {};
  if (Object.keys(annotations).length === 0) return excluded("no annotations");

  if (
    context.excludeIdentifier &&
    annotations[`exclude.release.openshift.io/${context.excludeIdentifier}`] === "true"
  ) {
    return excluded(`exclude.release.openshift.io/${context.excludeIdentifier}=true`);
  }

  const featureSetAnnotation = annotations[FEATURE_SET_ANNOTATION];
  const featureGateAnnotation = annotations[FEATURE_GATE_ANNOTATION];
  if (featureSetAnnotation !== undefined && featureGateAnnotation !== undefined) {
    return excluded(`${FEATURE_SET_ANNOTATION} and ${FEATURE_GATE_ANNOTATION} are mutually exclusive`);
  }
  if (featureSetAnnotation !== undefined) {
    const sets = featureSetAnnotation.split(",");
    const unknown = sets.filter((s) => !KNOWN_FEATURE_SETS.includes(s));
    if (unknown.length > 0)
      return excluded(
        `unrecognized value ${unknown.join(",")} in ${FEATURE_SET_ANNOTATION}=${featureSetAnnotation}`,
      );
    if (!sets.includes(context.featureGates.featureSet)) {
      return excluded(
        `"${context.featureGates.featureSet}" is required, and ${FEATURE_SET_ANNOTATION}=${featureSetAnnotation}`,
      );
    }
  }
  if (featureGateAnnotation !== undefined) {
    for (const entry of featureGateAnnotation.split(",")) {
      const negated = entry.startsWith("-");
      const gate = negated ? entry.slice(1) : entry;
      const enabled = context.featureGates.enabled.has(gate) && !context.featureGates.disabled.has(gate);
      if (negated && enabled)
        return excluded(
          `feature gate ${gate} is enabled, and ${FEATURE_GATE_ANNOTATION}=${featureGateAnnotation}`,
        );
      if (!negated && !enabled)
        return excluded(
          `feature gate ${gate} is not enabled, and ${FEATURE_GATE_ANNOTATION}=${featureGateAnnotation}`,
        );
    }
  }
  const majorAnnotation = annotations[MAJOR_VERSION_ANNOTATION];
  if (majorAnnotation !== undefined && context.majorVersion !== undefined) {
    if (!majorAnnotation.split(",").includes(String(context.majorVersion))) {
      return excluded(
        `major version ${context.majorVersion} is not in ${MAJOR_VERSION_ANNOTATION}=${majorAnnotation}`,
      );
    }
  }
  if (annotations[`include.release.openshift.io/${context.profile}`] !== "true") {
    return excluded(`include.release.openshift.io/${context.profile} unset`);
  }
  if (overrideFor(manifest, context.overrides)) return excluded("overridden", true);
  return { included: true };
}

/** The unmanaged override entry that names this object, if any (namespace ignored when cluster-scoped). */
export function overrideFor(
  manifest: KubeObject,
  overrides: ComponentOverride[],
): ComponentOverride | undefined {
  const [group] = manifest.apiVersion.includes("/") ? manifest.apiVersion.split("/") : [""];
  const namespace = manifest.metadata.namespace ?? "";
  return overrides.find(
    (o) =>
      o.unmanaged &&
      o.kind === manifest.kind &&
      o.group === group &&
      o.name === manifest.metadata.name &&
      (namespace === "" || o.namespace === namespace),
  );
}
