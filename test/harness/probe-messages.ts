// node test/harness/probe-messages.ts [--out FILE]
// Records the exact errors kube-apiserver returns for each kind of CRD validation failure (OpenAPI
// schema and CEL), for the offline validator to reproduce. Starts a private control plane, installs
// one CRD that uses every validation kind, creates one object per case, and prints (or writes) a
// JSON array: case, what it sends, the HTTP status, the Status message and every details.causes[]
// entry (field, reason, message), plus any warning headers.
import fs from "node:fs";
import { pathToFileURL } from "node:url";
import { startControlPlane } from "./controlplane.ts";
import { applyCrds, type CrdManifest } from "./crds.ts";
import { kubeRequest } from "./http.ts";
import { createTestNamespace } from "./namespace.ts";

export const PROBE_GROUP = "probe.ipc.test";

const str = (extra: object = {}): object => ({ type: "string", maxLength: 20, ...extra });

export const probeCrd: CrdManifest = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `probes.${PROBE_GROUP}` },
  spec: {
    group: PROBE_GROUP,
    scope: "Namespaced",
    names: { plural: "probes", singular: "probe", kind: "Probe", listKind: "ProbeList" },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: "object",
            required: ["spec"],
            properties: {
              apiVersion: { type: "string" },
              kind: { type: "string" },
              metadata: { type: "object" },
              spec: {
                type: "object",
                required: ["name", "mode"],
                "x-kubernetes-validations": [
                  {
                    rule: "self.mode != 'Warn' || has(self.count)",
                    message: "count is required in Warn mode",
                  },
                ],
                properties: {
                  name: str({ minLength: 1, maxLength: 10, pattern: "^[a-z]*$" }),
                  mode: { type: "string", enum: ["Enforce", "Warn"] },
                  count: { type: "integer", minimum: 1, maximum: 5 },
                  ratio: { type: "number" },
                  enabled: { type: "boolean" },
                  data: { type: "string", format: "byte", maxLength: 100 },
                  tags: {
                    type: "array",
                    minItems: 1,
                    maxItems: 3,
                    "x-kubernetes-list-type": "set",
                    items: str(),
                  },
                  entries: {
                    type: "array",
                    maxItems: 4,
                    "x-kubernetes-list-type": "map",
                    "x-kubernetes-list-map-keys": ["key"],
                    items: {
                      type: "object",
                      required: ["key"],
                      properties: { key: str(), value: str() },
                      "x-kubernetes-validations": [
                        { rule: "!has(self.value) || self.value != 'bad'", message: "value must not be bad" },
                      ],
                    },
                  },
                  celString: str({
                    "x-kubernetes-validations": [
                      { rule: "self.startsWith('ok')", message: "must start with ok" },
                    ],
                  }),
                  celNoMessage: str({ "x-kubernetes-validations": [{ rule: "self != 'forbidden'" }] }),
                  celMessageExpression: str({
                    "x-kubernetes-validations": [
                      {
                        rule: "self != 'forbidden'",
                        message: "static message",
                        messageExpression: "'value ' + self + ' is forbidden'",
                      },
                    ],
                  }),
                  celReason: str({
                    "x-kubernetes-validations": [
                      {
                        rule: "self != 'forbidden'",
                        message: "forbidden value",
                        reason: "FieldValueForbidden",
                      },
                    ],
                  }),
                  range: {
                    type: "object",
                    properties: { min: { type: "integer" }, max: { type: "integer" } },
                    "x-kubernetes-validations": [
                      {
                        rule: "!has(self.min) || !has(self.max) || self.min <= self.max",
                        message: "min must not exceed max",
                      },
                      {
                        rule: "!has(self.max) || self.max < 100",
                        message: "max must be below 100",
                        fieldPath: ".max",
                      },
                    ],
                  },
                  guarded: {
                    type: "object",
                    properties: { limit: { type: "integer", maximum: 10 }, label: str({ maxLength: 5 }) },
                    "x-kubernetes-validations": [
                      { rule: "!has(self.label) || self.label != 'x'", message: "label must not be x" },
                    ],
                  },
                  a: {
                    type: "object",
                    properties: {
                      b: {
                        type: "array",
                        maxItems: 3,
                        items: { type: "object", properties: { c: str({ maxLength: 5 }) } },
                      },
                    },
                  },
                  when: { type: "string", format: "date-time" },
                  labels: {
                    type: "object",
                    minProperties: 1,
                    maxProperties: 2,
                    additionalProperties: str({ maxLength: 10 }),
                  },
                  step: { type: "integer", multipleOf: 5, exclusiveMaximum: true, maximum: 100 },
                  celInteger: {
                    type: "integer",
                    "x-kubernetes-validations": [{ rule: "self % 2 == 0", message: "must be even" }],
                  },
                  celList: {
                    type: "array",
                    maxItems: 5,
                    items: str(),
                    "x-kubernetes-validations": [
                      { rule: "self.size() != 2", message: "must not have 2 items" },
                    ],
                  },
                  celRequiredReason: str({
                    "x-kubernetes-validations": [
                      { rule: "self != ''", message: "must not be empty", reason: "FieldValueRequired" },
                    ],
                  }),
                  celDuplicateReason: str({
                    "x-kubernetes-validations": [
                      { rule: "self != 'dup'", message: "is a duplicate", reason: "FieldValueDuplicate" },
                    ],
                  }),
                },
              },
            },
          },
        },
      },
    ],
  },
};

