// containers-registries.conf(5) as containers/image reads it (pkg/sysregistriesv2): the v2 model,
// decoding with a TOML library, the checks and normalisation of postProcessRegistries, the
// longest-prefix lookup (FindRegistry) and the pull sources of a reference
// (PullSourcesFromReference), with containers/image's error texts.
//
// The model keeps what BurntSushi/toml would give Go's V2RegistriesConf: fields the file does not set
// are absent (nil slices), an empty array is an empty array. The encoder (registries-conf-encode.ts)
// relies on that difference, as MCO's output does.

import { parse as parseToml, TomlError } from "smol-toml";
import { compareBytes } from "../util/sorted.ts";
import {
  anchoredDomainRegexp,
  parseDockerReference,
  referenceString,
  type DockerReference,
} from "./reference.ts";

export type PullFromMirror = "" | "all" | "digest-only" | "tag-only";

/** sysregistriesv2.Endpoint. */
export interface Endpoint {
  location: string;
  insecure: boolean;
  /** Only for mirrors: "digest-only", "tag-only", "all" or "" (all). */
  pullFromMirror: string;
}

/** sysregistriesv2.Registry: an endpoint with a prefix, mirrors and the blocked flags. */
export interface Registry extends Endpoint {
  prefix: string;
  mirrors: Endpoint[];
  blocked: boolean;
  mirrorByDigestOnly: boolean;
}

/** sysregistriesv2.V2RegistriesConf (aliases are read by nothing here and not kept). */
export interface RegistriesConf {
  registries: Registry[];
  /** Absent when the file does not set it (Go: nil), [] when it sets an empty list. */
  unqualifiedSearchRegistries?: string[];
  credentialHelpers?: string[];
  shortNameMode: string;
  additionalLayerStoreAuthHelper: string;
}

/** containers/image's InvalidRegistries and decoding errors: the file cannot be used. */
export class RegistriesConfError extends Error {
  override readonly name = "RegistriesConfError";
}

export function emptyRegistriesConf(): RegistriesConf {
  return { registries: [], shortNameMode: "", additionalLayerStoreAuthHelper: "" };
}

export function newRegistry(fields: Partial<Registry>): Registry {
  return {
    prefix: "",
    location: "",
    insecure: false,
    pullFromMirror: "",
    mirrors: [],
    blocked: false,
    mirrorByDigestOnly: false,
    ...fields,
  };
}

type TomlTable = Record<string, unknown>;

const isTable = (v: unknown): v is TomlTable => typeof v === "object" && v !== null && !Array.isArray(v);

function field<T>(
  table: TomlTable,
  key: string,
  where: string,
  check: (v: unknown) => v is T,
  type: string,
): T | undefined {
  const value = table[key];
  if (value === undefined) return undefined;
  if (!check(value)) throw new RegistriesConfError(`${where}${key}: incompatible types: expected ${type}`);
  return value;
}

const isString = (v: unknown): v is string => typeof v === "string";
const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);

function endpointFields(table: TomlTable, where: string): Endpoint {
  return {
    location: field(table, "location", where, isString, "a string") ?? "",
    insecure: field(table, "insecure", where, isBoolean, "a boolean") ?? false,
    pullFromMirror: field(table, "pull-from-mirror", where, isString, "a string") ?? "",
  };
}

/**
 * Decodes registries.conf text into the model, as toml.Decode into V2RegistriesConf does: unknown
 * keys are ignored, a key of the wrong type is an error. A v1 file ([registries.search] …) is
 * refused: every file this project reads or writes is v2.
 */
export function decodeRegistriesConf(text: string): RegistriesConf {
  let doc: TomlTable;
  try {
    doc = parseToml(text) as TomlTable;
  } catch (error) {
    if (error instanceof TomlError) {
      // smol-toml's message quotes the line with a caret under it; one line is enough.
      const first = error.message.split("\n").find((l) => l.trim() !== "") ?? "invalid TOML";
      throw new RegistriesConfError(`line ${error.line}, column ${error.column}: ${first}`);
    }
    throw error;
  }
  if (doc.registries !== undefined) {
    throw new RegistriesConfError("registry must be in v2 format but is in v1");
  }
  const conf = emptyRegistriesConf();
  const search = field(doc, "unqualified-search-registries", "", isStringArray, "an array of strings");
  if (search !== undefined) conf.unqualifiedSearchRegistries = [...search];
  const helpers = field(doc, "credential-helpers", "", isStringArray, "an array of strings");
  if (helpers !== undefined) conf.credentialHelpers = [...helpers];
  conf.shortNameMode = field(doc, "short-name-mode", "", isString, "a string") ?? "";
  conf.additionalLayerStoreAuthHelper =
    field(doc, "additional-layer-store-auth-helper", "", isString, "a string") ?? "";
  const tables = doc.registry;
  if (tables !== undefined) {
    if (!Array.isArray(tables) || !tables.every(isTable)) {
      throw new RegistriesConfError(
        "registry: incompatible types: expected an array of tables ([[registry]])",
      );
    }
    conf.registries = tables.map((t, i) => {
      const where = `registry[${i}].`;
      const mirrorTables = t.mirror;
      if (mirrorTables !== undefined && (!Array.isArray(mirrorTables) || !mirrorTables.every(isTable))) {
        throw new RegistriesConfError(`${where}mirror: incompatible types: expected an array of tables`);
      }
      return newRegistry({
        prefix: field(t, "prefix", where, isString, "a string") ?? "",
        ...endpointFields(t, where),
        mirrors: (mirrorTables ?? []).map((m, j) => endpointFields(m, `${where}mirror[${j}].`)),
        blocked: field(t, "blocked", where, isBoolean, "a boolean") ?? false,
        mirrorByDigestOnly: field(t, "mirror-by-digest-only", where, isBoolean, "a boolean") ?? false,
      });
    });
  }
  return conf;
}

