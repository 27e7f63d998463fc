// Mirrors of policy scopes, from ImageDigestMirrorSets and ImageTagMirrorSets, the way MCO derives
// them from the registries.conf it renders (helpers.go addScopeMirrorsSigstoreRegistriesdConfig
// over sysregistriesv2): signatures are read from the repository actually contacted, so every
// mirror a scope can be pulled from needs use-sigstore-attachments too.
import type { ImageDigestMirrorSet } from "../apis/config/v1/imagedigestmirrorset.ts";
import type { ImageTagMirrorSet } from "../apis/config/v1/imagetagmirrorset.ts";
import { scopeIsNestedInside } from "../containers/scope.ts";

/** One [[registry]] of registries.conf: a source and its mirrors. */
export interface MirroredRegistry {
  source: string;
  digestMirrors: string[];
  tagMirrors: string[];
}

/** Merges mirror sets by source, keeping first-seen order of mirrors (as MCO does). */
export function mirroredRegistries(
  idms: ImageDigestMirrorSet[],
  itms: ImageTagMirrorSet[],
): MirroredRegistry[] {
  const bySource = new Map<string, MirroredRegistry>();
  const add = (source: string, mirrors: string[] | undefined, kind: "digestMirrors" | "tagMirrors"): void => {
    let entry = bySource.get(source);
    if (!entry) {
      entry = { source, digestMirrors: [], tagMirrors: [] };
      bySource.set(source, entry);
    }
    for (const m of mirrors ?? []) if (!entry[kind].includes(m)) entry[kind].push(m);
  };
  for (const set of idms)
    for (const m of set.spec?.imageDigestMirrors ?? []) add(m.source, m.mirrors, "digestMirrors");
  for (const set of itms)
    for (const m of set.spec?.imageTagMirrors ?? []) add(m.source, m.mirrors, "tagMirrors");
  return [...bySource.values()];
}

/**
 * sysregistriesv2's prefix match: the registry whose source is the longest prefix of `reference`
 * at a path boundary, or a `*.domain` source matching the reference's host.
 */
export function findRegistry(
  registries: MirroredRegistry[],
  reference: string,
): MirroredRegistry | undefined {
  let best: MirroredRegistry | undefined;
  let bestLength = -1;
  for (const registry of registries) {
    const length = matchLength(reference, registry.source);
    if (length > bestLength) {
      best = registry;
      bestLength = length;
    }
  }
  return best;
}

function matchLength(reference: string, source: string): number {
  if (source.startsWith("*.")) {
    const host = reference.split("/")[0] ?? "";
    return host.endsWith(source.slice(1)) ? source.length : -1;
  }
  if (reference === source) return source.length;
  if (reference.startsWith(source) && "/:@".includes(reference[source.length] ?? "x")) return source.length;
  return -1;
}

/**
 * Every repository (other than the scope itself) from which images of `scope` may be pulled: the
 * mirrors of the registry that covers the scope, with the rest of the scope appended, and the
 * mirrors of registries nested inside the scope. Wildcard mirror sources contribute no location.
 */
export function mirrorScopesFor(scope: string, registries: MirroredRegistry[]): string[] {
  const found = new Set<string>();
  const covering = findRegistry(registries, scope.startsWith("*.") ? `matched.${scope.slice(2)}` : scope);
  if (covering && !covering.source.startsWith("*.")) {
    const rest = scope.slice(covering.source.length);
    for (const mirror of [...covering.digestMirrors, ...covering.tagMirrors]) found.add(mirror + rest);
  }
  for (const registry of registries) {
    if (registry === covering || registry.source === scope || !scopeIsNestedInside(registry.source, scope))
      continue;
    if (!registry.source.startsWith("*.")) found.add(registry.source);
    for (const mirror of [...registry.digestMirrors, ...registry.tagMirrors]) found.add(mirror);
  }
  found.delete(scope);
  return [...found];
}
