import { describe, expect, it } from "@jest/globals";
import type { JsonSchemaProps } from "../apis/apiextensions.ts";
import { validateCelAndListTypes } from "./cel-validate.ts";

const pem = "-----BEGIN PUBLIC KEY-----\nabc\n-----END PUBLIC KEY-----\n";
const rule = { rule: "string(self).startsWith('-----BEGIN PUBLIC KEY-----')", message: "not a PEM key" };
const schemaOf = (format?: string): JsonSchemaProps => ({
  type: "object",
  properties: {
    key: { type: "string", ...(format ? { format } : {}), "x-kubernetes-validations": [rule] },
  },
});
const errorsFor = (schema: JsonSchemaProps, key: string): string[] =>
  validateCelAndListTypes(schema, { key }, { listTypes: true, cel: true }).map((e) => e.message);

describe("validateCelAndListTypes", () => {
  // Results for scalars are remembered per rule: the same text is bytes under format: byte and a
  // string otherwise, so the rule's answer differs, however often either was seen before.
  it("evaluates a rule on the value its schema makes of a scalar, each time", () => {
    const base64 = Buffer.from(pem).toString("base64");
    for (let round = 0; round < 3; round++) {
      expect(errorsFor(schemaOf("byte"), base64)).toEqual([]);
      expect(errorsFor(schemaOf(), base64)).toEqual([`Invalid value: "string": ${rule.message}`]);
      expect(errorsFor(schemaOf(), pem)).toEqual([]);
      expect(errorsFor(schemaOf("byte"), Buffer.from("garbage").toString("base64"))).toEqual([
        `Invalid value: "string": ${rule.message}`,
      ]);
    }
  });
});