/** parseLocation: no trailing "/", no URI scheme. */
function parseLocation(input: string): string {
  const trimmed = input.replace(/\/+$/, "");
  if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
    throw new RegistriesConfError(`invalid location '${input}': URI schemes are not supported`);
  }
  return trimmed;
}

const shortNameModes = new Set(["", "disabled", "permissive", "enforcing"]);

/**
 * loadConfigFile's checks and postProcessRegistries: locations trimmed, every prefix set, mirror
 * settings checked, conflicting duplicates refused, then one entry per prefix (the first), sorted by
 * prefix. Returns a new model; throws RegistriesConfError with containers/image's message.
 */
export function postProcessRegistries(conf: RegistriesConf): RegistriesConf {
  const registries = conf.registries.map((input): Registry => {
    const reg = { ...input, mirrors: input.mirrors.map((m) => ({ ...m })) };
    reg.location = parseLocation(reg.location);
    if (reg.prefix === "") {
      if (reg.location === "") {
        throw new RegistriesConfError("invalid condition: both location and prefix are unset");
      }
      reg.prefix = reg.location;
    } else {
      reg.prefix = parseLocation(reg.prefix);
      if (!reg.prefix.startsWith("*.") && reg.location === "") {
        throw new RegistriesConfError(
          "invalid condition: location is unset and prefix is not in the format: *.example.com",
        );
      }
    }
    if (reg.pullFromMirror !== "") {
      throw new RegistriesConfError(
        `pull-from-mirror must not be set for a non-mirror registry "${reg.prefix}"`,
      );
    }
    for (const mirror of reg.mirrors) {
      mirror.location = parseLocation(mirror.location);
      if (mirror.location === "")
        throw new RegistriesConfError("invalid condition: mirror location is unset");
      if (reg.mirrorByDigestOnly && mirror.pullFromMirror !== "") {
        throw new RegistriesConfError(
          `cannot set mirror usage mirror-by-digest-only for the registry ("${reg.prefix}") and pull-from-mirror for per-mirror ("${mirror.location}") at the same time`,
        );
      }
      if (!["", "all", "digest-only", "tag-only"].includes(mirror.pullFromMirror)) {
        throw new RegistriesConfError(
          `unsupported pull-from-mirror value "${mirror.pullFromMirror}" for mirror "${mirror.location}"`,
        );
      }
    }
    return reg;
  });
  const key = (r: Registry): string => (r.location === "" ? r.prefix : r.location);
  const byKey = new Map<string, Registry[]>();
  for (const reg of registries) byKey.set(key(reg), [...(byKey.get(key(reg)) ?? []), reg]);
  for (const reg of registries) {
    for (const other of byKey.get(key(reg)) ?? []) {
      if (reg.insecure !== other.insecure) {
        throw new RegistriesConfError(
          `registry '${reg.location}' is defined multiple times with conflicting 'insecure' setting`,
        );
      }
      if (reg.blocked !== other.blocked) {
        throw new RegistriesConfError(
          `registry '${reg.location}' is defined multiple times with conflicting 'blocked' setting`,
        );
      }
    }
  }
  const search = conf.unqualifiedSearchRegistries?.map((entry) => {
    const registry = parseLocation(entry);
    if (!anchoredDomainRegexp.test(registry)) {
      throw new RegistriesConfError(
        `Invalid unqualified-search-registries entry ${JSON.stringify(registry)}`,
      );
    }
    return registry;
  });
  // The first entry of each prefix wins; then sorted by prefix (Go's sort.Strings: bytewise).
  const unique = new Map<string, Registry>();
  for (const reg of registries) if (!unique.has(reg.prefix)) unique.set(reg.prefix, reg);
  const sorted = [...unique.keys()].sort(compareBytes).map((p) => unique.get(p) as Registry);
  if (!shortNameModes.has(conf.shortNameMode)) {
    throw new RegistriesConfError(`invalid short-name mode: "${conf.shortNameMode}"`);
  }
  for (const reg of sorted) {
    if (reg.prefix.startsWith("*.") && /[/@:]/.test(reg.prefix)) {
      throw new RegistriesConfError(
        `Wildcarded prefix should be in the format: *.example.com. Current prefix "${reg.prefix}" is incorrectly formatted`,
      );
    }
  }
  const processed: RegistriesConf = { ...conf, registries: sorted };
  if (search !== undefined) processed.unqualifiedSearchRegistries = search;
  return processed;
}

