// containers/image's paranoid JSON object decoding (signature/internal/json.go
// ParanoidUnmarshalJSONObject and …ExactFields), used for every untrusted document a signature
// carries: duplicate keys, unknown keys and missing keys are errors, as are values of the wrong
// type. Messages follow Go's, since they end up in verdicts next to the node's own.

import { goBase64Decode } from "../containers/go/base64.ts";
import { parseGoJson, type JsonNode } from "../containers/go/json-parse.ts";
import { goQuote } from "../containers/go/strconv.ts";

/** An untrusted document is malformed; the message is what containers/image would say. */
export class JsonFormatError extends Error {
  override readonly name = "JsonFormatError";
}

/** Parses bytes as Go's encoding/json would, throwing JsonFormatError with Go's syntax message. */
export function parseJsonDocument(input: Uint8Array | string): JsonNode {
  const parsed = parseGoJson(input);
  if (!parsed.ok) throw new JsonFormatError(parsed.message);
  return parsed.value;
}

function describeToken(node: JsonNode): string {
  switch (node.kind) {
    case "array":
      return "91"; // json.Delim('[') as %#v
    case "string":
      return goQuote(node.value);
    case "bool":
      return String(node.value);
    case "null":
      return "<nil>";
    case "number":
      return node.text;
    default:
      return "{";
  }
}

/** ParanoidUnmarshalJSONObject: the members of an object, refusing duplicates. */
export function objectMembers(node: JsonNode): Map<string, JsonNode> {
  if (node.kind !== "object") throw new JsonFormatError(`JSON object expected, got ${describeToken(node)}`);
  const members = new Map<string, JsonNode>();
  for (const { key, value } of node.members) {
    if (members.has(key)) throw new JsonFormatError(`Duplicate key ${goQuote(key)}`);
    members.set(key, value);
  }
  return members;
}

/** ParanoidUnmarshalJSONObjectExactFields: exactly these keys, each once. */
export function exactFields<const K extends string>(
  node: JsonNode,
  fields: readonly K[],
): Record<K, JsonNode> {
  const members = objectMembers(node);
  for (const key of members.keys()) {
    if (!(fields as readonly string[]).includes(key))
      throw new JsonFormatError(`Unknown key ${goQuote(key)}`);
  }
  const out = {} as Record<K, JsonNode>;
  for (const field of fields) {
    const value = members.get(field);
    if (value === undefined) throw new JsonFormatError(`Key ${goQuote(field)} missing in a JSON object`);
    out[field] = value;
  }
  return out;
}

function typeError(node: JsonNode, goType: string): JsonFormatError {
  return new JsonFormatError(`json: cannot unmarshal ${node.kind} into Go value of type ${goType}`);
}

/** A Go string field (null leaves it empty, as encoding/json does). */
export function stringValue(node: JsonNode): string {
  if (node.kind === "null") return "";
  if (node.kind !== "string") throw typeError(node, "string");
  return node.value;
}

/** A Go []byte field: base64 (StdEncoding) in a JSON string; null is empty. */
export function bytesValue(node: JsonNode): Uint8Array {
  if (node.kind === "null") return new Uint8Array();
  if (node.kind !== "string") throw typeError(node, "[]uint8");
  const decoded = goBase64Decode(node.value);
  if (!decoded.ok) throw new JsonFormatError(decoded.message);
  return decoded.bytes;
}

/** A Go int64 field: an integral JSON number. */
export function int64Value(node: JsonNode): number {
  if (node.kind === "null") return 0;
  if (node.kind !== "number") throw typeError(node, "int64");
  if (!/^-?\d+$/.test(node.text)) {
    throw new JsonFormatError(`json: cannot unmarshal number ${node.text} into Go value of type int64`);
  }
  return Number(node.text);
}

/** A Go float64 field. */
export function float64Value(node: JsonNode): number {
  if (node.kind === "null") return 0;
  if (node.kind !== "number") throw typeError(node, "float64");
  return Number(node.text);
}

/** A field decoded into `any` (ignored content): anything goes. */
export function anyValue(_node: JsonNode): void {}

/** The subset of a JSON object whose keys exist, for lenient structs (encoding/json without strictness). */
export function lenientObject(node: JsonNode, goType: string): Map<string, JsonNode> {
  if (node.kind === "null") return new Map();
  if (node.kind !== "object") throw typeError(node, goType);
  const out = new Map<string, JsonNode>();
  // encoding/json matches keys case-insensitively and the last duplicate wins.
  for (const { key, value } of node.members) out.set(key.toLowerCase(), value);
  return out;
}
