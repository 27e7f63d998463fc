// The resource types match the generated CRDs.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "@jest/globals";
import { parse } from "yaml";
import type { ResourceType } from "./client.ts";
import * as resources from "./resources.ts";

const crdDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "crds");

interface Crd {
  spec: {
    group: string;
    scope: string;
    names: { plural: string; kind: string };
    versions: { name: string; served: boolean }[];
  };
}

const crds = fs
  .readdirSync(crdDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => parse(fs.readFileSync(path.join(crdDir, f), "utf8")) as Crd);

describe("resources", () => {
  const custom = Object.values(resources as Record<string, ResourceType>).filter(
    (r) => r.group !== "coordination.k8s.io" && r.group !== "events.k8s.io",
  );

  it("cover every CRD", () => {
    expect(custom.map((r) => `${r.plural}.${r.group}`).sort()).toEqual(
      crds.map((c) => `${c.spec.names.plural}.${c.spec.group}`).sort(),
    );
  });

  it.each(custom.map((r) => [r.kind, r] as const))("%s matches its CRD", (_kind, resource) => {
    const crd = crds.find((c) => c.spec.group === resource.group && c.spec.names.plural === resource.plural);
    expect(crd?.spec.names.kind).toBe(resource.kind);
    expect(crd?.spec.scope).toBe(resource.namespaced ? "Namespaced" : "Cluster");
    expect(crd?.spec.versions.filter((v) => v.served).map((v) => v.name)).toContain(resource.version);
  });
});
