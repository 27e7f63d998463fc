// policy.json bytes identical to what MCO writes: Go's json.MarshalIndent(policy, "", "  ") of
// containers/image's types. That means: struct fields in Go declaration order, map keys
// (transports, scopes) sorted by UTF-8 bytes, omitempty fields left out when empty, []byte fields
// as padded standard base64 of the decoded bytes, HTML-escaped strings, two-space indentation and
// no trailing newline. Transports the model does not interpret (docker-daemon, …) are written like
// any other, so a base policy keeps them.

import { base64Encode, goBase64Decode } from "./go/base64.ts";
import { goJsonString } from "./go/json-encode.ts";
import { compareCodePoints } from "./go/utf8.ts";
import type {
  Policy,
  PolicyReferenceMatch,
  PolicyRequirement,
  PRSigstoreSignedFulcio,
  PRSigstoreSignedPKI,
} from "./policy.ts";

/** A JSON value in the order Go writes it: objects are ordered member lists. */
type GoJson = { literal: string } | { members: [string, GoJson][] } | { items: GoJson[] };

/**
 * Serialises a policy the way containers/image's types marshal. Throws if a byte field is not
 * base64 Go could have decoded (such a model cannot come from parsePolicyJson).
 *
 * The document is written as a list of pieces joined once. Every CRI-O namespace file repeats the
 * cluster policy's scopes (a hundred files of 100 KB for a typical cluster), whose requirement
 * lists are remembered (below): a file costs one sort and one copy of its text, not a tree of
 * intermediate strings copied at every level.
 */
export function serializePolicyJson(policy: Policy): string {
  const out: string[] = ['{\n  "default": ', requirementsText(policy.default, 2), ',\n  "transports": '];
  const transports = sortedKeys(policy.transports);
  if (transports.length === 0) {
    out.push("{}");
  } else {
    out.push("{\n");
    transports.forEach((transport, i) => {
      if (i > 0) out.push(",\n");
      out.push("    ", goJsonString(transport), ": ");
      const scopes = policy.transports[transport] ?? {};
      const keys = sortedKeys(scopes);
      if (keys.length === 0) {
        out.push("{}");
        return;
      }
      out.push("{\n");
      keys.forEach((scope, j) => {
        if (j > 0) out.push(",\n");
        out.push(scopeLine(scope, scopes[scope] ?? []));
      });
      out.push("\n    }");
    });
    out.push("\n  }");
  }
  out.push("\n}");
  return out.join("");
}

// A requirement object is often written many times (a policy with many scopes), and every CRI-O
// namespace file repeats the cluster policy's scope lists, the same arrays: rendered texts are
// remembered per object (and indentation depth). A list's entry keeps the elements it was rendered
// from, so a list changed in place since is rendered again, never served stale.
const renderedRequirements = new Map<number, WeakMap<PolicyRequirement, string>>();
const renderedLists = new Map<
  number,
  WeakMap<readonly PolicyRequirement[], { items: PolicyRequirement[]; text: string }>
>();
function cacheAt<K extends object, V>(caches: Map<number, WeakMap<K, V>>, depth: number): WeakMap<K, V> {
  let cache = caches.get(depth);
  if (!cache) {
    cache = new WeakMap();
    caches.set(depth, cache);
  }
  return cache;
}

/** `      "scope": [...]` under a transport: a rope of remembered texts, flattened by the final join. */
function scopeLine(scope: string, requirements: readonly PolicyRequirement[]): string {
  return `      ${goJsonString(scope)}: ${requirementsText(requirements, 4)}`;
}

/** A requirement list as Go writes it with its items at itemDepth (the list itself one level up). */
function requirementsText(requirements: readonly PolicyRequirement[], itemDepth: number): string {
  const lists = cacheAt(renderedLists, itemDepth);
  const known = lists.get(requirements);
  if (
    known &&
    known.items.length === requirements.length &&
    known.items.every((req, i) => req === requirements[i])
  ) {
    return known.text;
  }
  const byObject = cacheAt(renderedRequirements, itemDepth);
  const items = requirements.map((req): GoJson => {
    let text = byObject.get(req);
    if (text === undefined) {
      text = render(requirementJson(req), itemDepth);
      byObject.set(req, text);
    }
    return { literal: text };
  });
  const text = render({ items }, itemDepth - 1);
  lists.set(requirements, { items: [...requirements], text });
  return text;
}

