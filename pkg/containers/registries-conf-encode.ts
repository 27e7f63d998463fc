// registries.conf bytes exactly as Go's BurntSushi/toml v1.5.0 encoder writes sysregistriesv2's
// V2RegistriesConf, which is how the Machine Config Operator writes /etc/containers/registries.conf
// and its search-registries drop-in. TOML libraries for JavaScript parse this format well but lay it
// out differently (no indentation, other spacing), and a byte that differs from MCO's is a rollout
// on every node, so the layout is written here; parsing stays with the library.
//
// The encoder's rules that matter for this struct: in each table, plain keys first in struct field
// order (embedded structs inlined), then sub-tables; nil slices and `omitempty` zero values are left
// out; a key is indented two spaces per table level; "[[table]]" headers are preceded by an empty
// line; strings are double-quoted with its own escape table; arrays are "[a, b]".

import type { Endpoint, RegistriesConf, Registry } from "./registries-conf.ts";

const INDENT = "  ";

// BurntSushi/toml's dblQuotedReplacer: quote and backslash, the C escapes, \uXXXX for the other
// control characters and DEL. Everything else (including non-ASCII) is written as is.
const namedEscapes: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\t": "\\t",
  "\n": "\\n",
  "\f": "\\f",
  "\r": "\\r",
};

export function tomlQuoted(s: string): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is escaped
  const escaped = s.replace(/["\\\u0000-\u001f\u007f]/g, (c) => {
    return namedEscapes[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
  });
  return `"${escaped}"`;
}

class TomlWriter {
  #out = "";

  /** enc.newline(): a line break, but never as the first thing written. */
  newline(): void {
    if (this.#out !== "") this.#out += "\n";
  }

  keyValue(depth: number, key: string, value: string): void {
    this.#out += `${INDENT.repeat(depth)}${key} = ${value}`;
    this.newline();
  }

  arrayTableHeader(depth: number, name: string): void {
    this.newline();
    this.#out += `${INDENT.repeat(depth)}[[${name}]]`;
    this.newline();
  }

  text(): string {
    return this.#out;
  }
}

const stringArray = (items: readonly string[]): string => `[${items.map(tomlQuoted).join(", ")}]`;

/** Endpoint's fields: location, insecure, pull-from-mirror, all `omitempty`. */
function writeEndpointFields(w: TomlWriter, depth: number, e: Endpoint): void {
  if (e.location !== "") w.keyValue(depth, "location", tomlQuoted(e.location));
  if (e.insecure) w.keyValue(depth, "insecure", "true");
  if (e.pullFromMirror !== "") w.keyValue(depth, "pull-from-mirror", tomlQuoted(e.pullFromMirror));
}

function writeRegistry(w: TomlWriter, reg: Registry): void {
  w.arrayTableHeader(0, "registry");
  // Registry: prefix (always written), the embedded Endpoint, blocked, mirror-by-digest-only; then
  // the mirror sub-tables.
  w.keyValue(1, "prefix", tomlQuoted(reg.prefix));
  writeEndpointFields(w, 1, reg);
  if (reg.blocked) w.keyValue(1, "blocked", "true");
  if (reg.mirrorByDigestOnly) w.keyValue(1, "mirror-by-digest-only", "true");
  for (const mirror of reg.mirrors) {
    w.arrayTableHeader(1, "registry.mirror");
    writeEndpointFields(w, 2, mirror);
  }
}

/** The bytes MCO's `toml.NewEncoder(&buf).Encode(v2RegistriesConf)` produces. */
export function encodeRegistriesConf(conf: RegistriesConf): string {
  const w = new TomlWriter();
  // V2RegistriesConf field order: registry (a table array, so written after the plain keys),
  // unqualified-search-registries, credential-helpers, short-name-mode,
  // additional-layer-store-auth-helper; the embedded alias table is never set here.
  if (conf.unqualifiedSearchRegistries !== undefined) {
    w.keyValue(0, "unqualified-search-registries", stringArray(conf.unqualifiedSearchRegistries));
  }
  if (conf.credentialHelpers !== undefined) {
    w.keyValue(0, "credential-helpers", stringArray(conf.credentialHelpers));
  }
  w.keyValue(0, "short-name-mode", tomlQuoted(conf.shortNameMode));
  w.keyValue(0, "additional-layer-store-auth-helper", tomlQuoted(conf.additionalLayerStoreAuthHelper));
  for (const reg of conf.registries) writeRegistry(w, reg);
  return w.text();
}
