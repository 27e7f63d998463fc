// Validation errors in the Kubernetes field.Error shape, rendered exactly as the API server
// renders them ("spec.scopes[0]: Invalid value: \"string\": <detail>"), so offline and online
// validation can be compared string for string.

export type FieldErrorType =
  | "FieldValueRequired"
  | "FieldValueInvalid"
  | "FieldValueTypeInvalid"
  | "FieldValueNotSupported"
  | "FieldValueTooLong"
  | "FieldValueTooMany"
  | "FieldValueDuplicate"
  | "FieldValueUnknown";

export interface FieldError {
  /** The field path as Kubernetes prints it: `spec.scopes[0]`, or `<nil>` for the whole object. */
  field: string;
  type: FieldErrorType;
  /** The message as it appears after `<field>: `. */
  message: string;
}

export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${error.message}`;
}

/** A value as Go's `%#v`-ish rendering in field.Invalid: strings quoted, the rest as JSON. */
export function goValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint")
    return String(value);
  return JSON.stringify(value);
}

/** The JSON type name Kubernetes reports in type errors and CEL errors. */
export function jsonTypeName(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

export const SKIPPED_CEL_ERROR: FieldError = {
  field: "<nil>",
  type: "FieldValueInvalid",
  message:
    "Invalid value: null: some validation rules were not checked because the object was invalid; correct the existing errors to complete validation",
};

/** Appends a path segment: `.name` for a property, `[i]` for a list index, `[key]` for a map key. */
export function childPath(parent: string, segment: string | number, isMapKey = false): string {
  if (typeof segment === "number" || isMapKey) return `${parent}[${segment}]`;
  return parent === "" ? segment : `${parent}.${segment}`;
}
