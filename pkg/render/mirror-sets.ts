// Mirror sets merged per source, as openshift/runtime-utils does for MCO (pkg/registries
// mergedDigestMirrorSets / mergedTagMirrorSets and topo.go): the mirror lists of every
// ImageDigestMirrorSet and ImageContentSourcePolicy (or every ImageTagMirrorSet) naming one source
// are joined into one order that respects each list's preference order where possible, e.g.
// (B, C) and (A, B) become (A, B, C). Sources come out sorted.

import type { ImageMirrors } from "../apis/config/v1/mirrors.ts";
import { compareBytes } from "../util/sorted.ts";

export interface MergedMirrorSet {
  source: string;
  mirrors: string[];
  /** Some set of this source said NeverContactSource: the source itself is blocked. */
  neverContactSource: boolean;
}

/** A directed graph sorted topologically, loops broken deterministically (topo.go topoGraph). */
class TopoGraph {
  readonly #nodes = new Map<string, { name: string; used: boolean; ins: Set<string>; outs: Set<string> }>();

  #node(name: string) {
    let node = this.#nodes.get(name);
    if (!node) {
      node = { name, used: false, ins: new Set(), outs: new Set() };
      this.#nodes.set(name, node);
    }
    return node;
  }

  addEdge(from: string, to: string): void {
    this.#node(from).outs.add(to);
    this.#node(to).ins.add(from);
  }

  sorted(): string[] {
    const all = [...this.#nodes.values()].sort((a, b) => compareBytes(a.name, b.name));
    const noIncoming = all.filter((n) => n.ins.size === 0);
    const result: string[] = [];
    let allIndex = 0;
    while (noIncoming.length > 0 || allIndex < all.length) {
      let node = noIncoming.shift();
      if (!node) {
        // An unbroken loop: take the first unused node in sorted order.
        node = all[allIndex++];
        if (!node || node.used) continue;
      }
      node.used = true;
      result.push(node.name);
      const next = [];
      for (const outName of node.outs) {
        const out = this.#nodes.get(outName);
        if (!out) continue;
        out.ins.delete(node.name);
        if (out.ins.size === 0 && !out.used) next.push(out);
      }
      noIncoming.push(...next.sort((a, b) => compareBytes(a.name, b.name)));
    }
    return result;
  }
}

class MirrorSets {
  readonly #lists = new Map<string, string[][]>();
  readonly #neverContact = new Set<string>();

  add(source: string, mirrors: readonly string[], policy: string | undefined): void {
    // Mirrors that only repeat the source are no mirror set at all (and their policy is ignored).
    if (!mirrors.some((m) => m !== source)) return;
    if (policy === "NeverContactSource") this.#neverContact.add(source);
    this.#lists.set(source, [...(this.#lists.get(source) ?? []), [...mirrors]]);
  }

  merged(): MergedMirrorSet[] {
    return [...this.#lists.keys()].sort(compareBytes).map((source) => {
      const graph = new TopoGraph();
      for (const mirrors of this.#lists.get(source) ?? []) {
        for (let i = 0; i + 1 < mirrors.length; i++) graph.addEdge(mirrors[i] ?? "", mirrors[i + 1] ?? "");
        if (!mirrors.includes(source)) graph.addEdge(mirrors[mirrors.length - 1] ?? "", source);
      }
      const sorted = graph.sorted();
      // The source is tried last anyway; it is not listed as its own mirror.
      if (sorted[sorted.length - 1] === source) sorted.pop();
      return { source, mirrors: sorted, neverContactSource: this.#neverContact.has(source) };
    });
  }
}

/** mergedDigestMirrorSets: ImageDigestMirrorSets first, then ImageContentSourcePolicies. */
export function mergedDigestMirrorSets(
  digestMirrors: readonly ImageMirrors[],
  contentSourceMirrors: readonly { source: string; mirrors?: string[] }[],
): MergedMirrorSet[] {
  const sets = new MirrorSets();
  for (const m of digestMirrors) sets.add(m.source, m.mirrors ?? [], m.mirrorSourcePolicy);
  // An ImageContentSourcePolicy has no source policy: it allows contacting the source.
  for (const m of contentSourceMirrors) sets.add(m.source, m.mirrors ?? [], undefined);
  return sets.merged();
}

/** mergedTagMirrorSets. */
export function mergedTagMirrorSets(tagMirrors: readonly ImageMirrors[]): MergedMirrorSet[] {
  const sets = new MirrorSets();
  for (const m of tagMirrors) sets.add(m.source, m.mirrors ?? [], m.mirrorSourcePolicy);
  return sets.merged();
}
