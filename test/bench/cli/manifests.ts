// The render benchmark's typical cluster as a folder of manifests, one object per file, as a GitOps
// repository or `kubectl apply -f DIR` would hold them.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import type { KubeObject } from "../../../pkg/apis/meta.ts";
import { typicalCluster } from "../render/cluster.ts";

/** Writes the typical cluster's objects under dir; returns how many files were written. */
export function writeTypicalManifests(dir: string): number {
  const cluster = typicalCluster();
  const objects: KubeObject[] = [
    ...cluster.clusterImagePolicies,
    ...cluster.imagePolicies,
    ...cluster.imageDigestMirrorSets,
  ];
  mkdirSync(dir, { recursive: true });
  for (const object of objects) {
    // As written by hand: the server sets generation.
    const { generation: _generation, ...metadata } = object.metadata;
    const name = [object.kind.toLowerCase(), metadata.namespace, metadata.name].filter(Boolean).join("-");
    writeFileSync(join(dir, `${name}.yaml`), stringify({ ...object, metadata }));
  }
  return objects.length;
}
