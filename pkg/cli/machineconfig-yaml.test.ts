import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { stringify } from "yaml";
import { NEWEST_CRIO } from "../render/crio-version.ts";
import { machineConfigYaml } from "./machineconfig-yaml.ts";
import { renderManifests } from "./manifest-render.ts";

const root = join(import.meta.dirname, "../..");
const corpus = join(root, "test/fixtures/mco-corpus/cases");
const yamlOf = (value: unknown): string => stringify(value, { lineWidth: 0 });

describe("machineConfigYaml writes what yaml.stringify writes", () => {
  it("for the MachineConfigs of every corpus cluster and of the examples", () => {
    const dirs = [
      ...readdirSync(corpus).map((name) => join(corpus, name, "in")),
      join(root, "manifests/examples"),
    ];
    let compared = 0;
    for (const dir of dirs) {
      for (const mc of renderManifests([dir], { crioVersion: NEWEST_CRIO }).rendered?.machineConfigs ?? []) {
        expect(machineConfigYaml(mc)).toBe(yamlOf(mc));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(200);
  });

  it.each<[string, unknown]>([
    [
      "scalars yaml quotes",
      { a: "true", b: "", c: "a: b", d: " lead", e: "3.5.0", f: "null", g: "#x", h: 420 },
    ],
    ["a multi-line string", { a: "one\ntwo\n" }],
    ["empty lists and maps", { a: [], b: {}, c: [{}], d: { e: [] } }],
    ["a key that needs quoting", { "a: b": 1, true: 2 }],
    ["a list in a list", { a: [[1, 2], ["x"]] }],
    ["null and nested lists of maps", { a: null, b: [{ c: [{ d: "e" }], f: { g: "h" } }] }],
  ])("for %s", (_, value) => {
    expect(machineConfigYaml(value)).toBe(yamlOf(value));
  });

  it("for any object of strings, numbers, booleans, maps and lists", () => {
    const key = fc.oneof(
      fc.constantFrom("path", "mode", "a.b/c", "true", "x y"),
      fc.string({ maxLength: 6 }),
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom("data:text/plain;charset=utf-8;base64,QUJD", "/etc/x.json", "gzip", "", "- a", "0x1f"),
      fc.integer(),
      fc.double({ noNaN: true }),
      fc.boolean(),
    );
    const tree = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        scalar,
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    fc.assert(
      fc.property(fc.dictionary(key, tree, { minKeys: 1, maxKeys: 5 }), (value) => {
        expect(machineConfigYaml(value)).toBe(yamlOf(value));
      }),
      { numRuns: 500 },
    );
  });
});
