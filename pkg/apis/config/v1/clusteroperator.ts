// config.openshift.io/v1 ClusterOperator: how an operator reports its health so that `oc get co`
// shows it (upstream: openshift/api config/v1/types_cluster_operator.go). The controller writes the
// status of its own `image-policy` ClusterOperator.
import type { KubeObject } from "../../meta.ts";

/** ClusterOperatorStatusCondition represents the state of the operator's managed and monitored components. */
export interface ClusterOperatorStatusCondition {
  /** type specifies the aspect reported by this condition. */
  type: string;
  /** status of the condition, one of True, False, Unknown. */
  status: "True" | "False" | "Unknown";
  /**
   * lastTransitionTime is the time of the last update to the current status property.
   * @format date-time
   */
  lastTransitionTime: string;
  /** reason is the CamelCase reason for the condition's current status. */
  reason?: string;
  /** message provides additional information about the current condition. */
  message?: string;
}

/** ObjectReference contains enough information to let you inspect or modify the referred object. */
export interface ObjectReference {
  /** group of the referent. */
  group: string;
  /** resource of the referent. */
  resource: string;
  /** namespace of the referent. */
  namespace?: string;
  /** name of the referent. */
  name: string;
}

/** OperandVersion is a name and version pair. */
export interface OperandVersion {
  /** name is the name of the particular operand this version is for. */
  name: string;
  /** version indicates which version of a particular operand is currently being managed. */
  version: string;
}

export interface ClusterOperatorStatus {
  /**
   * conditions describes the state of the operator's managed and monitored components.
   * @listType map
   * @listMapKey type
   */
  conditions?: ClusterOperatorStatusCondition[];
  /**
   * versions is a slice of operator and operand version tuples.
   * @listType atomic
   */
  versions?: OperandVersion[];
  /**
   * relatedObjects is a list of objects that are "interesting" or related to this operator.
   * @listType atomic
   */
  relatedObjects?: ObjectReference[];
  /**
   * extension contains any additional status information specific to the operator which owns this status object.
   * @preserveUnknownFields
   */
  extension?: Record<string, unknown>;
}

/**
 * ClusterOperator holds the status of a core or optional OpenShift component managed by the
 * OpenShift cluster version operator.
 * @group config.openshift.io
 * @version v1
 * @plural clusteroperators
 * @shortName co
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/497
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 * @printcolumn {"name": "Version", "type": "string", "jsonPath": ".status.versions[?(@.name==\"operator\")].version", "description": "The version the operator is at."}
 * @printcolumn {"name": "Available", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Available\")].status", "description": "Whether the operator is running and stable."}
 * @printcolumn {"name": "Progressing", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Progressing\")].status", "description": "Whether the operator is processing changes."}
 * @printcolumn {"name": "Degraded", "type": "string", "jsonPath": ".status.conditions[?(@.type==\"Degraded\")].status", "description": "Whether the operator is degraded."}
 * @printcolumn {"name": "Since", "type": "date", "jsonPath": ".status.conditions[?(@.type==\"Available\")].lastTransitionTime", "description": "The time the operator's Available status last changed."}
 */
export interface ClusterOperator extends KubeObject {
  /**
   * spec holds configuration that could apply to any operator.
   * @preserveUnknownFields
   */
  spec: Record<string, unknown>;
  /** status holds the information about the state of an operator. */
  status?: ClusterOperatorStatus;
}
