// Shared Kubernetes object shapes (the subset of k8s.io/apimachinery meta/v1 that our kinds embed).
// The CRD generator emits `metadata` as a bare object, as controller-gen does: the API server owns
// its schema.

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

/** The common envelope of every object we read or write. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
}

/**
 * Condition contains details for one aspect of the current state of this API Resource
 * (metav1.Condition).
 */
export interface Condition {
  /**
   * type of condition in CamelCase or in foo.example.com/CamelCase.
   * @maxLength 316
   * @pattern "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
   */
  type: string; // @pattern is a JSON string: the raw pattern contains the comment terminator.
  /**
   * status of the condition, one of True, False, Unknown.
   */
  status: "True" | "False" | "Unknown";
  /**
   * observedGeneration represents the .metadata.generation that the condition was set based upon.
   * @minimum 0
   */
  observedGeneration?: number;
  /**
   * lastTransitionTime is the last time the condition transitioned from one status to another.
   * @format date-time
   */
  lastTransitionTime: string;
  /**
   * reason contains a programmatic identifier indicating the reason for the condition's last transition.
   * @minLength 1
   * @maxLength 1024
   * @pattern ^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$
   */
  reason: string;
  /**
   * message is a human readable message indicating details about the transition.
   * @maxLength 32768
   */
  message: string;
}

/** A label selector (metav1.LabelSelector). */
export interface LabelSelector {
  /** matchLabels is a map of {key,value} pairs. */
  matchLabels?: Record<string, string>;
  /**
   * matchExpressions is a list of label selector requirements. The requirements are ANDed.
   * @listType atomic
   */
  matchExpressions?: LabelSelectorRequirement[];
}

export interface LabelSelectorRequirement {
  /** key is the label key that the selector applies to. */
  key: string;
  /** operator represents a key's relationship to a set of values: In, NotIn, Exists and DoesNotExist. */
  operator: string;
  /**
   * values is an array of string values.
   * @listType atomic
   */
  values?: string[];
}
