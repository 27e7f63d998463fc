import { describe, expect, it } from "@jest/globals";
import { invalidCases, validCases } from "../../test/fixtures/validation-corpus.ts";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bundledCrdDirectory, loadCrdCatalog } from "./crd-catalog.ts";
import { formatFieldError } from "./field-error.ts";
import { validateObject } from "./validate.ts";

const precompiled = loadCrdCatalog();
// The same CRDs parsed and compiled at run time, as when generated/ is stale or another directory
// is given: both must say the same.
const compiledNow = loadCrdCatalog(undefined, { precompiled: false });

it("uses the precompiled validators for the bundled CRDs (run `make generate` when this fails)", () => {
  expect(precompiled.precompiled).toBe(true);
  expect(compiledNow.precompiled).toBe(false);
  expect(precompiled.crds).toEqual(compiledNow.crds);
});

it("parses and compiles CRD files that differ from those generated/ was made from", () => {
  const dir = mkdtempSync(join(tmpdir(), "crds-"));
  cpSync(bundledCrdDirectory(), dir, { recursive: true });
  const file = join(dir, "config.openshift.io_imagepolicies.yaml");
  writeFileSync(file, `${readFileSync(file, "utf8")}# edited\n`);
  const catalog = loadCrdCatalog(dir);
  expect(catalog.precompiled).toBe(false);
  expect(catalog.crds).toEqual(compiledNow.crds);
});

describe.each([
  ["precompiled", precompiled],
  ["compiled at run time", compiledNow],
])("validation corpus (offline validator, schemas %s)", (_how, catalog) => {
  it("has enough cases to cover every rule", () => {
    expect(validCases().length).toBeGreaterThanOrEqual(15);
    expect(invalidCases().length).toBeGreaterThanOrEqual(40);
  });

  it.each(validCases().map((c) => [c.name, c] as const))("accepts %s", (_name, c) => {
    const result = validateObject(catalog, c.object);
    expect(result.errors.map(formatFieldError)).toEqual([]);
    expect(result.unknownFields.map(formatFieldError)).toEqual([]);
  });

  it.each(invalidCases().map((c) => [c.name, c] as const))(
    "rejects %s with the expected errors",
    (_name, c) => {
      expect(c.expectedErrors.length).toBeGreaterThan(0);
      const result = validateObject(catalog, c.object);
      expect(result.errors.map(formatFieldError).sort()).toEqual([...c.expectedErrors].sort());
    },
  );
});
