// Problems of a set of manifests as a whole, before any object is validated or rendered: an object
// of one of our kinds under an apiVersion the API server does not serve it at (which would
// otherwise skip every schema and CEL check), and, for a set that is applied together (render), two
// objects that the API server would store as one (same kind, namespace and name). Both make the
// input unusable. `validate` checks objects one by one (a corpus of alternatives is fine there).
import type { ManifestDocument } from "../manifests/read.ts";
import type { CrdCatalog } from "./crd-catalog.ts";

export interface ManifestSetChecks {
  /** Two objects of one kind and name are one object to the API server: refuse them (render). */
  duplicates: boolean;
}

export function manifestSetProblems(
  documents: ManifestDocument[],
  catalog: CrdCatalog,
  checks: ManifestSetChecks,
): string[] {
  const problems: string[] = [];
  const servedAt = new Map<string, string[]>();
  for (const crd of catalog.crds) {
    const versions = crd.spec.versions.map((version) => `${crd.spec.group}/${version.name}`);
    servedAt.set(crd.spec.names.kind, versions);
  }
  const seen = new Map<string, string>();
  for (const { source, object } of documents) {
    const kind = typeof object.kind === "string" ? object.kind : "";
    const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
    const versions = servedAt.get(kind);
    if (versions === undefined) continue; // not our kind: the commands say what they do with it
    if (apiVersion === "") {
      problems.push(`${source}: ${kind}: apiVersion not set (${kind} is served as ${versions.join(", ")})`);
      continue;
    }
    if (!versions.includes(apiVersion)) {
      problems.push(
        `${source}: no matches for kind ${JSON.stringify(kind)} in version ${JSON.stringify(apiVersion)} (${kind} is served as ${versions.join(", ")})`,
      );
      continue;
    }
    if (!checks.duplicates) continue;
    const metadata = (object.metadata ?? {}) as Record<string, unknown>;
    const name = typeof metadata.name === "string" ? metadata.name : "";
    if (name === "") continue; // reported by validation (name or generateName is required)
    const namespaced = catalog.lookup(apiVersion, kind)?.namespaced ?? false;
    // kubectl puts a namespaced object without a namespace (or with an empty one) in "default".
    const given = typeof metadata.namespace === "string" ? metadata.namespace : "";
    const namespace = namespaced ? given || "default" : "";
    const identity = `${kind} ${namespace ? `${namespace}/` : ""}${name}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      problems.push(
        `${source}: ${identity} is also defined in ${first}; the API server keeps one object per name`,
      );
    } else {
      seen.set(identity, source);
    }
  }
  return problems;
}
