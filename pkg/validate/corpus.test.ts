import { describe, expect, it } from "@jest/globals";
import { invalidCases, validCases } from "../../test/fixtures/validation-corpus.ts";
import { loadCrdCatalog } from "./crd-catalog.ts";
import { formatFieldError } from "./field-error.ts";
import { validateObject } from "./validate.ts";

const catalog = loadCrdCatalog();

describe("validation corpus (offline validator)", () => {
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
