// containers-registries.conf(5), the part that decides where a pull goes: `[[registry]]` entries with
// prefix, location, insecure, blocked, mirror-by-digest-only and `[[registry.mirror]]` lists
// (location, insecure, pull-from-mirror). The matching entry is the one with the longest prefix
// (pkg/sysregistriesv2 FindRegistry); its pull sources are the usable mirrors in order, then the
// registry itself (PullSourcesFromReference). Drop-in directories (registries.conf.d) and
// unqualified-search registries are not read: verify takes fully qualified references.
//
// registries.conf is TOML; the reader below understands the subset these files use (tables and arrays
// of tables, strings, booleans, arrays of strings, comments), and refuses anything else rather than
// guessing. No TOML library is a dependency of this project.

import { parseDockerReference, referenceString, type DockerReference } from "../containers/reference.ts";

export interface MirrorEndpoint {
  location: string;
  insecure: boolean;
  pullFromMirror: "" | "all" | "digest-only" | "tag-only";
}

export interface RegistryEntry {
  prefix: string;
  location: string;
  insecure: boolean;
  blocked: boolean;
  mirrorByDigestOnly: boolean;
  mirrors: MirrorEndpoint[];
}

export interface RegistriesConf {
  registries: RegistryEntry[];
}

export class RegistriesConfError extends Error {
  override readonly name = "RegistriesConfError";
}

type TomlValue = string | boolean | string[];
type TomlTable = Record<string, TomlValue | TomlTable[]>;

/** Parses the TOML subset; throws RegistriesConfError with a line number. */
function parseToml(text: string): TomlTable {
  const root: TomlTable = {};
  let current: TomlTable = root;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const fail = (message: string): never => {
      throw new RegistriesConfError(`line ${i + 1}: ${message}`);
    };
    let line = stripComment(lines[i] ?? "").trim();
    if (line === "") continue;
    const arrayTable = /^\[\[\s*([A-Za-z0-9_.-]+)\s*\]\]$/.exec(line);
    if (arrayTable) {
      const path = (arrayTable[1] ?? "").split(".");
      let parent = root;
      for (const part of path.slice(0, -1)) {
        const list = parent[part];
        if (!Array.isArray(list) || list.length === 0 || typeof list[0] !== "object") {
          return fail(`[[${arrayTable[1]}]] without a preceding [[${path.slice(0, -1).join(".")}]]`);
        }
        parent = list[list.length - 1] as TomlTable;
      }
      const last = path[path.length - 1] ?? "";
      const existing = parent[last];
      const table: TomlTable = {};
      if (existing === undefined) parent[last] = [table];
      else if (Array.isArray(existing) && (existing.length === 0 || typeof existing[0] === "object")) {
        (existing as TomlTable[]).push(table);
      } else return fail(`${last} is not an array of tables`);
      current = table;
      continue;
    }
    if (/^\[/.test(line)) {
      const table = /^\[\s*([A-Za-z0-9_.-]+)\s*\]$/.exec(line);
      if (!table) return fail(`unsupported table header ${line}`);
      // Plain tables (e.g. [aliases]) are not needed for pull sources; read into a throwaway table.
      current = {};
      continue;
    }
    const eq = line.indexOf("=");
    if (eq <= 0) return fail(`expected key = value, got ${JSON.stringify(line)}`);
    const key = unquoteKey(line.slice(0, eq).trim());
    let valueText = line.slice(eq + 1).trim();
    // Multi-line arrays: gather lines until the closing bracket.
    while (valueText.startsWith("[") && !balancedArray(valueText)) {
      i++;
      if (i >= lines.length) return fail("unterminated array");
      line = stripComment(lines[i] ?? "").trim();
      valueText += ` ${line}`;
    }
    if (Object.hasOwn(current, key)) return fail(`duplicate key ${key}`);
    current[key] = parseValue(valueText, fail);
  }
  return root;
}

function stripComment(line: string): string {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote !== undefined) {
      if (c === "\\" && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "#") return line.slice(0, i);
  }
  return line;
}

