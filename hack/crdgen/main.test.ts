import { describe, expect, it } from "@jest/globals";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateCrdFiles, loadApiProject, staleCrdFiles } from "./main.ts";

const crdDir = join(fileURLToPath(import.meta.url), "../../../crds");

describe("CRD generation", () => {
  it("the committed crds/ match the API types", () => {
    expect(staleCrdFiles(generateCrdFiles(), crdDir)).toEqual([]);
  });

  it("a type change without regeneration makes crds/ stale", () => {
    const project = loadApiProject();
    const source = project.getSourceFiles().find((f) => f.getFilePath().endsWith("config/v1/imagepolicy.ts"));
    if (!source) throw new Error("imagepolicy.ts not found");
    source.replaceWithText(source.getFullText().replace(" * @maxItems 256\n", " * @maxItems 128\n"));
    expect(staleCrdFiles(generateCrdFiles(project), crdDir)).toEqual([
      "config.openshift.io_clusterimagepolicies.yaml",
      "config.openshift.io_imagepolicies.yaml",
    ]);
  });

  it("carries upstream's scope rules onto every scope list", () => {
    const files = generateCrdFiles();
    for (const name of [
      "config.openshift.io_clusterimagepolicies.yaml",
      "config.openshift.io_imagepolicies.yaml",
      "image-policy.dev_clustersimplesigningpolicies.yaml",
    ]) {
      expect(files.get(name)).toContain(
        "invalid image scope with wildcard, a wildcard can only be at the start of the domain and is only supported for subdomain matching, not path matching",
      );
    }
  });
});
