// registries.d as a node reads it (docker/registries_d.go): every `*.yaml` file of the directory
// (`.yml` is ignored), merged — one namespace or default-docker in two files is an error — and read
// with yaml.v3's leniency (unknown keys are ignored). Settings are looked up for the *physical*
// reference (the registry or mirror actually contacted), field by field: the most specific scope that
// sets the field, then default-docker.
//
// Unknown keys are reported as warnings (with pkg/containers' strict reader), since a typo such as
// `use-sigstore-attachment` silently switches signature lookup off on a node.

import { readdir, readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { isMap, isScalar, parseDocument, type YAMLMap } from "yaml";
import { parseRegistriesDYaml } from "../containers/registries-d.ts";
import { policyScopesForDockerReference } from "../containers/scope.ts";
import type { DockerReference } from "../containers/reference.ts";

interface NamespaceSettings {
  lookaside?: string;
  sigstore?: string;
  useSigstoreAttachments?: boolean;
}

export interface RegistriesD {
  readonly defaultDocker?: NamespaceSettings;
  readonly docker: ReadonlyMap<string, NamespaceSettings>;
  /** Where each namespace was defined, for messages. */
  readonly files: readonly string[];
  readonly warnings: readonly string[];
}

export class RegistriesDError extends Error {
  override readonly name = "RegistriesDError";
}

export const EMPTY_REGISTRIES_D: RegistriesD = { docker: new Map(), files: [], warnings: [] };

/** The built-in lookaside when no configuration names one: root's, or the user's when not root. */
export function builtinLookaside(): string {
  return process.geteuid?.() === 0 || process.geteuid === undefined
    ? "file:///var/lib/containers/sigstore"
    : `file://${join(homedir(), ".local/share/containers/sigstore")}`;
}

/** Reads a registries.d directory; a missing directory is an empty configuration. */
export async function loadRegistriesDDirectory(dir: string): Promise<RegistriesD> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith(".yaml")).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return EMPTY_REGISTRIES_D;
    throw new RegistriesDError(`reading registries.d directory ${dir}: ${(error as Error).message}`);
  }
  const files: Record<string, string> = {};
  for (const name of names) files[join(dir, name)] = await readFile(join(dir, name), "utf8");
  return parseRegistriesDFiles(files);
}

/** Merges registries.d files given as name → text (names in the order a node reads them). */
export function parseRegistriesDFiles(files: Readonly<Record<string, string>>): RegistriesD {
  let defaultDocker: NamespaceSettings | undefined;
  let defaultFrom = "";
  const docker = new Map<string, NamespaceSettings>();
  const from = new Map<string, string>();
  const warnings: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, schema: "core" });
    const problem = doc.errors[0];
    if (problem) throw new RegistriesDError(`parsing ${name}: ${problem.message}`);
    const strict = parseRegistriesDYaml(text);
    if (!strict.ok) warnings.push(`${name}: ${strict.message}${strict.path ? ` at ${strict.path}` : ""}`);
    const root = doc.contents;
    // yaml.v3 accepts null (an empty file or section) and refuses any other non-mapping value.
    const mapping = (node: unknown, what: string): node is YAMLMap => {
      if (node === null || node === undefined || (isScalar(node) && node.value === null)) return false;
      if (!isMap(node)) throw new RegistriesDError(`parsing ${name}: ${what} must be a mapping`);
      return true;
    };
    if (!mapping(root, "the document")) continue;
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : "";
      if (key === "default-docker" && mapping(pair.value, "default-docker")) {
        if (defaultDocker !== undefined) {
          throw new RegistriesDError(
            `Error parsing signature storage configuration: "default-docker" defined both in ${JSON.stringify(defaultFrom)} and ${JSON.stringify(name)}`,
          );
        }
        defaultDocker = settings(pair.value);
        defaultFrom = name;
      } else if (key === "docker" && mapping(pair.value, "docker")) {
        for (const ns of pair.value.items) {
          const scope = isScalar(ns.key) ? String(ns.key.value) : "";
          if (docker.has(scope)) {
            throw new RegistriesDError(
              `Error parsing signature storage configuration: "docker" namespace ${JSON.stringify(scope)} defined both in ${JSON.stringify(from.get(scope))} and ${JSON.stringify(name)}`,
            );
          }
          docker.set(scope, mapping(ns.value, `docker[${JSON.stringify(scope)}]`) ? settings(ns.value) : {});
          from.set(scope, name);
        }
      }
    }
  }
  return { ...(defaultDocker ? { defaultDocker } : {}), docker, files: Object.keys(files), warnings };
}

const YAML_BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  yes: true,
  no: false,
  on: true,
  off: false,
  y: true,
  n: false,
};

function settings(node: unknown): NamespaceSettings {
  const out: NamespaceSettings = {};
  if (!isMap(node)) return out;
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    const value = isScalar(pair.value) ? pair.value.value : undefined;
    if (key === "lookaside" && typeof value === "string") out.lookaside = value;
    else if (key === "sigstore" && typeof value === "string") out.sigstore = value;
    else if (key === "use-sigstore-attachments") {
      const text =
        typeof value === "boolean" ? String(value) : typeof value === "string" ? value.toLowerCase() : "";
      const b = YAML_BOOLEANS[text];
      if (b === undefined)
        throw new RegistriesDError(
          `use-sigstore-attachments: cannot read ${JSON.stringify(value)} as a boolean`,
        );
      out.useSigstoreAttachments = b;
    }
  }
  return out;
}

/** The scopes of a reference, most specific first (the policy.json candidate list). */
function scopesOf(ref: DockerReference): string[] {
  const scopes = policyScopesForDockerReference(ref);
  return scopes.ok ? scopes.scopes : [];
}

export interface ResolvedSetting<T> {
  value: T;
  /** The registries.d scope that set it, "default-docker", or undefined for the built-in default. */
  from: string | undefined;
}

/** use-sigstore-attachments for a physical reference (false when nothing sets it). */
export function useSigstoreAttachments(config: RegistriesD, ref: DockerReference): ResolvedSetting<boolean> {
  for (const scope of scopesOf(ref)) {
    const value = config.docker.get(scope)?.useSigstoreAttachments;
    if (value !== undefined) return { value, from: scope };
  }
  const fallback = config.defaultDocker?.useSigstoreAttachments;
  if (fallback !== undefined) return { value: fallback, from: "default-docker" };
  return { value: false, from: undefined };
}

/** The lookaside base URL for reading, and where it came from (undefined: the built-in default). */
export function lookasideBase(
  config: RegistriesD,
  ref: DockerReference,
  builtin: string,
): ResolvedSetting<string> {
  const pick = (ns: NamespaceSettings | undefined): string | undefined =>
    ns?.lookaside !== undefined && ns.lookaside !== "" ? ns.lookaside : ns?.sigstore || undefined;
  for (const scope of scopesOf(ref)) {
    const value = pick(config.docker.get(scope));
    if (value !== undefined) return { value, from: scope };
  }
  const fallback = pick(config.defaultDocker);
  if (fallback !== undefined) return { value: fallback, from: "default-docker" };
  return { value: builtin, from: undefined };
}