function balancedArray(text: string): boolean {
  return stripComment(text).trim().endsWith("]");
}

function unquoteKey(key: string): string {
  if (/^"[^"]*"$/.test(key) || /^'[^']*'$/.test(key)) return key.slice(1, -1);
  return key;
}

function parseValue(text: string, fail: (m: string) => never): TomlValue {
  if (text === "true") return true;
  if (text === "false") return false;
  if (text.startsWith('"') || text.startsWith("'")) return parseString(text, fail);
  if (text.startsWith("[")) {
    const inner = text.slice(1, -1).trim();
    if (inner === "") return [];
    const items: string[] = [];
    let rest = inner;
    while (rest.length > 0) {
      const m = /^("(?:[^"\\]|\\.)*"|'[^']*')\s*(,\s*)?/.exec(rest);
      if (!m) return fail(`only arrays of strings are supported, got [${inner}]`);
      items.push(parseString(m[1] ?? "", fail));
      rest = rest.slice(m[0].length);
    }
    return items;
  }
  return fail(`unsupported value ${text}`);
}

function parseString(text: string, fail: (m: string) => never): string {
  if (text.startsWith("'")) {
    if (!/^'[^']*'$/.test(text)) fail(`bad string ${text}`);
    return text.slice(1, -1);
  }
  if (!/^"(?:[^"\\]|\\.)*"$/.test(text)) fail(`bad string ${text}`);
  try {
    return JSON.parse(text) as string;
  } catch {
    return fail(`bad string ${text}`);
  }
}

/** sysregistriesv2 parseLocation: trimmed, no trailing "/", no scheme. */
function parseLocation(input: string): string {
  const trimmed = input.trim().replace(/\/+$/, "");
  if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
    throw new RegistriesConfError(`invalid location '${input}': URI schemes are not supported`);
  }
  return trimmed;
}

/** Parses registries.conf text (v2 format). */
export function parseRegistriesConf(text: string): RegistriesConf {
  const toml = parseToml(text);
  if (toml.registries !== undefined && !Array.isArray(toml.registries)) {
    throw new RegistriesConfError("registries.conf must be in v2 format but is in v1");
  }
  const tables = toml.registry;
  if (tables === undefined) return { registries: [] };
  if (!Array.isArray(tables) || tables.some((t) => typeof t !== "object")) {
    throw new RegistriesConfError("registry must be an array of tables ([[registry]])");
  }
  const str = (t: TomlTable, k: string): string => {
    const v = t[k];
    if (v === undefined) return "";
    if (typeof v !== "string") throw new RegistriesConfError(`${k} must be a string`);
    return v;
  };
  const bool = (t: TomlTable, k: string): boolean => {
    const v = t[k];
    if (v === undefined) return false;
    if (typeof v !== "boolean") throw new RegistriesConfError(`${k} must be true or false`);
    return v;
  };
  const registries = (tables as TomlTable[]).map((t): RegistryEntry => {
    const location = parseLocation(str(t, "location"));
    let prefix = str(t, "prefix");
    if (prefix === "") {
      if (location === "")
        throw new RegistriesConfError("invalid condition: both location and prefix are unset");
      prefix = location;
    } else {
      prefix = parseLocation(prefix);
      if (!prefix.startsWith("*.") && location === "") {
        throw new RegistriesConfError(
          "invalid condition: location is unset and prefix is not in the format: *.example.com",
        );
      }
    }
    if (str(t, "pull-from-mirror") !== "") {
      throw new RegistriesConfError(`pull-from-mirror must not be set for a non-mirror registry "${prefix}"`);
    }
    const mirrorByDigestOnly = bool(t, "mirror-by-digest-only");
    const mirrorTables = t.mirror === undefined ? [] : (t.mirror as TomlTable[]);
    const mirrors = mirrorTables.map((m): MirrorEndpoint => {
      const mirrorLocation = parseLocation(str(m, "location"));
      if (mirrorLocation === "") throw new RegistriesConfError("invalid condition: mirror location is unset");
      const pull = str(m, "pull-from-mirror");
      if (mirrorByDigestOnly && pull !== "") {
        throw new RegistriesConfError(
          `cannot set mirror usage mirror-by-digest-only for the registry ("${prefix}") and pull-from-mirror for per-mirror ("${mirrorLocation}") at the same time`,
        );
      }
      if (!["", "all", "digest-only", "tag-only"].includes(pull)) {
        throw new RegistriesConfError(
          `unsupported pull-from-mirror value "${pull}" for mirror "${mirrorLocation}"`,
        );
      }
      return {
        location: mirrorLocation,
        insecure: bool(m, "insecure"),
        pullFromMirror: pull as MirrorEndpoint["pullFromMirror"],
      };
    });
    return {
      prefix,
      location,
      insecure: bool(t, "insecure"),
      blocked: bool(t, "blocked"),
      mirrorByDigestOnly,
      mirrors,
    };
  });
  return { registries };
}

