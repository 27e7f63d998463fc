// The OpenAPI (structural schema) part of CRD validation, with ajv, reporting errors in the API
// server's words. Kubernetes-specific keywords are stripped before compiling; list-type and CEL
// checks live in cel-validate.ts.
import { createRequire } from "node:module";
import type { Ajv, ErrorObject, Options, ValidateFunction } from "ajv";
import type { JsonSchemaProps } from "./crd-catalog.ts";
import { childPath, goValue, jsonTypeName, type FieldError } from "./field-error.ts";

// ajv itself is loaded only when a schema is compiled at run time: the bundled CRDs come compiled
// (generated/crd-validators.ts), and loading ajv costs more than validating a folder of policies.
const require = createRequire(import.meta.url);

/**
 * An ajv instance configured as CRD validation needs it. `code` is for the generator of the
 * precompiled validators (standalone source); the options must otherwise be the same for both.
 */
export function newAjv(code?: Options["code"]): Ajv {
  const { Ajv: AjvClass } = require("ajv") as typeof import("ajv");
  const addFormats = require("ajv-formats") as typeof import("ajv-formats");
  const ajv = new AjvClass({
    allErrors: true,
    strict: false,
    validateFormats: true,
    ...(code ? { code } : {}),
  });
  addFormats.default(ajv, ["byte", "date-time", "int32", "int64", "double", "float"]);
  return ajv;
}

let runtimeAjv: Ajv | undefined;

/** A copy of the schema in plain JSON Schema: no descriptions, no x-kubernetes-* keywords. */
export function toAjvSchema(schema: JsonSchemaProps): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key.startsWith("x-kubernetes-") || key === "description" || key === "default") continue;
    if (key === "properties" && value && typeof value === "object") {
      out.properties = Object.fromEntries(
        Object.entries(value as Record<string, JsonSchemaProps>).map(([k, v]) => [k, toAjvSchema(v)]),
      );
    } else if ((key === "items" || key === "additionalProperties") && value && typeof value === "object") {
      out[key] = toAjvSchema(value as JsonSchemaProps);
    } else {
      out[key] = value;
    }
  }
  return out;
}

const compiled = new WeakMap<JsonSchemaProps, ValidateFunction>();

/** Makes validateOpenApi use a validator compiled ahead of time (by newAjv's ajv) for this schema. */
export function useCompiledValidator(schema: JsonSchemaProps, validate: ValidateFunction): void {
  compiled.set(schema, validate);
}

export function validateOpenApi(schema: JsonSchemaProps, value: unknown): FieldError[] {
  let validate = compiled.get(schema);
  if (!validate) {
    runtimeAjv ??= newAjv();
    validate = runtimeAjv.compile(toAjvSchema(schema));
    compiled.set(schema, validate);
  }
  if (validate(value)) return [];
  const ajvErrors = validate.errors ?? [];
  // Kubernetes reports a type mismatch alone: no other checks run on a value of the wrong type.
  const mistyped = new Set(ajvErrors.filter((e) => e.keyword === "type").map((e) => e.instancePath));
  const unique = new Map<string, FieldError>();
  for (const e of ajvErrors) {
    if (mistyped.has(e.instancePath) && e.keyword !== "type") continue;
    const error = toFieldError(e, schema, value);
    unique.set(`${error.field}\u0000${error.message}`, error);
  }
  return [...unique.values()];
}

/** Converts an ajv JSON pointer into a Kubernetes field path, using the value to tell lists from maps. */
function fieldPath(pointer: string, schema: JsonSchemaProps, root: unknown): string {
  let path = "";
  let value: unknown = root;
  let node: JsonSchemaProps | undefined = schema;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (Array.isArray(value)) {
      const index = Number(segment);
      path = childPath(path, index);
      value = value[index];
      node = node?.items;
    } else {
      const isMap = node?.properties?.[segment] === undefined && node?.additionalProperties !== undefined;
      path = childPath(path, segment, isMap);
      value = value && typeof value === "object" ? (value as Record<string, unknown>)[segment] : undefined;
      node = isMap ? node?.additionalProperties : node?.properties?.[segment];
    }
  }
  return path;
}

function toFieldError(error: ErrorObject, schema: JsonSchemaProps, root: unknown): FieldError {
  const path = fieldPath(error.instancePath, schema, root);
  const value = valueAt(root, error.instancePath);
  const p = error.params as Record<string, unknown>;
  const inBody = `${path} in body`;
  switch (error.keyword) {
    case "required":
      return {
        field: childPath(path, String(p.missingProperty)),
        type: "FieldValueRequired",
        message: "Required value",
      };
    case "type": {
      const actual = jsonTypeName(value);
      return {
        field: path,
        type: "FieldValueTypeInvalid",
        message: `Invalid value: "${actual}": ${inBody} must be of type ${String(p.type)}: "${actual}"`,
      };
    }
    case "enum": {
      const allowed = (p.allowedValues as unknown[]).map((v) => goValue(v)).join(", ");
      return {
        field: path,
        type: "FieldValueNotSupported",
        message: `Unsupported value: ${goValue(value)}: supported values: ${allowed}`,
      };
    }
    case "maxLength":
      return {
        field: path,
        type: "FieldValueTooLong",
        message: `Too long: may not be more than ${String(p.limit)} bytes`,
      };
    case "minLength":
      return {
        field: path,
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(value)}: ${inBody} should be at least ${String(p.limit)} chars long`,
      };
    case "maxItems":
      return {
        field: path,
        type: "FieldValueTooMany",
        message: `Too many: ${(value as unknown[]).length}: must have at most ${String(p.limit)} items`,
      };
    case "minItems":
      return {
        field: path,
        type: "FieldValueInvalid",
        message: `Invalid value: ${(value as unknown[]).length}: ${inBody} should have at least ${String(p.limit)} items`,
      };
    case "pattern":
      return {
        field: path,
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(value)}: ${inBody} should match '${String(p.pattern)}'`,
      };
    case "format":
      return {
        field: path,
        type: "FieldValueTypeInvalid",
        message: `Invalid value: ${goValue(value)}: ${inBody} must be of type ${String(p.format)}: ${goValue(value)}`,
      };
    case "minimum":
      return {
        field: path,
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(value)}: ${inBody} should be greater than or equal to ${String(p.limit)}`,
      };
    case "maximum":
      return {
        field: path,
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(value)}: ${inBody} should be less than or equal to ${String(p.limit)}`,
      };
    default:
      return {
        field: path,
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(value)}: ${error.message ?? ""}`,
      };
  }
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const raw of pointer.split("/").slice(1)) {
    const segment = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    if (value === null || typeof value !== "object") return undefined;
    value = Array.isArray(value) ? value[Number(segment)] : (value as Record<string, unknown>)[segment];
  }
  return value;
}
