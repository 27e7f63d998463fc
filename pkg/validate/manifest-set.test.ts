import { describe, expect, it } from "@jest/globals";
import { loadCrdCatalog } from "./crd-catalog.ts";
import { manifestSetProblems } from "./manifest-set.ts";

const catalog = loadCrdCatalog();
const policy = (name: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: "config.openshift.io/v1",
  kind: "ClusterImagePolicy",
  metadata: { name },
  ...extra,
});

describe("manifestSetProblems", () => {
  it("refuses one of our kinds under an apiVersion that is not served, or none", () => {
    expect(
      manifestSetProblems(
        [
          { source: "a.yaml", object: policy("x", { apiVersion: "x/v1" }) },
          { source: "b.yaml", object: { kind: "ImagePolicy", metadata: { name: "y", namespace: "team" } } },
        ],
        catalog,
        { duplicates: true },
      ),
    ).toEqual([
      'a.yaml: no matches for kind "ClusterImagePolicy" in version "x/v1" (ClusterImagePolicy is served as config.openshift.io/v1)',
      "b.yaml: ImagePolicy: apiVersion not set (ImagePolicy is served as config.openshift.io/v1)",
    ]);
  });

  it("names both files of two objects with one name; namespaces and kinds keep names apart", () => {
    const imagePolicy = (name: string, namespace?: string) => ({
      apiVersion: "config.openshift.io/v1",
      kind: "ImagePolicy",
      metadata: { name, ...(namespace && { namespace }) },
    });
    expect(
      manifestSetProblems(
        [
          { source: "a.yaml", object: policy("same") },
          { source: "b.yaml#2", object: policy("same") },
          { source: "c.yaml", object: imagePolicy("same", "team-a") },
          { source: "d.yaml", object: imagePolicy("same", "team-b") },
          { source: "e.yaml", object: imagePolicy("p") },
          { source: "f.yaml", object: imagePolicy("p", "default") },
        ],
        catalog,
        { duplicates: true },
      ),
    ).toEqual([
      "b.yaml#2: ClusterImagePolicy same is also defined in a.yaml; the API server keeps one object per name",
      "f.yaml: ImagePolicy default/p is also defined in e.yaml; the API server keeps one object per name",
    ]);
  });

  it("leaves duplicates alone when asked to (validate checks objects one by one)", () => {
    const twice = [
      { source: "a.yaml", object: policy("same") },
      { source: "b.yaml", object: policy("same") },
    ];
    expect(manifestSetProblems(twice, catalog, { duplicates: false })).toEqual([]);
  });

  it("leaves kinds that are not ours to the commands", () => {
    expect(
      manifestSetProblems(
        [
          { source: "a.yaml", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } },
          { source: "b.yaml", object: { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" } } },
        ],
        catalog,
        { duplicates: true },
      ),
    ).toEqual([]);
  });
});