/** refMatchingPrefix: the length of the matched prefix, or -1. */
function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith("*.")) {
    // refMatchingSubdomainPrefix: the host part must end with the domain (one or more labels before it).
    const end = ref.search(/[/@:]/);
    const host = end === -1 ? ref : ref.slice(0, end);
    return host.endsWith(prefix.slice(1)) ? host.length : -1;
  }
  if (ref.length < prefix.length) return -1;
  if (ref.length === prefix.length) return ref === prefix ? prefix.length : -1;
  if (!ref.startsWith(prefix)) return -1;
  const c = ref[prefix.length];
  return c === ":" || c === "/" || c === "@" ? prefix.length : -1;
}

/** FindRegistry: the entry with the longest matching prefix. */
export function findRegistry(conf: RegistriesConf, repository: string): RegistryEntry | undefined {
  let best: RegistryEntry | undefined;
  for (const entry of conf.registries) {
    if (
      refMatchingPrefix(repository, entry.prefix) !== -1 &&
      entry.prefix.length > (best?.prefix.length ?? 0)
    ) {
      best = entry;
    }
  }
  return best;
}

export interface PullSource {
  reference: DockerReference;
  insecure: boolean;
  mirror: boolean;
}

/** PullSourcesFromReference: the mirrors that apply to this reference, then the registry itself. */
export function pullSources(conf: RegistriesConf | undefined, ref: DockerReference): PullSource[] {
  const name = `${ref.domain}/${ref.path}`;
  const entry = conf === undefined ? undefined : findRegistry(conf, name);
  if (entry === undefined) return [{ reference: ref, insecure: false, mirror: false }];
  if (entry.blocked) {
    throw new RegistriesConfError(`registry ${ref.domain} is blocked in registries.conf`);
  }
  const digested = ref.digest !== undefined;
  const endpoints: { location: string; insecure: boolean; mirror: boolean }[] = [];
  for (const mirror of entry.mirrors) {
    if (entry.mirrorByDigestOnly && !digested) continue;
    if (mirror.pullFromMirror === "digest-only" && !digested) continue;
    if (mirror.pullFromMirror === "tag-only" && digested) continue;
    endpoints.push({ location: mirror.location, insecure: mirror.insecure, mirror: true });
  }
  endpoints.push({ location: entry.location, insecure: entry.insecure, mirror: false });
  const refString = referenceString(ref);
  const prefixLength = refMatchingPrefix(refString, entry.prefix);
  return endpoints.map((endpoint) => {
    if (endpoint.location === "")
      return { reference: ref, insecure: endpoint.insecure, mirror: endpoint.mirror };
    const rewritten = endpoint.location + refString.slice(prefixLength);
    const parsed = parseDockerReference(rewritten);
    if (!parsed.ok || referenceString(parsed.reference) !== rewritten) {
      throw new RegistriesConfError(
        `rewriting reference: ${rewritten}: ${parsed.ok ? "not canonical" : parsed.message}`,
      );
    }
    return { reference: parsed.reference, insecure: endpoint.insecure, mirror: endpoint.mirror };
  });
}
