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

/** Ignition files by path, compression and contents: encoding (and gzip) is done once per file. */
export class IgnitionFileCache {
  private readonly cache = new Map<string, IgnitionFile>();

  get(file: NodeFile, gzip: boolean): IgnitionFile {
    const key = `${file.path}\u0000${gzip ? 1 : 0}\u0000${file.contents}`;
    let encoded = this.cache.get(key);
    if (!encoded) {
      encoded = ignitionFile(file.path, new TextEncoder().encode(file.contents), { gzip });
      this.cache.set(key, encoded);
    }
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

/** The size of the object as the API server receives it (JSON), for the request-size limit. */
export function machineConfigBytes(mc: MachineConfig): number {
  return Buffer.byteLength(JSON.stringify(mc), "utf8");
}
