// Offline validation of one Kubernetes object against the generated CRDs, in the API server's
// order and words: OpenAPI schema first; when it fails, CEL rules are not evaluated (and the server
// says so); otherwise list-type uniqueness and CEL rules.
import type { CrdCatalog } from "./crd-catalog.ts";
import { validateCelAndListTypes, unknownFields } from "./cel-validate.ts";
import { SKIPPED_CEL_ERROR, type FieldError } from "./field-error.ts";
import { validateOpenApi } from "./openapi.ts";

export interface ObjectValidation {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Errors the API server would return when creating the object. */
  errors: FieldError[];
  /** Fields the API server would silently drop (and `kubectl apply` rejects as unknown). */
  unknownFields: FieldError[];
}

export class UnknownKindError extends Error {}

export function validateObject(catalog: CrdCatalog, object: Record<string, unknown>): ObjectValidation {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const kind = typeof object.kind === "string" ? object.kind : "";
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const kindSchema = catalog.lookup(apiVersion, kind);
  if (!kindSchema)
    throw new UnknownKindError(`unknown kind ${kind || "(none)"} in apiVersion ${apiVersion || "(none)"}`);

  const errors: FieldError[] = [];
  if (name === "" && typeof metadata.generateName !== "string") {
    errors.push({
      field: "metadata.name",
      type: "FieldValueRequired",
      message: "Required value: name or generateName is required",
    });
  }
  const schemaErrors = validateOpenApi(kindSchema.schema, object);
  const schemaValid = schemaErrors.length === 0;
  errors.push(...schemaErrors);
  errors.push(...validateCelAndListTypes(kindSchema.schema, object, { listTypes: true, cel: schemaValid }));
  if (!schemaValid) errors.push(SKIPPED_CEL_ERROR);
  const result: ObjectValidation = {
    apiVersion,
    kind,
    name,
    errors,
    unknownFields: unknownFields(kindSchema.schema, object),
  };
  if (typeof metadata.namespace === "string") result.namespace = metadata.namespace;
  return result;
}