/** Decodes and checks a registries.conf, as containers/image loads one file. */
export function loadRegistriesConf(text: string): RegistriesConf {
  return postProcessRegistries(decodeRegistriesConf(text));
}

/** refMatchingSubdomainPrefix. */
function refMatchingSubdomainPrefix(ref: string, prefix: string): number {
  const domain = prefix.slice(1);
  let index = ref.indexOf(domain);
  if (index === -1) return -1;
  if (ref.slice(0, index).includes("/")) return -1;
  index += domain.length;
  if (index === ref.length) return index;
  return ":/@".includes(ref[index] ?? "") ? index : -1;
}

/** refMatchingPrefix: the length of the match of `prefix` in `ref`, or -1. */
export function refMatchingPrefix(ref: string, prefix: string): number {
  if (prefix.startsWith("*.")) return refMatchingSubdomainPrefix(ref, prefix);
  if (ref.length < prefix.length) return -1;
  if (ref.length === prefix.length) return ref === prefix ? prefix.length : -1;
  if (!ref.startsWith(prefix)) return -1;
  const c = ref[prefix.length];
  return c === ":" || c === "/" || c === "@" ? prefix.length : -1;
}

/** FindRegistry over a post-processed model: the entry with the longest matching prefix. */
export function findRegistry(conf: RegistriesConf, ref: string): Registry | undefined {
  let found: Registry | undefined;
  let length = 0;
  for (const reg of conf.registries) {
    if (refMatchingPrefix(ref, reg.prefix) !== -1 && reg.prefix.length > length) {
      found = reg;
      length = reg.prefix.length;
    }
  }
  return found;
}

export interface PullSource {
  endpoint: Endpoint;
  /** Whether the endpoint is one of the registry's mirrors (else the registry itself). */
  mirror: boolean;
  reference: DockerReference;
}

/** reference.ParseNamed: a normalised reference that must be written in its canonical form. */
function parseCanonicalNamed(s: string): DockerReference {
  const parsed = parseDockerReference(s);
  if (!parsed.ok) throw new RegistriesConfError(`rewriting reference: ${parsed.message}`);
  if (referenceString(parsed.reference) !== s) {
    throw new RegistriesConfError("rewriting reference: repository name must be canonical");
  }
  return parsed.reference;
}

/**
 * PullSourcesFromReference: the mirrors that apply to the reference (digest-only mirrors for digests,
 * tag-only mirrors for tags), then the registry itself, each with the reference rewritten onto its
 * location. `ref` is the reference as the caller holds it (reference.Named.String()).
 */
export function pullSourcesFromReference(reg: Registry, ref: DockerReference): PullSource[] {
  const digested = ref.digest !== undefined;
  const endpoints: { endpoint: Endpoint; mirror: boolean }[] = [];
  if (reg.mirrorByDigestOnly) {
    if (digested) for (const m of reg.mirrors) endpoints.push({ endpoint: m, mirror: true });
  } else {
    for (const m of reg.mirrors) {
      if (m.pullFromMirror === "digest-only" && !digested) continue;
      if (m.pullFromMirror === "tag-only" && digested) continue;
      endpoints.push({ endpoint: m, mirror: true });
    }
  }
  endpoints.push({ endpoint: reg, mirror: false });
  const refString = referenceString(ref);
  return endpoints.map(({ endpoint, mirror }) => {
    const prefixLength = refMatchingPrefix(refString, reg.prefix);
    if (prefixLength === -1) {
      throw new RegistriesConfError(`invalid prefix '${reg.prefix}' for reference '${refString}'`);
    }
    if (endpoint.location === "") {
      if (!reg.prefix.startsWith("*.")) {
        throw new RegistriesConfError(
          `invalid prefix '${reg.prefix}' for empty location, should be in the format: *.example.com`,
        );
      }
      return { endpoint, mirror, reference: ref };
    }
    return {
      endpoint,
      mirror,
      reference: parseCanonicalNamed(endpoint.location + refString.slice(prefixLength)),
    };
  });
}
