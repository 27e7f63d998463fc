// The generated CRDs (crds/*.yaml) as a lookup table from apiVersion+kind to schema. The same
// files are installed on clusters, so offline and online validation share one source.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CustomResourceDefinition, JsonSchemaProps } from "../apis/apiextensions.ts";
import { crdSourceDigest, kindKey, parseCrdFiles, readCrdFiles } from "./crd-files.ts";
import * as precompiled from "./generated/crd-validators.ts";
import { useCompiledValidator } from "./openapi.ts";

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
  /**
   * Whether the CRDs came parsed and their schemas compiled ahead of time (generated/, used only
   * when it was generated from exactly these files), rather than parsed and compiled now.
   */
  precompiled: boolean;
}

export interface CrdCatalogOptions {
  /** false: parse the YAML and compile the schemas now even when generated/ matches (tests). */
  precompiled?: boolean;
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

export function loadCrdCatalog(
  directory: string = bundledCrdDirectory(),
  options: CrdCatalogOptions = {},
): CrdCatalog {
  const yamlFiles = readCrdFiles(directory);
  // Parsing the CRD YAML and compiling the schemas took most of validating a folder of policies;
  // generated/ has both done, and is used only if generated from these very files.
  const usePrecompiled =
    options.precompiled !== false && crdSourceDigest(yamlFiles) === precompiled.sourceDigest;
  const crds = usePrecompiled
    ? (JSON.parse(precompiled.crdsJson) as CustomResourceDefinition[])
    : parseCrdFiles(yamlFiles);
  const byKey = new Map<string, KindSchema>();
  for (const crd of crds) {
    for (const version of crd.spec.versions) {
      const key = kindKey(crd.spec.group, version.name, crd.spec.names.kind);
      const validate = usePrecompiled ? precompiled.validators[key] : undefined;
      if (validate) useCompiledValidator(version.schema.openAPIV3Schema, validate);
      byKey.set(key, {
        group: crd.spec.group,
        version: version.name,
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        namespaced: crd.spec.scope === "Namespaced",
        schema: version.schema.openAPIV3Schema,
      });
    }
  }
  return {
    crds,
    yamlFiles,
    lookup: (apiVersion, kind) => byKey.get(`${apiVersion}/${kind}`),
    precompiled: usePrecompiled,
  };
}
