// Offline validation of one Kubernetes object against the generated CRDs, as the API server does it
// (apiextensions-apiserver's customResourceStrategy.Validate): metadata, OpenAPI schema, list-type
// uniqueness, then CEL rules unless a blocking error came first. Same errors, same words.
import type { CrdCatalog } from "./crd-catalog.ts";
import { validateCelAndListTypes, unknownFields } from "./cel-validate.ts";
import type { JsonSchemaProps } from "../apis/apiextensions.ts";
import { dns1123LabelErrors, dns1123SubdomainErrors } from "../apis/names.ts";
import { goValue, SKIPPED_CEL_ERROR, type FieldError, type FieldErrorType } from "./field-error.ts";
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

// apiextensions-apiserver's hasBlockingErr: these OpenAPI failures stop CEL evaluation (a rule could
// otherwise see a value of the wrong type or an unbounded size); minLength, minItems and pattern
// failures do not.
const CEL_BLOCKING_ERROR_TYPES = new Set<FieldErrorType>([
  "FieldValueNotSupported",
  "FieldValueRequired",
  "FieldValueTooLong",
  "FieldValueTooMany",
  "FieldValueTypeInvalid",
]);

/** The API server only builds a CEL validator (and reports skipped rules) when the schema has rules. */
function hasCelRules(schema: JsonSchemaProps): boolean {
  if ((schema["x-kubernetes-validations"] ?? []).length > 0) return true;
  const children = [
    ...Object.values(schema.properties ?? {}),
    ...(schema.items ? [schema.items] : []),
    ...(schema.additionalProperties ? [schema.additionalProperties] : []),
  ];
  return children.some(hasCelRules);
}

export function validateObject(catalog: CrdCatalog, object: Record<string, unknown>): ObjectValidation {
  const apiVersion = typeof object.apiVersion === "string" ? object.apiVersion : "";
  const kind = typeof object.kind === "string" ? object.kind : "";
  const metadata = (object.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === "string" ? metadata.name : "";
  const kindSchema = catalog.lookup(apiVersion, kind);
  if (!kindSchema)
    throw new UnknownKindError(`unknown kind ${kind || "(none)"} in apiVersion ${apiVersion || "(none)"}`);

  const errors: FieldError[] = [];
  if (name !== "") {
    for (const problem of dns1123SubdomainErrors(name)) {
      errors.push({
        field: "metadata.name",
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(name)}: ${problem}`,
      });
    }
  } else if (typeof metadata.generateName !== "string") {
    errors.push({
      field: "metadata.name",
      type: "FieldValueRequired",
      message: "Required value: name or generateName is required",
    });
  }
  // ValidateObjectMeta: a namespaced object's namespace is a DNS-1123 label (it names a directory
  // entry on the node: /etc/crio/policies/<namespace>.json).
  if (kindSchema.namespaced && typeof metadata.namespace === "string" && metadata.namespace !== "") {
    for (const problem of dns1123LabelErrors(metadata.namespace)) {
      errors.push({
        field: "metadata.namespace",
        type: "FieldValueInvalid",
        message: `Invalid value: ${goValue(metadata.namespace)}: ${problem}`,
      });
    }
  }
  const schemaErrors = validateOpenApi(kindSchema.schema, object);
  errors.push(...schemaErrors);
  // List-type uniqueness always runs; CEL only when the schema has rules and no blocking error came first.
  const blocked = errors.some((e) => CEL_BLOCKING_ERROR_TYPES.has(e.type));
  const withRules = hasCelRules(kindSchema.schema);
  errors.push(
    ...validateCelAndListTypes(kindSchema.schema, object, { listTypes: true, cel: withRules && !blocked }),
  );
  if (withRules && blocked) errors.push(SKIPPED_CEL_ERROR);
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
