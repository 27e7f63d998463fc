// machineconfiguration.openshift.io/v1 MachineConfigPool: the parts this controller reads
// (upstream: openshift/api machineconfiguration/v1/types.go). Unmodelled fields are preserved.
import type { KubeObject, LabelSelector } from "../../meta.ts";

/** @preserveUnknownFields */
export interface MachineConfigPoolSpec {
  /** machineConfigSelector specifies a label selector for MachineConfigs. */
  machineConfigSelector?: LabelSelector;
  /** nodeSelector specifies a label selector for Machines */
  nodeSelector?: LabelSelector;
  /** paused specifies whether or not changes to this machine config pool should be stopped. */
  paused?: boolean;
}

/**
 * MachineConfigPool describes a pool of MachineConfigs.
 * @group machineconfiguration.openshift.io
 * @version v1
 * @plural machineconfigpools
 * @shortName mcp
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/1453
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface MachineConfigPool extends KubeObject {
  /** spec contains the desired machine config pool configuration. */
  spec: MachineConfigPoolSpec;
  /**
   * status contains observed information about the machine config pool.
   * @preserveUnknownFields
   */
  status?: Record<string, unknown>;
}
