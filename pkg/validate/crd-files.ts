// The CRD files (crds/*.yaml) as read, digested and parsed: shared by the catalog and by the
// generator of generated/crd-validators.ts, which must not depend on what it generates.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";
import type { CustomResourceDefinition } from "../apis/apiextensions.ts";

/** What generated/crd-validators.ts records of the CRD files it was generated from. */
export function crdSourceDigest(yamlFiles: { name: string; text: string }[]): string {
  const hash = createHash("sha256");
  for (const { name, text } of yamlFiles) hash.update(`${name}\0${text}\0`);
  return `sha256:${hash.digest("hex")}`;
}

/** The key of a kind's schema in the catalog and in generated/crd-validators.ts. */
export function kindKey(group: string, version: string, kind: string): string {
  return `${group}/${version}/${kind}`;
}

/** The CRD files of a directory, in file-name order. */
export function readCrdFiles(directory: string): { name: string; text: string }[] {
  return readdirSync(directory)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(directory, name), "utf8") }));
}

export function parseCrdFiles(yamlFiles: { name: string; text: string }[]): CustomResourceDefinition[] {
  return yamlFiles.flatMap(({ text }) =>
    parseAllDocuments(text).map((doc) => doc.toJS() as CustomResourceDefinition),
  );
}
