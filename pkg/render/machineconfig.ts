// The MachineConfig that carries the node files to one pool, named and labelled as MCO names its
// registries MachineConfig (99-<pool>-generated-registries), so a cluster moving to this
// controller keeps the same object.
import type { Image } from "../apis/config/v1/image.ts";
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import type { OwnerReference } from "../apis/meta.ts";
import { ignitionConfig, ignitionFile, type IgnitionFile } from "../ignition/ignition.ts";

export const ROLE_LABEL = "machineconfiguration.openshift.io/role";
export const GENERATED_BY_ANNOTATION = "machineconfiguration.openshift.io/generated-by-controller-version";

export interface NodeFile {
  path: string;
  contents: string;
  /** Delivered gzip-compressed (Ignition compression: gzip) to fit the size limit. */
  gzip?: boolean;
}

export function generatedMachineConfigName(pool: string): string {
  return `99-${pool}-generated-registries`;
}

/**
 * Ignition files by path and compression: encoding (and gzip) is done once per file. An entry is
 * reused only for the same contents; comparing the same string object is O(1).
 */
export class IgnitionFileCache {
  private readonly cache = new Map<string, { contents: string; encoded: IgnitionFile }>();

  get(file: NodeFile, gzip: boolean): IgnitionFile {
    const key = `${file.path}\u0000${gzip ? 1 : 0}`;
    const hit = this.cache.get(key);
    if (hit && hit.contents === file.contents) return hit.encoded;
    const encoded = ignitionFile(file.path, Buffer.from(file.contents, "utf8"), { gzip });
    this.cache.set(key, { contents: file.contents, encoded });
    return encoded;
  }
}

export function registriesMachineConfig(
  pool: string,
  files: NodeFile[],
  image: Image | undefined,
  controllerVersion: string,
  cache: IgnitionFileCache = new IgnitionFileCache(),
): MachineConfig {
  const metadata: MachineConfig["metadata"] = {
    name: generatedMachineConfigName(pool),
    labels: { [ROLE_LABEL]: pool },
    annotations: { [GENERATED_BY_ANNOTATION]: controllerVersion },
  };
  if (image?.metadata.uid) {
    const owner: OwnerReference = {
      apiVersion: "config.openshift.io/v1",
      kind: "Image",
      name: image.metadata.name ?? "cluster",
      uid: image.metadata.uid,
    };
    metadata.ownerReferences = [owner];
  }
  const ignitionFiles = files.map((f) => cache.get(f, f.gzip ?? false));
  return {
    apiVersion: "machineconfiguration.openshift.io/v1",
    kind: "MachineConfig",
    metadata,
    // The API type keeps config opaque (an Ignition document of any version).
    spec: { osImageURL: "", config: ignitionConfig(ignitionFiles) as unknown as Record<string, unknown> },
  };
}

/**
 * The size of the object as the API server receives it (JSON), for the request-size limit. Data
 * URLs are base64 and need no JSON escaping, so their length is added instead of serialising them.
 */
export function machineConfigBytes(mc: MachineConfig): number {
  const config = mc.spec.config as { storage?: { files?: IgnitionFile[] } } | undefined;
  const files = config?.storage?.files ?? [];
  const sources = files.reduce((sum, f) => sum + f.contents.source.length, 0);
  const withoutSources = {
    ...mc,
    spec: {
      ...mc.spec,
      config: {
        ...config,
        storage: { files: files.map((f) => ({ ...f, contents: { ...f.contents, source: "" } })) },
      },
    },
  };
  return Buffer.byteLength(JSON.stringify(withoutSources), "utf8") + sources;
}
