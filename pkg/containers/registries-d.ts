// containers-registries.d(5): where signatures of docker images are looked up. The model covers
// docker/registries_d.go's registryConfiguration; the serializer writes the bytes MCO writes
// (ghodss/yaml: Go struct → JSON → gopkg.in/yaml.v2), and the parser is deliberately stricter
// than containers/image, which reads these files with yaml.v3 and silently ignores unknown keys:
// a typo such as "use-sigstore-attachment" would otherwise switch signature lookup off unnoticed.

import { isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";
import { marshalYamlV2, type YamlV2Mapping } from "./yamlv2/emitter.ts";

/** One registries.d file. */
export interface RegistriesDConfig {
  /** Applies to images no "docker" entry matches. */
  readonly defaultDocker?: RegistryNamespace;
  /** scope (the same scope syntax as policy.json's docker transport) → configuration. */
  readonly docker?: Readonly<Record<string, RegistryNamespace>>;
}

/**
 * containers/image resolves each field separately, from the most specific scope that sets it, then
 * default-docker. An absent field here is one that is not set.
 */
export interface RegistryNamespace {
  /** Signature lookaside URL, for reading (and writing when lookasideStaging is absent). */
  readonly lookaside?: string;
  /** Lookaside URL for writing. */
  readonly lookasideStaging?: string;
  /** Deprecated name of lookaside. */
  readonly sigstore?: string;
  /** Deprecated name of lookasideStaging. */
  readonly sigstoreStaging?: string;
  /** Read (and write) sigstore signatures as OCI attachments; false when not set. */
  readonly useSigstoreAttachments?: boolean;
}

export type ParseRegistriesDResult =
  | { ok: true; config: RegistriesDConfig }
  | {
      ok: false;
      message: string;
      /** JSON Pointer (RFC 6901) to the offending value; "" for the document. */
      path: string;
    };

const namespaceFields = {
  lookaside: "lookaside",
  "lookaside-staging": "lookasideStaging",
  sigstore: "sigstore",
  "sigstore-staging": "sigstoreStaging",
  "use-sigstore-attachments": "useSigstoreAttachments",
} as const satisfies Record<string, keyof RegistryNamespace>;

type FileKey = keyof typeof namespaceFields;

const childPath = (path: string, key: string): string =>
  `${path}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;

/**
 * Reads a registries.d YAML file. Accepts what containers/image accepts, except that unknown keys,
 * non-string URLs and non-boolean use-sigstore-attachments (yaml.v3 would take "yes") are errors.
 * A null section counts as absent (null docker entries as empty ones), and a key that YAML would
 * read as a number or boolean keeps its text ("1e400", "on"), both as with yaml.v3.
 */
export function parseRegistriesDYaml(text: string): ParseRegistriesDResult {
  // Keys are checked for uniqueness here, not by yaml: its check compares each key with every
  // earlier one, and a rendered file has a thousand scopes in one map.
  const doc = parseDocument(text, { uniqueKeys: false, prettyErrors: false, schema: "core" });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) return { ok: false, message: problem.message, path: "" };
  if (hasDuplicateKey(doc.contents)) return { ok: false, message: "Map keys must be unique", path: "" };
  try {
    return { ok: true, config: decodeConfig(doc, resolved(doc, doc.contents)) };
  } catch (e) {
    if (e instanceof RegistriesDFormatError) return { ok: false, message: e.message, path: e.path };
    throw e;
  }
}

// Thrown while decoding and caught in parseRegistriesDYaml, which never throws for bad input.
class RegistriesDFormatError extends Error {
  readonly path: string;
  constructor(message: string, path: string) {
    super(message);
    this.path = path;
  }
}

type YamlDocument = ReturnType<typeof parseDocument>;

/**
 * Whether a map repeats a key, as yaml's uniqueKeys check (and yaml.v2) would refuse: scalar keys
 * with equal values (a number and a string differ). Aliases are not followed: each map is looked
 * at where it is written.
 */
function hasDuplicateKey(node: unknown): boolean {
  if (isSeq(node)) return node.items.some(hasDuplicateKey);
  if (!isMap(node)) return false;
  const seen = new Set<string>();
  for (const pair of node.items) {
    if (isScalar(pair.key)) {
      const identity = `${typeof pair.key.value}:${String(pair.key.value)}`;
      if (seen.has(identity)) return true;
      seen.add(identity);
    }
    if (hasDuplicateKey(pair.value)) return true;
  }
  return false;
}

/** The node an alias points to, or the node itself. */
function resolved(doc: YamlDocument, node: unknown): unknown {
  return isAlias(node) ? node.resolve(doc) : node;
}

const isNull = (node: unknown): boolean =>
  node === null || node === undefined || (isScalar(node) && node.value === null);

function describe(node: unknown): string {
  if (isMap(node)) return "a mapping";
  if (isSeq(node)) return "a sequence";
  if (isScalar(node))
    return node.value === null ? "null" : `${typeof node.value} ${JSON.stringify(node.source ?? node.value)}`;
  return "an unsupported node";
}

/** The pairs of a mapping with their keys as text, in document order. */
function entries(doc: YamlDocument, node: unknown, path: string): [string, unknown][] {
  if (!isMap(node)) throw new RegistriesDFormatError(`expected a mapping, got ${describe(node)}`, path);
  return node.items.map((pair) => {
    const key = resolved(doc, pair.key);
    if (!isScalar(key) || key.value === null) {
      throw new RegistriesDFormatError(`keys must be strings, got ${describe(key)}`, path);
    }
    const text = typeof key.value === "string" ? key.value : (key.source ?? String(key.value));
    return [text, resolved(doc, pair.value)];
  });
}

function decodeConfig(doc: YamlDocument, root: unknown): RegistriesDConfig {
  if (isNull(root)) return {};
  const config: { defaultDocker?: RegistryNamespace; docker?: Record<string, RegistryNamespace> } = {};
  for (const [key, value] of entries(doc, root, "")) {
    const path = childPath("", key);
    if (key === "default-docker") {
      if (!isNull(value)) config.defaultDocker = decodeNamespace(doc, value, path);
    } else if (key === "docker") {
      if (isNull(value)) continue;
      const docker = Object.create(null) as Record<string, RegistryNamespace>;
      for (const [scope, ns] of entries(doc, value, path)) {
        docker[scope] = isNull(ns) ? {} : decodeNamespace(doc, ns, childPath(path, scope));
      }
      config.docker = docker;
    } else {
      throw new RegistriesDFormatError(`unknown key ${JSON.stringify(key)}`, path);
    }
  }
  return config;
}

function decodeNamespace(doc: YamlDocument, node: unknown, path: string): RegistryNamespace {
  const ns: { -readonly [K in keyof RegistryNamespace]: RegistryNamespace[K] } = {};
  for (const [key, value] of entries(doc, node, path)) {
    const fieldPath = childPath(path, key);
    if (!Object.hasOwn(namespaceFields, key)) {
      throw new RegistriesDFormatError(`unknown key ${JSON.stringify(key)}`, fieldPath);
    }
    if (isNull(value)) continue;
    const v = isScalar(value) ? value.value : undefined;
    const field = namespaceFields[key as FileKey];
    if (field === "useSigstoreAttachments") {
      if (typeof v !== "boolean") {
        throw new RegistriesDFormatError(`${key} must be true or false, got ${describe(value)}`, fieldPath);
      }
      ns.useSigstoreAttachments = v;
    } else {
      if (typeof v !== "string")
        throw new RegistriesDFormatError(`${key} must be a string, got ${describe(value)}`, fieldPath);
      ns[field] = v;
    }
  }
  return ns;
}

/**
 * The registries.d bytes MCO would write for this configuration: Go's JSON field names with
 * omitempty (empty strings and an empty docker map are left out; useSigstoreAttachments is written
 * whenever set, so false overrides a broader scope), then yaml.v2's key order, quoting ("*" scopes
 * single-quoted, "123" or "on" double-quoted), two-space indentation and a final newline.
 * Throws RangeError for strings with line breaks, which yaml.v2 would write as block scalars.
 */
export function serializeRegistriesDYaml(config: RegistriesDConfig): string {
  const doc: Record<string, YamlV2Mapping> = {};
  if (config.defaultDocker) doc["default-docker"] = namespaceYaml(config.defaultDocker);
  const scopes = config.docker ? Object.keys(config.docker) : [];
  if (config.docker && scopes.length > 0) {
    const docker = Object.create(null) as Record<string, YamlV2Mapping>;
    for (const scope of scopes) docker[scope] = namespaceYaml(config.docker[scope] ?? {});
    doc["docker"] = docker;
  }
  return marshalYamlV2(doc);
}

function namespaceYaml(ns: RegistryNamespace): YamlV2Mapping {
  const out: Record<string, string | boolean> = {};
  for (const [fileKey, field] of Object.entries(namespaceFields)) {
    const v = ns[field];
    if (typeof v === "boolean" || (typeof v === "string" && v !== "")) out[fileKey] = v;
  }
  return out;
}
