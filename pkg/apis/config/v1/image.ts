// config.openshift.io/v1 Image: the registry rules this controller merges into policy.json
// (upstream: openshift/api config/v1/types_image.go). Unmodelled fields are preserved.
import type { KubeObject } from "../../meta.ts";

/**
 * A registry host[:port][/path] or a `*.` wildcard host, without tags or digests.
 * @minLength 1
 * @maxLength 256
 * @xValidation.rule self.matches('^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$')
 * @xValidation.message each registry must be a valid hostname[:port][/path] or wildcard *.hostname format without tags or digests
 */
type RegistryScope = string;

/**
 * RegistrySources holds cluster-wide information about how to handle the registries config.
 * @xValidation.rule has(self.blockedRegistries) ? !has(self.allowedRegistries) : true
 * @xValidation.message Only one of blockedRegistries or allowedRegistries may be set
 */
export interface RegistrySources {
  /**
   * insecureRegistries are registries which do not have a valid TLS certificates or only support HTTP connections.
   * @maxItems 1024
   * @listType atomic
   */
  insecureRegistries?: RegistryScope[];
  /**
   * blockedRegistries cannot be used for image pull and push actions. All other registries are permitted.
   * @maxItems 1024
   * @listType atomic
   */
  blockedRegistries?: RegistryScope[];
  /**
   * allowedRegistries are the only registries permitted for image pull and push actions. All other registries are denied.
   * @maxItems 1024
   * @listType atomic
   */
  allowedRegistries?: RegistryScope[];
  /**
   * containerRuntimeSearchRegistries are registries that will be searched when pulling images that do not have fully qualified domains.
   * @minItems 1
   * @listType set
   */
  containerRuntimeSearchRegistries?: string[];
}

/** @preserveUnknownFields */
export interface ImageSpec {
  /** registrySources contains configuration that determines how the container runtime should treat individual registries. */
  registrySources?: RegistrySources;
}

/**
 * Image governs policies related to imagestream imports and runtime configuration for external
 * registries. The canonical name is `cluster`.
 * @group config.openshift.io
 * @version v1
 * @plural images
 * @scope Cluster
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/470
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface Image extends KubeObject {
  /** spec holds user settable values for configuration. */
  spec: ImageSpec;
  /**
   * status holds observed values from the cluster. They may not be overridden.
   * @preserveUnknownFields
   */
  status?: Record<string, unknown>;
}
