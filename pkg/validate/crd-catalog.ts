// The generated CRDs (crds/*.yaml) as a lookup table from apiVersion+kind to schema. The same
// files are installed on clusters, so offline and online validation share one source.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import type { CustomResourceDefinition, JsonSchemaProps } from "../apis/apiextensions.ts";

export type { JsonSchemaProps };

export interface KindSchema {
  group: string;
  version: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  schema: JsonSchemaProps;
}

export interface CrdCatalog {
  crds: CustomResourceDefinition[];
  /** The raw YAML of every CRD file, in file-name order (what `image-policy crds` prints). */
  yamlFiles: { name: string; text: string }[];
  lookup(apiVersion: string, kind: string): KindSchema | undefined;
}

/** The crds/ directory shipped with this package (found from this module's location). */
export function bundledCrdDirectory(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, "package.json")) && existsSync(join(dir, "crds"))) return join(dir, "crds");
    const parent = dirname(dir);
    if (parent === dir) throw new Error("cannot find the crds/ directory of image-policy-controller");
    dir = parent;
  }
}

export function loadCrdCatalog(directory: string = bundledCrdDirectory()): CrdCatalog {
  const yamlFiles = readdirSync(directory)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(directory, name), "utf8") }));
  const crds = yamlFiles.flatMap(({ text }) =>
    parseAllDocuments(text).map((doc) => doc.toJS() as CustomResourceDefinition),
  );
  const byKey = new Map<string, KindSchema>();
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      byKey.set(`${crd.spec.group}/${version.name}/${crd.spec.names.kind}`, {
        group: crd.spec.group,
        version: version.name,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        namespaced: crd.spec.scope === "Namespaced",
        schema: version.schema.openAPIV3Schema,
      });
    }
  }
  return { crds, yamlFiles, lookup: (apiVersion, kind) => byKey.get(`${apiVersion}/${kind}`) };
}
