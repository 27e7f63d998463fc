import { describe, expect, it } from "@jest/globals";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { main } from "./main.ts";
import { capture } from "./testing/capture.ts";

function writeTemp(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cli-"));
  writeFileSync(join(dir, name), text);
  return join(dir, name);
}

describe("image-policy crds", () => {
  it("prints every CRD as one YAML stream", async () => {
    const io = capture();
    expect(await main(["crds"], io)).toBe(0);
    const docs = parseAllDocuments(io.stdout.join("\n")).map(
      (d) => d.toJS() as { kind: string; metadata: { name: string } },
    );
    expect(docs.every((d) => d.kind === "CustomResourceDefinition")).toBe(true);
    expect(docs.map((d) => d.metadata.name)).toContain("clusterimagepolicies.config.openshift.io");
    expect(docs.length).toBe(12);
  });
});

describe("image-policy validate", () => {
  it("prints each error with source, kind/name and field path, and exits 1", async () => {
    const file = writeTemp(
      "cip.yaml",
      "apiVersion: config.openshift.io/v1\nkind: ClusterImagePolicy\nmetadata: {name: bad}\nspec:\n  scopes: [busybox]\n  policy: {rootOfTrust: {policyType: PKI}}\n",
    );
    const io = capture();
    expect(await main(["validate", "-f", file], io)).toBe(1);
    expect(io.stderr).toEqual([
      `${file}: ClusterImagePolicy/bad: spec.scopes[0]: Invalid value: "string": invalid image scope format, scope must contain a fully qualified domain name or 'localhost'`,
      `${file}: ClusterImagePolicy/bad: spec.scopes[0]: Invalid value: "string": invalid repository namespace or image specification in the image scope`,
      `${file}: ClusterImagePolicy/bad: spec.policy.rootOfTrust: Invalid value: "object": pki is required when policyType is PKI, and forbidden otherwise`,
    ]);
    expect(io.stdout).toEqual(["0 valid, 1 invalid"]);
  });

  it("gives one-line errors for unknown kinds, YAML syntax errors and non-objects", async () => {
    const file = writeTemp(
      "mixed.yaml",
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\na: [b\n---\n42\n",
    );
    const io = capture();
    expect(await main(["validate", "-f", file], io)).toBe(1);
    expect(io.stderr).toHaveLength(3);
    expect(io.stderr[0]).toMatch(/mixed\.yaml#2: YAML syntax error at line \d+, column \d+: /);
    expect(io.stderr[1]).toBe(`${file}#3: not a Kubernetes object (a YAML number)`);
    expect(io.stderr[2]).toBe(`${file}#1: unknown kind Pod in apiVersion v1`);
    expect(io.stderr.every((l) => !l.includes("\n") && !l.includes("    at "))).toBe(true);
  });

  it("reports an unreadable path and exits 1", async () => {
    const io = capture();
    expect(await main(["validate", "-f", "/nonexistent/dir"], io)).toBe(1);
    expect(io.stderr).toEqual(["/nonexistent/dir: cannot read: no such file or directory"]);
  });

  it("warns about unknown fields, and rejects them with --strict", async () => {
    const object = parse(
      "apiVersion: config.openshift.io/v1\nkind: FeatureGate\nmetadata: {name: cluster}\nspec: {featureSet: '', enable: [X]}\n",
    ) as unknown;
    const file = writeTemp("fg.json", JSON.stringify(object));
    const lenient = capture();
    expect(await main(["validate", "-f", file], lenient)).toBe(0);
    expect(lenient.stderr).toEqual([
      `${file}: FeatureGate/cluster: warning: spec.enable: Unknown field: field not declared in schema`,
    ]);
    const strict = capture();
    expect(await main(["validate", "--strict", "-f", file], strict)).toBe(1);
  });

  it("exits 2 on usage errors", async () => {
    expect(await main(["validate"], capture())).toBe(2);
    expect(await main(["validate", "-f", "x", "--bogus"], capture())).toBe(2);
    expect(await main(["nonsense"], capture())).toBe(2);
  });

  it("accepts the whole valid corpus", async () => {
    const io = capture();
    expect(
      await main(["validate", "-f", join(import.meta.dirname, "../../test/fixtures/validation/valid")], io),
    ).toBe(0);
    expect(io.stdout).toEqual(["18 valid, 0 invalid"]);
  });
});

describe("image-policy check-update", () => {
  const digest = "sha256:" + "ab".repeat(32);
  it("accepts the canonical repository and exits 0", async () => {
    const io = capture();
    expect(await main(["check-update", `quay.io/openshift-release-dev/ocp-release@${digest}`], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^accepted: /);
  });

  it("rejects a look-alike with the reason and exits 1; --force lets it through with a warning", async () => {
    const rejected = capture();
    expect(
      await main(["check-update", `quay.io/openshift-release-dev/ocp-release-evil@${digest}`], rejected),
    ).toBe(1);
    expect(rejected.stdout[0]).toContain(
      "not from repository quay.io/openshift-release-dev/ocp-release-evil",
    );
    const forced = capture();
    expect(
      await main(
        ["check-update", "--force", "--output", "json", `registry.example.com/ocp@${digest}`],
        forced,
      ),
    ).toBe(0);
    expect(JSON.parse(forced.stdout[0] ?? "{}")).toMatchObject({
      decision: "forced",
      flavour: "ocp",
      force: true,
    });
  });

  it("uses the OKD repository for --flavour okd, and exits 2 on usage errors", async () => {
    expect(
      await main(["check-update", "--flavour", "okd", `quay.io/okd/scos-release@${digest}`], capture()),
    ).toBe(0);
    expect(
      await main(
        ["check-update", "--flavour", "okd", `quay.io/openshift-release-dev/ocp-release@${digest}`],
        capture(),
      ),
    ).toBe(1);
    expect(await main(["check-update", "--flavour", "rhel", "x"], capture())).toBe(2);
    expect(await main(["check-update"], capture())).toBe(2);
  });
});
