// Which repositories need `use-sigstore-attachments` in registries.d: every policy scope, and every
// repository images of that scope may be pulled from instead (its mirrors, and the mirrors of
// registries.conf entries nested inside it), because a node reads signatures from the repository it
// pulled from. Computed as MCO does (helpers.go generateSigstoreRegistriesdConfig and
// addScopeMirrorsSigstoreRegistriesdConfig), over the registries.conf this render writes, with
// containers/image's own lookup (FindRegistry, PullSourcesFromReference).
//
// Where MCO's computation fails (it then writes nothing for the whole cluster), this one keeps
// going: a scope that is no canonical repository (docker.io/nginx) is retried as a namespace, and
// what still cannot be computed is reported per scope.

import {
  findRegistry,
  pullSourcesFromReference,
  RegistriesConfError,
  type RegistriesConf,
  type Registry,
} from "../containers/registries-conf.ts";
import { parseReference, repositoryName, type DockerReference } from "../containers/reference.ts";
import { scopeIsNestedInside } from "../containers/scope.ts";

const DUMMY_DIGEST = `sha256:${"a".repeat(64)}`;
const DUMMY_TAG = "aaa";
const DUMMY_PATH = "/a";
const DUMMY_PREFIX = "matched";

export interface AttachmentScopes {
  /** Every scope that gets use-sigstore-attachments, in the order found. */
  scopes: Set<string>;
  /** Policy scope → why some of its pull sources could not be computed (MCO fails there). */
  problems: Map<string, string>;
}

/**
 * The repositories `reg` rewrites images of `scope` to, as addScopeMirrorsSigstoreRegistriesdConfig
 * adds them: pull sources of scope@digest and scope:tag, endpoints without a location skipped.
 */
function pullSourceRepositories(scope: string, reg: Registry, asNamespace: boolean): string[] {
  let name = scope.startsWith("*.") ? scope.replace("*", DUMMY_PREFIX) : scope;
  // A registry-only scope gets a dummy repository first (MCO's way); the namespace retry adds one
  // more component below the repository. Whatever was added is stripped from the results.
  let added = "";
  if (!name.includes("/")) {
    name += DUMMY_PATH;
    added += DUMMY_PATH;
  }
  const parsed = parseReference(name);
  if (!parsed.ok) throw new RegistriesConfError(`error parsing scope ${name}: ${parsed.message}`);
  let repository = repositoryName(parsed.reference);
  if (asNamespace) {
    repository += DUMMY_PATH;
    added += DUMMY_PATH;
  }
  const repo = parseReference(repository);
  if (!repo.ok) throw new RegistriesConfError(`error parsing scope ${repository}: ${repo.message}`);
  const base: DockerReference = { domain: repo.reference.domain, path: repo.reference.path };
  const sources = [
    ...pullSourcesFromReference(reg, { ...base, digest: DUMMY_DIGEST }),
    ...pullSourcesFromReference(reg, { ...base, tag: DUMMY_TAG }),
  ];
  return sources
    .filter((s) => s.endpoint.location !== "")
    .map((s) => {
      const endpoint = repositoryName(s.reference);
      return added !== "" && endpoint.endsWith(added) ? endpoint.slice(0, -added.length) : endpoint;
    });
}

/**
 * As MCO computes it first; when containers/image refuses the rewritten reference because the scope
 * is not a canonical repository name (a docker.io name without "library/", a tag left in the name),
 * images under the scope are still pulled through the mirror as "<scope>/…": computing the scope
 * as a namespace gives exactly those mirror repositories.
 */
function repositoriesFor(scope: string, reg: Registry | undefined): string[] {
  if (!reg) return [];
  try {
    return pullSourceRepositories(scope, reg, false);
  } catch (error) {
    if (!(error instanceof RegistriesConfError) || !/must be canonical/.test(error.message)) throw error;
    return pullSourceRepositories(scope, reg, true);
  }
}

/** The registries.conf a render writes: as edited (file order), and as containers/image loads it. */
export interface RenderedRegistries {
  edited: RegistriesConf;
  loaded: RegistriesConf;
}

/** The registries.d scopes for these policy scopes over this registries.conf (undefined: none written). */
export function sigstoreAttachmentScopes(
  policyScopes: Iterable<string>,
  registries: RenderedRegistries | undefined,
): AttachmentScopes {
  const scopes = new Set<string>();
  const problems = new Map<string, string>();
  for (const policyScope of policyScopes) {
    scopes.add(policyScope);
    if (!registries) continue;
    const { edited: conf, loaded: parsed } = registries;
    const add = (scope: string): void => {
      try {
        for (const repository of repositoriesFor(scope, findRegistry(parsed, scope))) scopes.add(repository);
      } catch (error) {
        if (!(error instanceof RegistriesConfError)) throw error;
        if (!problems.has(policyScope)) {
          problems.set(
            policyScope,
            `the mirrors of ${scope} get no sigstore attachments: containers/image cannot rewrite its images onto them (${error.message})`,
          );
        }
      }
    };
    add(policyScope);
    // Entries nested inside the scope, in the file's order (MCO walks the decoded file).
    for (const reg of conf.registries) {
      const scope = reg.prefix !== "" ? reg.prefix : reg.location;
      if (scope !== policyScope && scopeIsNestedInside(scope, policyScope)) add(scope);
    }
  }
  return { scopes, problems };
}
