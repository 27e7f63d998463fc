// machineconfiguration.openshift.io/v1 MachineConfig (upstream: openshift/api
// machineconfiguration/v1/types.go). `config` is an Ignition config, kept opaque to the API server.
import type { KubeObject } from "../../meta.ts";

/** @preserveUnknownFields */
export interface MachineConfigSpec {
  /** osImageURL specifies the remote location that will be used to fetch the OS. */
  osImageURL?: string;
  /**
   * config is a Ignition Config object.
   * @preserveUnknownFields
   */
  config?: Record<string, unknown>;
  /**
   * kernelArguments contains a list of kernel arguments to be added.
   * @listType atomic
   * @nullable
   */
  kernelArguments?: string[];
}

/**
 * MachineConfig defines the configuration for a machine.
 * @group machineconfiguration.openshift.io
 * @version v1
 * @plural machineconfigs
 * @shortName mc
 * @scope Cluster
 * @printcolumn {"name": "GeneratedByController", "type": "string", "jsonPath": ".metadata.annotations.machineconfiguration\\.openshift\\.io/generated-by-controller-version", "description": "Version of the controller that generated the machineconfig. This will be empty if the machineconfig is not managed by a controller."}
 * @printcolumn {"name": "IgnitionVersion", "type": "string", "jsonPath": ".spec.config.ignition.version", "description": "Version of the Ignition Config defined in the machineconfig."}
 * @printcolumn {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/1453
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface MachineConfig extends KubeObject {
  /** MachineConfigSpec is the spec for MachineConfig */
  spec: MachineConfigSpec;
}