function requirementJson(req: PolicyRequirement): GoJson {
  const fields = new Fields();
  fields.string("type", req.type);
  switch (req.type) {
    case "insecureAcceptAnything":
    case "reject":
      break;
    case "signedBy":
      fields.string("keyType", req.keyType);
      fields.omitEmptyString("keyPath", req.keyPath);
      fields.omitEmptyStrings("keyPaths", req.keyPaths);
      fields.omitEmptyBytes("keyData", req.keyData);
      fields.add("signedIdentity", identityJson(req.signedIdentity));
      break;
    case "signedBaseLayer":
      fields.add("baseLayerIdentity", identityJson(req.baseLayerIdentity));
      break;
    case "sigstoreSigned":
      fields.omitEmptyString("keyPath", req.keyPath);
      fields.omitEmptyStrings("keyPaths", req.keyPaths);
      fields.omitEmptyBytes("keyData", req.keyData);
      fields.omitEmptyBytesList("keyDatas", req.keyDatas);
      if (req.fulcio) fields.add("fulcio", fulcioJson(req.fulcio));
      fields.omitEmptyString("rekorPublicKeyPath", req.rekorPublicKeyPath);
      fields.omitEmptyStrings("rekorPublicKeyPaths", req.rekorPublicKeyPaths);
      fields.omitEmptyBytes("rekorPublicKeyData", req.rekorPublicKeyData);
      fields.omitEmptyBytesList("rekorPublicKeyDatas", req.rekorPublicKeyDatas);
      if (req.pki) fields.add("pki", pkiJson(req.pki));
      fields.add("signedIdentity", identityJson(req.signedIdentity));
      break;
  }
  return fields.json();
}

function fulcioJson(f: PRSigstoreSignedFulcio): GoJson {
  const fields = new Fields();
  fields.omitEmptyString("caPath", f.caPath);
  fields.omitEmptyBytes("caData", f.caData);
  fields.omitEmptyString("oidcIssuer", f.oidcIssuer);
  fields.omitEmptyString("subjectEmail", f.subjectEmail);
  return fields.json();
}

function pkiJson(p: PRSigstoreSignedPKI): GoJson {
  const fields = new Fields();
  fields.omitEmptyString("caRootsPath", p.caRootsPath);
  fields.omitEmptyBytes("caRootsData", p.caRootsData);
  fields.omitEmptyString("caIntermediatesPath", p.caIntermediatesPath);
  fields.omitEmptyBytes("caIntermediatesData", p.caIntermediatesData);
  fields.omitEmptyString("subjectEmail", p.subjectEmail);
  fields.omitEmptyString("subjectHostname", p.subjectHostname);
  return fields.json();
}

function identityJson(identity: PolicyReferenceMatch): GoJson {
  const fields = new Fields();
  fields.string("type", identity.type);
  switch (identity.type) {
    case "exactReference":
      fields.string("dockerReference", identity.dockerReference);
      break;
    case "exactRepository":
      fields.string("dockerRepository", identity.dockerRepository);
      break;
    case "remapIdentity":
      fields.string("prefix", identity.prefix);
      fields.string("signedPrefix", identity.signedPrefix);
      break;
  }
  return fields.json();
}

/** A struct's fields in declaration order, with Go's omitempty rules. */
class Fields {
  private readonly members: [string, GoJson][] = [];

  add(name: string, value: GoJson): void {
    this.members.push([name, value]);
  }

  string(name: string, value: string): void {
    this.add(name, { literal: goJsonString(value) });
  }

  omitEmptyString(name: string, value: string | undefined): void {
    if (value) this.string(name, value);
  }

  omitEmptyStrings(name: string, value: readonly string[] | undefined): void {
    if (value && value.length > 0)
      this.add(name, { items: value.map((s) => ({ literal: goJsonString(s) })) });
  }

  /** []byte with omitempty: written only when it holds at least one byte. */
  omitEmptyBytes(name: string, value: string | undefined): void {
    if (value === undefined) return;
    const canonical = canonicalBytes(name, value);
    if (canonical !== "") this.add(name, { literal: goJsonString(canonical) });
  }

  /** [][]byte with omitempty: the list is left out when empty; empty entries are written as "". */
  omitEmptyBytesList(name: string, value: readonly string[] | undefined): void {
    if (value && value.length > 0) {
      this.add(name, { items: value.map((s) => ({ literal: goJsonString(canonicalBytes(name, s)) })) });
    }
  }

  json(): GoJson {
    return { members: this.members };
  }
}

// The same key material is written many times (once per scope, and again in every namespace
// file), so its canonical form is remembered. Bounded: a render holds a few thousand keys at most.
const canonicalCache = new Map<string, string>();
const CANONICAL_CACHE_LIMIT = 10_000;

function canonicalBytes(name: string, base64: string): string {
  const cached = canonicalCache.get(base64);
  if (cached !== undefined) return cached;
  const decoded = goBase64Decode(base64);
  if (!decoded.ok) throw new Error(`${name} is not valid base64: ${decoded.message}`);
  const canonical = base64Encode(decoded.bytes);
  if (canonicalCache.size >= CANONICAL_CACHE_LIMIT) canonicalCache.clear();
  canonicalCache.set(base64, canonical);
  return canonical;
}

function sortedKeys(record: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(record).sort(compareCodePoints);
}

/** json.MarshalIndent's layout: empty objects and arrays stay "{}" and "[]". */
function render(value: GoJson, depth: number): string {
  if ("literal" in value) return value.literal;
  const inner = "  ".repeat(depth + 1);
  const outer = "  ".repeat(depth);
  if ("items" in value) {
    if (value.items.length === 0) return "[]";
    return `[\n${value.items.map((item) => inner + render(item, depth + 1)).join(",\n")}\n${outer}]`;
  }
  if (value.members.length === 0) return "{}";
  const lines = value.members.map(([key, v]) => `${inner}${goJsonString(key)}: ${render(v, depth + 1)}`);
  return `{\n${lines.join(",\n")}\n${outer}}`;
}