const validSpec = { name: "abc", mode: "Enforce" };

export interface ProbeCase {
  id: string;
  what: string;
  /** The whole spec to send (validSpec plus the case's change). */
  spec: unknown;
  /** Extra query string, e.g. "fieldValidation=Strict". */
  query?: string;
  /** metadata.name override. */
  name?: string;
}

const withSpec = (change: Record<string, unknown>): Record<string, unknown> => ({ ...validSpec, ...change });

export const probeCases: ProbeCase[] = [
  { id: "valid", what: "the valid base object (must be accepted)", spec: validSpec },
  { id: "required", what: "required property missing (spec.mode)", spec: { name: "abc" } },
  {
    id: "required-nested",
    what: "required property missing in a list-map item",
    spec: withSpec({ entries: [{ value: "v" }] }),
  },
  { id: "enum", what: "enum violation", spec: withSpec({ mode: "Audit" }) },
  { id: "maxLength", what: "maxLength 10 exceeded", spec: withSpec({ name: "abcdefghijk" }) },
  { id: "minLength", what: "minLength 1 not met", spec: withSpec({ name: "" }) },
  { id: "pattern", what: "pattern ^[a-z]*$ not matched", spec: withSpec({ name: "ABC" }) },
  { id: "minimum", what: "minimum 1", spec: withSpec({ count: 0 }) },
  { id: "maximum", what: "maximum 5", spec: withSpec({ count: 6 }) },
  { id: "maxItems", what: "maxItems 3", spec: withSpec({ tags: ["a", "b", "c", "d"] }) },
  { id: "minItems", what: "minItems 1", spec: withSpec({ tags: [] }) },
  { id: "format-byte", what: "format byte, invalid base64", spec: withSpec({ data: "not base64!" }) },
  { id: "format-date-time", what: "format date-time, invalid", spec: withSpec({ when: "yesterday" }) },
  { id: "type-string-got-number", what: "number for a string", spec: withSpec({ name: 5 }) },
  { id: "type-string-got-bool", what: "boolean for a string", spec: withSpec({ name: true }) },
  { id: "type-integer-got-string", what: "string for an integer", spec: withSpec({ count: "3" }) },
  { id: "type-integer-got-float", what: "1.5 for an integer", spec: withSpec({ count: 1.5 }) },
  { id: "type-number-got-string", what: "string for a number", spec: withSpec({ ratio: "x" }) },
  { id: "type-boolean-got-string", what: "string for a boolean", spec: withSpec({ enabled: "yes" }) },
  { id: "type-array-got-string", what: "string for an array", spec: withSpec({ tags: "a" }) },
  { id: "type-object-got-string", what: "string for an object", spec: withSpec({ a: "x" }) },
  { id: "type-object-got-array", what: "array for an object", spec: withSpec({ a: [] }) },
  { id: "type-spec-got-string", what: "string for spec itself", spec: "x" },
  { id: "null-string", what: "null for a string", spec: withSpec({ name: null }) },
  { id: "maxProperties", what: "maxProperties 2", spec: withSpec({ labels: { a: "1", b: "2", c: "3" } }) },
  { id: "minProperties", what: "minProperties 1", spec: withSpec({ labels: {} }) },
  { id: "multipleOf", what: "multipleOf 5", spec: withSpec({ step: 7 }) },
  { id: "exclusiveMaximum", what: "exclusiveMaximum 100", spec: withSpec({ step: 100 }) },
  {
    id: "additionalProperties-maxLength",
    what: "maxLength on an additionalProperties value",
    spec: withSpec({ labels: { key: "much-too-long-value" } }),
  },
  {
    id: "set-duplicates",
    what: "x-kubernetes-list-type set with duplicates",
    spec: withSpec({ tags: ["a", "a"] }),
  },
  {
    id: "map-duplicates",
    what: "x-kubernetes-list-type map with duplicate keys",
    spec: withSpec({ entries: [{ key: "k" }, { key: "k", value: "v" }] }),
  },
  { id: "cel-string", what: "CEL rule on a string, with message", spec: withSpec({ celString: "bad" }) },
  {
    id: "cel-no-message",
    what: "CEL rule without message or messageExpression",
    spec: withSpec({ celNoMessage: "forbidden" }),
  },
  {
    id: "cel-message-expression",
    what: "CEL rule with message and messageExpression",
    spec: withSpec({ celMessageExpression: "forbidden" }),
  },
  {
    id: "cel-reason",
    what: "CEL rule with reason FieldValueForbidden",
    spec: withSpec({ celReason: "forbidden" }),
  },
  { id: "cel-integer", what: "CEL rule on an integer", spec: withSpec({ celInteger: 3 }) },
  { id: "cel-list", what: "CEL rule on a list", spec: withSpec({ celList: ["a", "b"] }) },
  {
    id: "cel-reason-required",
    what: "CEL rule with reason FieldValueRequired",
    spec: withSpec({ celRequiredReason: "" }),
  },
  {
    id: "cel-reason-duplicate",
    what: "CEL rule with reason FieldValueDuplicate",
    spec: withSpec({ celDuplicateReason: "dup" }),
  },
  { id: "cel-object", what: "CEL rule on an object", spec: withSpec({ range: { min: 5, max: 1 } }) },
  { id: "cel-field-path", what: "CEL rule with fieldPath .max", spec: withSpec({ range: { max: 200 } }) },
  {
    id: "cel-list-item",
    what: "CEL rule on a list item (second item)",
    spec: withSpec({
      entries: [
        { key: "k1", value: "ok" },
        { key: "k2", value: "bad" },
      ],
    }),
  },
  { id: "cel-spec-level", what: "CEL rule on spec (Warn without count)", spec: withSpec({ mode: "Warn" }) },
  {
    id: "nested-path",
    what: "schema error at spec.a.b[1].c",
    spec: withSpec({ a: { b: [{ c: "ok" }, { c: "toolong" }] } }),
  },
  {
    id: "multiple-schema",
    what: "three schema errors (pattern, enum, maximum): order and aggregate message",
    spec: { name: "ABC", mode: "Audit", count: 9 },
  },
  {
    id: "schema-and-cel-elsewhere",
    what: "schema error (pattern on name) plus a failing CEL rule on another field (celString)",
    spec: withSpec({ name: "ABC", celString: "bad" }),
  },
  {
    id: "minLength-and-cel-elsewhere",
    what: "minLength error plus a failing CEL rule on another field",
    spec: withSpec({ name: "", celString: "bad" }),
  },
  {
    id: "duplicates-and-cel-elsewhere",
    what: "set duplicates plus a failing CEL rule on another field",
    spec: withSpec({ tags: ["a", "a"], celString: "bad" }),
  },
  {
    id: "enum-and-cel-elsewhere",
    what: "enum error plus a failing CEL rule on another field",
    spec: withSpec({ mode: "Audit", celString: "bad" }),
  },
  {
    id: "metadata-name-and-cel",
    what: "invalid metadata.name plus a failing CEL rule",
    spec: withSpec({ celString: "bad" }),
    name: "Bad_Name",
  },
  {
    id: "type-error-and-cel-elsewhere",
    what: "type error (count is a string) plus a failing CEL rule on another field",
    spec: withSpec({ count: "x", celString: "bad" }),
  },
  {
    id: "cel-object-child-schema-error",
    what: "object CEL rule fails (label x) while a child fails its schema (limit > maximum)",
    spec: withSpec({ guarded: { limit: 11, label: "x" } }),
  },
  {
    id: "cel-object-child-type-error",
    what: "object CEL rule fails (label x) while a child has the wrong type (limit is a string)",
    spec: withSpec({ guarded: { limit: "x", label: "x" } }),
  },
  {
    id: "cel-and-schema-same-field",
    what: "string fails both maxLength 20 and its CEL rule",
    spec: withSpec({ celString: "bad-and-much-too-long-value" }),
  },
  {
    id: "cel-spec-and-child-schema",
    what: "spec-level CEL fails (Warn, no count) while spec.name fails its pattern",
    spec: { name: "ABC", mode: "Warn" },
  },
  {
    id: "unknown-field-strict",
    what: "unknown field with fieldValidation=Strict",
    spec: withSpec({ bogus: 1 }),
    query: "fieldValidation=Strict",
  },
  {
    id: "unknown-field-default",
    what: "unknown field with the default fieldValidation (pruned, warning)",
    spec: withSpec({ bogus: 1 }),
  },
  { id: "metadata-name", what: "invalid metadata.name", spec: validSpec, name: "Bad_Name" },
];

