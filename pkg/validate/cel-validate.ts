// The parts of CRD validation that the API server runs after the OpenAPI schema passes: list-type
// uniqueness (x-kubernetes-list-type set/map) and CEL rules (x-kubernetes-validations).
import { isCelError, type CelInput } from "@bufbuild/cel";
import type { JsonSchemaProps } from "../apis/apiextensions.ts";
import { compileRule, ruleUsesOldSelf } from "./cel-k8s.ts";
import { childPath, goValue, jsonTypeName, type FieldError } from "./field-error.ts";

/**
 * Converts JSON values to the CEL values the API server binds to `self` for their schema. A rule's
 * `self` is a whole subtree, and rules sit at several depths of one object (three on rootOfTrust,
 * two on its keyData, ...): each object, and each base64 byte string, is converted once per
 * validated object and shared by the rules that see it (CEL does not change its inputs).
 */
class CelValues {
  private readonly objects = new Map<object, CelInput>();
  private readonly bytes = new Map<string, Uint8Array>();

  of(schema: JsonSchemaProps | undefined, value: unknown): CelInput {
    if (value === null || value === undefined) return null;
    if (typeof value === "string") {
      if (schema?.format !== "byte") return value;
      let decoded = this.bytes.get(value);
      if (!decoded) {
        decoded = new Uint8Array(Buffer.from(value, "base64"));
        this.bytes.set(value, decoded);
      }
      return decoded;
    }
    if (typeof value === "number") {
      return schema?.type === "number" || !Number.isInteger(value) ? value : BigInt(value);
    }
    if (typeof value === "boolean") return value;
    if (typeof value !== "object") return null;
    const known = this.objects.get(value);
    if (known !== undefined) return known;
    const converted: CelInput = Array.isArray(value)
      ? value.map((item) => this.of(schema?.items, item))
      : new Map(
          Object.entries(value as Record<string, unknown>).map(
            ([k, v]) => [k, this.of(schema?.properties?.[k] ?? schema?.additionalProperties, v)] as const,
          ),
        );
    this.objects.set(value, converted);
    return converted;
  }
}

/**
 * Rule results for scalar values, by rule. CEL is a pure function of `self`, and a scalar's CEL
 * value is fixed by the value and its schema's type and format: many objects share one (the same
 * public key in every team's ImagePolicy), so each rule runs once per distinct value. Bounded, as
 * the controller validates for as long as it runs.
 */
const scalarResults = new Map<string, Map<string, unknown>>();
const SCALAR_RESULTS_PER_RULE = 4096;

function evaluateRule(rule: string, schema: JsonSchemaProps, value: unknown, celValues: CelValues): unknown {
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean") {
    return compileRule(rule)(celValues.of(schema, value));
  }
  let results = scalarResults.get(rule);
  if (!results) {
    results = new Map();
    scalarResults.set(rule, results);
  }
  const key = `${schema.type ?? ""}|${schema.format ?? ""}|${typeof value}|${String(value)}`;
  if (results.has(key)) return results.get(key);
  const result = compileRule(rule)(celValues.of(schema, value));
  if (results.size >= SCALAR_RESULTS_PER_RULE) results.clear();
  results.set(key, result);
  return result;
}

export interface StructuralChecks {
  /** x-kubernetes-list-type uniqueness: checked even when the OpenAPI schema fails. */
  listTypes: boolean;
  /** CEL rules: skipped by the API server when the OpenAPI schema fails. */
  cel: boolean;
}

export function validateCelAndListTypes(
  schema: JsonSchemaProps,
  value: unknown,
  checks: StructuralChecks,
  path = "",
): FieldError[] {
  const errors: FieldError[] = [];
  walk(schema, value, path, checks, errors, new CelValues());
  return errors;
}

function walk(
  schema: JsonSchemaProps,
  value: unknown,
  path: string,
  checks: StructuralChecks,
  errors: FieldError[],
  celValues: CelValues,
): void {
  if (value === undefined || value === null) return;
  for (const { rule, message } of checks.cel ? (schema["x-kubernetes-validations"] ?? []) : []) {
    // Transition rules only run on updates, when there is an old object.
    if (ruleUsesOldSelf(rule)) continue;
    const result = evaluateRule(rule, schema, value, celValues);
    if (result === true) continue;
    const detail = isCelError(result) ? `rule evaluation error: ${String(result.message)}` : message;
    errors.push({
      field: path || "<nil>",
      type: "FieldValueInvalid",
      message: `Invalid value: "${jsonTypeName(value)}": ${detail}`,
    });
  }
  if (Array.isArray(value)) {
    if (checks.listTypes) errors.push(...listTypeErrors(schema, value, path));
    const items = schema.items;
    if (items) value.forEach((item, i) => walk(items, item, childPath(path, i), checks, errors, celValues));
    return;
  }
  if (typeof value === "object") {
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      const property = schema.properties?.[key];
      if (property) walk(property, child, childPath(path, key), checks, errors, celValues);
      else if (schema.additionalProperties) {
        walk(schema.additionalProperties, child, childPath(path, key, true), checks, errors, celValues);
      }
    }
  }
}

function listTypeErrors(schema: JsonSchemaProps, list: unknown[], path: string): FieldError[] {
  const listType = schema["x-kubernetes-list-type"];
  const errors: FieldError[] = [];
  if (listType === "set") {
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const key = JSON.stringify(item);
      if (seen.has(key))
        errors.push({
          field: childPath(path, i),
          type: "FieldValueDuplicate",
          message: `Duplicate value: ${goValue(item)}`,
        });
      seen.add(key);
    });
  } else if (listType === "map") {
    const keys = schema["x-kubernetes-list-map-keys"] ?? [];
    const seen = new Set<string>();
    list.forEach((item, i) => {
      const record = (item ?? {}) as Record<string, unknown>;
      const key = JSON.stringify(keys.map((k) => record[k]));
      if (seen.has(key)) {
        // The API server prints the key fields as Go marshals a map: JSON with sorted keys.
        const shown = JSON.stringify(
          Object.fromEntries(
            keys
              .filter((k) => record[k] !== undefined)
              .sort()
              .map((k) => [k, record[k]]),
          ),
        );
        errors.push({
          field: childPath(path, i),
          type: "FieldValueDuplicate",
          message: `Duplicate value: ${shown}`,
        });
      }
      seen.add(key);
    });
  }
  return errors;
}

/** Fields the schema does not declare: the API server prunes them; strict clients reject them. */
export function unknownFields(schema: JsonSchemaProps, value: unknown, path = ""): FieldError[] {
  const errors: FieldError[] = [];
  const visit = (node: JsonSchemaProps | undefined, v: unknown, p: string): void => {
    if (!node || v === null || typeof v !== "object" || node["x-kubernetes-preserve-unknown-fields"]) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => visit(node.items, item, childPath(p, i)));
      return;
    }
    if (p === "metadata") return;
    for (const [key, child] of Object.entries(v as Record<string, unknown>)) {
      const property = node.properties?.[key];
      if (property) visit(property, child, childPath(p, key));
      else if (node.additionalProperties) visit(node.additionalProperties, child, childPath(p, key, true));
      else
        errors.push({
          field: childPath(p, key),
          type: "FieldValueUnknown",
          message: `Unknown field: field not declared in schema`,
        });
    }
  };
  visit(schema, value, path);
  return errors;
}
