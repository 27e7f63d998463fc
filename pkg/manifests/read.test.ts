import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { parseAllDocuments } from "yaml";
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

// The old way, kept as the oracle: yaml's prettyErrors position and its message's first line.
function prettyProblems(text: string, file: string): string[] {
  const docs = parseAllDocuments(text, { prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  return list.flatMap((doc, i) => {
    const error = doc.errors[0];
    if (!error) return [];
    const at = error.linePos?.[0];
    const reason = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
    const source = list.length > 1 ? `${file}#${i + 1}` : file;
    return [`${source}: YAML syntax error${at ? ` at line ${at.line}, column ${at.col}` : ""}: ${reason}`];
  });
}

describe("parseManifestText's syntax errors", () => {
  const syntaxProblems = (text: string): string[] =>
    parseManifestText(text, "f.yaml")
      .problems.filter((p) => p.message.startsWith("YAML syntax error"))
      .map((p) => `${p.source}: ${p.message}`);

  it.each([
    "key: [unclosed\n",
    "a: 1\nb: 2\n  c: 3\n",
    "kind: A\n---\nx: {\n",
    "a: 1\r\nb: [\r\n",
    "a:\n\t- b\n",
    "\n\n\n  bad: : :\n",
    "a: 1\na: 2\n",
    "- a\nb: c\n",
  ])("gives the line and column yaml's prettyErrors gives: %j", (text) => {
    const expected = prettyProblems(text, "f.yaml");
    expect(expected.length).toBeGreaterThan(0);
    expect(syntaxProblems(text)).toEqual(expected);
  });

  it("for any text made of YAML's punctuation and line breaks", () => {
    const piece = fc.constantFrom(
      "a",
      ": ",
      "- ",
      "[",
      "]",
      "{",
      "}",
      "\n",
      "\r\n",
      "  ",
      "\t",
      "#",
      "'",
      '"',
      "---\n",
      "&x ",
      "*x",
      "|\n",
      ",",
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 30 }), (pieces) => {
        const text = pieces.join("");
        expect(syntaxProblems(text)).toEqual(prettyProblems(text, "f.yaml"));
      }),
      { numRuns: 1000 },
    );
  });
});
