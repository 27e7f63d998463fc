import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseManifestText, readManifests } from "./read.ts";

describe("parseManifestText", () => {
  it("reads multi-document YAML and skips empty documents", () => {
    const set = parseManifestText("kind: A\n---\n---\nkind: B\n", "f.yaml");
    expect(set.problems).toEqual([]);
    expect(set.documents.map((d) => [d.source, d.object.kind])).toEqual([
      ["f.yaml#1", "A"],
      ["f.yaml#3", "B"],
    ]);
  });

  it("expands kind: List", () => {
    const set = parseManifestText(JSON.stringify({ kind: "List", items: [{ kind: "A" }, 3] }), "l.json");
    expect(set.documents.map((d) => d.object.kind)).toEqual(["A"]);
    expect(set.problems).toEqual([{ source: "l.json items[1]", message: "not a Kubernetes object" }]);
  });

  it("reports syntax errors with a position and non-object documents, and keeps going", () => {
    const set = parseManifestText(
      "kind: A\n---\nkey: [unclosed\n---\n- a\n- b\n---\njust text\n",
      "bad.yaml",
    );
    expect(set.documents.map((d) => d.object.kind)).toEqual(["A"]);
    expect(set.problems.map((p) => p.source)).toEqual(["bad.yaml#2", "bad.yaml#3", "bad.yaml#4"]);
    expect(set.problems[0]?.message).toMatch(/^YAML syntax error at line \d+, column \d+: /);
    expect(set.problems[1]?.message).toBe("not a Kubernetes object (a YAML list)");
    expect(set.problems[2]?.message).toBe("not a Kubernetes object (a YAML string)");
  });
});

describe("readManifests", () => {
  it("walks directories for manifest files and reports unreadable paths", () => {
    const dir = mkdtempSync(join(tmpdir(), "manifests-"));
    writeFileSync(join(dir, "b.yaml"), "kind: B\n");
    writeFileSync(join(dir, "a.json"), '{"kind":"A"}');
    writeFileSync(join(dir, "notes.txt"), "ignored");
    const set = readManifests([dir, join(dir, "missing.yaml")]);
    expect(set.documents.map((d) => d.object.kind)).toEqual(["A", "B"]);
    expect(set.problems).toEqual([
      { source: join(dir, "missing.yaml"), message: "cannot read: no such file or directory" },
    ]);
  });
});