export interface ProbeResult {
  id: string;
  what: string;
  request: { query: string; body: unknown };
  status: number;
  reason?: string;
  message?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  warnings?: string[];
}

/** Runs every case against a fresh control plane. */
export async function runProbe(): Promise<ProbeResult[]> {
  const plane = await startControlPlane();
  try {
    await applyCrds(plane.kubeConfig, [probeCrd]);
    const namespace = await createTestNamespace(plane.kubeConfig, "probe");
    const results: ProbeResult[] = [];
    for (const [index, probe] of probeCases.entries()) {
      const body = {
        apiVersion: `${PROBE_GROUP}/v1`,
        kind: "Probe",
        metadata: { name: probe.name ?? `p${index}-${probe.id.toLowerCase()}`.slice(0, 60) },
        spec: probe.spec,
      };
      const query = probe.query ?? "";
      const response = await kubeRequest(
        plane.kubeConfig,
        "POST",
        `/apis/${PROBE_GROUP}/v1/namespaces/${namespace.name}/probes${query ? `?${query}` : ""}`,
        { body },
      );
      const status = response.json as {
        reason?: string;
        message?: string;
        details?: { causes?: ProbeResult["causes"] };
      };
      const warning = response.headers.warning;
      results.push({
        id: probe.id,
        what: probe.what,
        request: { query, body },
        status: response.status,
        ...(response.status >= 300
          ? { reason: status.reason, message: status.message, causes: status.details?.causes ?? [] }
          : {}),
        ...(warning ? { warnings: Array.isArray(warning) ? warning : [warning] } : {}),
      });
    }
    return results;
  } finally {
    await plane.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const outIndex = process.argv.indexOf("--out");
  const results = await runProbe();
  const json = JSON.stringify(results, null, 2) + "\n";
  const out = outIndex > 0 ? process.argv[outIndex + 1] : undefined;
  if (out) fs.writeFileSync(out, json);
  else process.stdout.write(json);
}
