// `image-policy crds`: prints the generated CRDs as one multi-document YAML stream.
import { loadCrdCatalog } from "../validate/crd-catalog.ts";
import { EXIT_OK, type CommandIO } from "./io.ts";

export const crdsHelp = `Usage: image-policy crds

Prints every CustomResourceDefinition this controller needs (ClusterImagePolicy, ImagePolicy,
ClusterSimpleSigningPolicy and the OpenShift kinds it reads) as multi-document YAML, ready for
\`kubectl apply -f -\`.`;

export function runCrds(_args: string[], io: CommandIO): number {
  const catalog = loadCrdCatalog();
  io.out(catalog.yamlFiles.map((f) => f.text.trimEnd()).join("\n---\n"));
  return EXIT_OK;
}
