// config.openshift.io/v1 FeatureGate: the parts this controller reads (upstream:
// openshift/api config/v1/types_feature.go). Unmodelled fields are preserved.
import type { Condition, KubeObject } from "../../meta.ts";

/** A feature gate name. */
export interface FeatureGateAttributes {
  /** name is the name of the FeatureGate. */
  name: string;
}

/** The gates enabled and disabled for one cluster version. */
export interface FeatureGateDetails {
  /** version matches the version provided by the ClusterVersion and in the ClusterOperator.Status.Versions field. */
  version: string;
  /**
   * enabled is a list of all feature gates that are enabled in the cluster for the named version.
   * @listType atomic
   */
  enabled: FeatureGateAttributes[];
  /**
   * disabled is a list of all feature gates that are disabled in the cluster for the named version.
   * @listType atomic
   */
  disabled: FeatureGateAttributes[];
}

/** Explicitly enabled and disabled gates for the CustomNoUpgrade feature set. */
export interface CustomFeatureGates {
  /**
   * enabled is a list of all feature gates that you want to force on.
   * @listType atomic
   */
  enabled?: string[];
  /**
   * disabled is a list of all feature gates that you want to force off.
   * @listType atomic
   */
  disabled?: string[];
}

/**
 * @xValidation.rule has(oldSelf.featureSet) ? has(self.featureSet) : true
 * @xValidation.message .spec.featureSet cannot be removed
 */
export interface FeatureGateSpec {
  /**
   * featureSet changes the list of features in the cluster. The default is empty.
   * @xValidation.rule oldSelf == 'CustomNoUpgrade' ? self == 'CustomNoUpgrade' : true
   * @xValidation.message CustomNoUpgrade may not be changed
   * @xValidation.rule oldSelf == 'TechPreviewNoUpgrade' ? self == 'TechPreviewNoUpgrade' : true
   * @xValidation.message TechPreviewNoUpgrade may not be changed
   * @xValidation.rule oldSelf == 'DevPreviewNoUpgrade' ? self == 'DevPreviewNoUpgrade' : true
   * @xValidation.message DevPreviewNoUpgrade may not be changed
   * @xValidation.rule oldSelf == 'OKD' ? self != '' : true
   * @xValidation.message OKD cannot transition to Default
   */
  featureSet?: "CustomNoUpgrade" | "DevPreviewNoUpgrade" | "TechPreviewNoUpgrade" | "OKD" | "";
  /**
   * customNoUpgrade allows the enabling or disabling of any feature.
   * @nullable
   */
  customNoUpgrade?: CustomFeatureGates;
}

export interface FeatureGateStatus {
  /**
   * conditions represent the observations of the current state.
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
  /**
   * featureGates contains a list of enabled and disabled featureGates that are keyed by payloadVersion.
   * @listType map
   * @listMapKey version
   */
  featureGates?: FeatureGateDetails[];
}

/**
 * FeatureGate holds cluster-wide information about feature gates. The canonical name is `cluster`.
 * @group config.openshift.io
 * @version v1
 * @plural featuregates
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/470
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 * @annotation release.openshift.io/bootstrap-required=true
 */
export interface FeatureGate extends KubeObject {
  /** spec holds user settable values for configuration. */
  spec: FeatureGateSpec;
  /** status holds observed values from the cluster. They may not be overridden. */
  status?: FeatureGateStatus;
}
