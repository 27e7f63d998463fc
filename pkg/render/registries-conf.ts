// /etc/containers/registries.conf and its search-registries drop-in, as the Machine Config Operator
// renders them (container-runtime-config helpers.go updateRegistriesConfig and
// updateSearchRegistriesConfig, over openshift/runtime-utils EditRegistriesConfig): the role
// template's registries.conf, plus one [[registry]] per mirrored source, blocked and insecure scope,
// with the flags and mirrors propagated to the entries nested inside them.

import type { ImageMirrors } from "../apis/config/v1/mirrors.ts";
import type { ImageContentSourcePolicy } from "../apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
import type { ImageDigestMirrorSet } from "../apis/config/v1/imagedigestmirrorset.ts";
import type { ImageTagMirrorSet } from "../apis/config/v1/imagetagmirrorset.ts";
import { encodeRegistriesConf } from "../containers/registries-conf-encode.ts";
import {
  decodeRegistriesConf,
  emptyRegistriesConf,
  findRegistry,
  newRegistry,
  postProcessRegistries,
  pullSourcesFromReference,
  RegistriesConfError,
  type Endpoint,
  type RegistriesConf,
  type Registry,
} from "../containers/registries-conf.ts";
import { repositoryName, type DockerReference } from "../containers/reference.ts";
import { scopeIsNestedInside } from "../containers/scope.ts";
import { mergedDigestMirrorSets, mergedTagMirrorSets, type MergedMirrorSet } from "./mirror-sets.ts";
import { isValidRegistriesConfScope } from "./registry-rules.ts";

export const REGISTRIES_CONF_PATH = "/etc/containers/registries.conf";
export const SEARCH_REGISTRIES_PATH = "/etc/containers/registries.conf.d/01-image-searchRegistries.conf";

/**
 * registries.conf of MCO's templates/{master,worker,arbiter}/01-*-container-runtime/_base/files/
 * container-registries.yaml, byte for byte.
 */
export const UPSTREAM_BASE_REGISTRIES_CONF =
  "unqualified-search-registries = ['registry.access.redhat.com', 'docker.io']\n";

/** The mirror rules of a cluster, each list in the order the API lists them. */
export interface MirrorRules {
  imageDigestMirrorSets: readonly ImageDigestMirrorSet[];
  imageTagMirrorSets: readonly ImageTagMirrorSet[];
  imageContentSourcePolicies: readonly ImageContentSourcePolicy[];
}

// MCO's sourceRegex and mirrorRegex (openshift/api's patterns). Their path-component separator
// `(?:[._]|__|[-]*)` may match the empty string, which makes a backtracking engine exponential;
// `-+` with the component repeated zero or more times accepts exactly the same language.
const hostPart = String.raw`(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])`;
const host = String.raw`${hostPart}(?:\.${hostPart})*(?::[0-9]+)?`;
const pathPart = String.raw`/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const mirrorRegex = new RegExp(String.raw`^${host}(?:${pathPart})*$`);
const sourceRegex = new RegExp(String.raw`^\*(?:\.${hostPart})+$|^${host}(?:${pathPart})*$`);

export interface ValidMirrorRules {
  digest: ImageMirrors[];
  contentSource: { source: string; mirrors: string[] }[];
  tag: ImageMirrors[];
  /** Entries left out, and why (MCO refuses the whole sync for each of these). */
  warnings: string[];
}

/**
 * validateRegistriesConfScopes, for the mirror rules: a source or mirror MCO's patterns refuse, or a
 * NeverContactSource set that lists its source as a mirror, is left out (MCO fails the whole sync).
 * A source given conflicting mirrorSourcePolicy values is refused only by MCO; here it keeps
 * NeverContactSource, the stricter one.
 */
export function validMirrorRules(rules: MirrorRules): ValidMirrorRules {
  const warnings: string[] = [];
  const policyOf = new Map<string, string>();
  const usable = (
    source: string,
    mirrors: readonly string[],
    policy: string | undefined,
    kind: string,
  ): boolean => {
    if (!sourceRegex.test(source)) {
      warnings.push(`${kind}: invalid format for source "${source}": its mirrors are not rendered`);
      return false;
    }
    const bad = mirrors.find((m) => !mirrorRegex.test(m));
    if (bad !== undefined) {
      warnings.push(
        `${kind}: invalid format for mirror "${bad}": the mirrors of "${source}" are not rendered`,
      );
      return false;
    }
    const effective = policy ?? "AllowContactingSource";
    if (effective === "NeverContactSource" && mirrors.includes(source)) {
      warnings.push(
        `${kind}: cannot set mirrorSourcePolicy: NeverContactSource if the source "${source}" is one of the mirrors: its mirrors are not rendered`,
      );
      return false;
    }
    const earlier = policyOf.get(source);
    if (earlier === undefined) policyOf.set(source, effective);
    else if (earlier !== effective) {
      warnings.push(
        `conflicting mirrorSourcePolicy is set for the same source "${source}" in imagedigestmirrorsets, imagetagmirrorsets, or imagecontentsourcepolicies: NeverContactSource applies`,
      );
    }
    return true;
  };
  const usableOf = <T extends { metadata: { name?: string } }>(
    kind: string,
    objects: readonly T[],
    entries: (object: T) => readonly ImageMirrors[] | undefined,
  ): ImageMirrors[] =>
    objects.flatMap((object) =>
      (entries(object) ?? []).filter((m) =>
        usable(m.source, m.mirrors ?? [], m.mirrorSourcePolicy, `${kind} ${object.metadata.name ?? ""}`),
      ),
    );
  // MCO checks the ImageDigestMirrorSets with the converted ImageContentSourcePolicies appended.
  const digest = usableOf(
    "ImageDigestMirrorSet",
    rules.imageDigestMirrorSets,
    (o) => o.spec?.imageDigestMirrors,
  );
  // An ImageContentSourcePolicy has no source policy: it allows contacting the source.
  const contentSource = usableOf(
    "ImageContentSourcePolicy",
    rules.imageContentSourcePolicies,
    (o) => o.spec?.repositoryDigestMirrors,
  ).map((m) => ({ source: m.source, mirrors: m.mirrors ?? [] }));
  const tag = usableOf("ImageTagMirrorSet", rules.imageTagMirrorSets, (o) => o.spec?.imageTagMirrors);
  // A source with conflicting policies keeps NeverContactSource in every set naming it.
  const strict = (m: ImageMirrors): ImageMirrors =>
    policyOf.get(m.source) === "NeverContactSource" && m.mirrorSourcePolicy !== "NeverContactSource"
      ? { ...m, mirrorSourcePolicy: "NeverContactSource" }
      : m;
  return { digest: digest.map(strict), contentSource, tag: tag.map(strict), warnings };
}

/** registryScope: the prefix when set, else the location. */
const registryScope = (reg: Registry): string => (reg.prefix !== "" ? reg.prefix : reg.location);

/**
 * mirrorsAdjustedForNestedScope: the mirrors of `mirroredScope`, rewritten so that they mean the same
 * when configured on `subScope`, which is nested inside it. For a wildcard `mirroredScope` MCO fails
 * ("internal error"); sysregistriesv2 rewrites a wildcard match onto the mirror with everything after
 * the host kept, so the same meaning is kept by appending the part of `subScope` after its host.
 */
function mirrorsAdjustedForNestedScope(
  mirroredScope: string,
  subScope: string,
  mirrors: Endpoint[],
): Endpoint[] {
  let adjustment: string;
  if (mirroredScope.startsWith("*.")) {
    const slash = subScope.indexOf("/");
    adjustment = subScope.startsWith("*.") || slash === -1 ? "" : subScope.slice(slash);
  } else {
    adjustment = subScope.slice(mirroredScope.length);
  }
  return mirrors.map((m) => ({ ...m, location: m.location + adjustment }));
}

export interface EditResult {
  /** Set when MCO's own code would have failed here (its message), for the compatibility report. */
  mcoWouldFail?: string;
}

/**
 * EditRegistriesConfig, in place: mirror sets (digest then tag), blocked entries, the insecure flag
 * on insecure scopes and everything nested inside them (mirrors too), the blocked flag likewise,
 * and the mirrors of a mirrored scope copied to nested entries that have none of their own.
 */
export function editRegistriesConfig(
  conf: RegistriesConf,
  insecureScopes: readonly string[],
  blockedScopes: readonly string[],
  digestSets: readonly MergedMirrorSet[],
  tagSets: readonly MergedMirrorSet[],
): EditResult {
  const result: EditResult = {};
  const entry = (scope: string): Registry => {
    const found = conf.registries.find((reg) => registryScope(reg) === scope);
    if (found) return found;
    const created = newRegistry(scope.startsWith("*.") ? { prefix: scope } : { location: scope });
    conf.registries.push(created);
    return created;
  };
  const addMirrors = (sets: readonly MergedMirrorSet[], pullFromMirror: string): void => {
    for (const set of sets) {
      const reg = entry(set.source);
      if (set.neverContactSource) reg.blocked = true;
      for (const location of set.mirrors) reg.mirrors.push({ location, insecure: false, pullFromMirror });
    }
  };
  addMirrors(digestSets, "digest-only");
  addMirrors(tagSets, "tag-only");
  // Blocked entries exist before the insecure pass, so that a blocked scope nested in an insecure
  // one gets both flags.
  for (const scope of blockedScopes) entry(scope);
  for (const insecureScope of insecureScopes) {
    entry(insecureScope).insecure = true;
    for (const reg of conf.registries) {
      if (scopeIsNestedInside(registryScope(reg), insecureScope)) reg.insecure = true;
      for (const mirror of reg.mirrors) {
        if (scopeIsNestedInside(mirror.location, insecureScope)) mirror.insecure = true;
      }
    }
  }
  for (const blockedScope of blockedScopes) {
    entry(blockedScope).blocked = true;
    for (const reg of conf.registries) {
      if (scopeIsNestedInside(registryScope(reg), blockedScope)) reg.blocked = true;
    }
  }
  for (const set of [...digestSets, ...tagSets]) {
    const mirrored = entry(set.source);
    const mirroredScope = registryScope(mirrored);
    for (const reg of conf.registries) {
      const scope = registryScope(reg);
      if (scope !== mirroredScope && scopeIsNestedInside(scope, mirroredScope) && reg.mirrors.length === 0) {
        if (mirroredScope.startsWith("*.")) {
          result.mcoWouldFail ??= `internal error: mirrorsAdjustedForNestedScope for a wildcard scope "${mirroredScope}"`;
        }
        reg.mirrors = mirrorsAdjustedForNestedScope(mirroredScope, scope, mirrored.mirrors);
      }
    }
  }
  return result;
}

export interface RenderedRegistriesConf {
  /** The file's bytes; undefined when MCO writes no registries.conf for this cluster. */
  text?: string;
  /** The edited model (before containers/image's post-processing), for the sigstore attachments. */
  conf?: RegistriesConf;
  warnings: string[];
}

export interface RegistriesConfInputs {
  /** Image config insecureRegistries; undefined when the field is not set (Go: nil). */
  insecure: readonly string[] | undefined;
  /** Blocked scopes for registries.conf (the payload's own registry may stay when mirrored). */
  blocked: readonly string[] | undefined;
  mirrors: ValidMirrorRules;
  /** The role template's registries.conf. */
  baseText: string;
}

/**
 * updateRegistriesConfig, under registriesConfigIgnition's condition: written when insecure or
 * blocked registries are set (even to an empty list) or any mirror object exists.
 */
export function renderRegistriesConf(
  inputs: RegistriesConfInputs,
  mirrorObjectCount: number,
): RenderedRegistriesConf {
  const warnings: string[] = [];
  if (inputs.insecure === undefined && inputs.blocked === undefined && mirrorObjectCount === 0)
    return { warnings };
  const conf = decodeRegistriesConf(inputs.baseText);
  const insecure = (inputs.insecure ?? []).filter((scope) => {
    if (isValidRegistriesConfScope(scope)) return true;
    warnings.push(`invalid entry for insecure registries "${scope}" ignored`);
    return false;
  });
  const edit = editRegistriesConfig(
    conf,
    insecure,
    inputs.blocked ?? [],
    mergedDigestMirrorSets(inputs.mirrors.digest, inputs.mirrors.contentSource),
    mergedTagMirrorSets(inputs.mirrors.tag),
  );
  if (edit.mcoWouldFail) {
    warnings.push(
      `MCO would refuse this cluster (${edit.mcoWouldFail}); the nested entries keep the wildcard's mirrors`,
    );
  }
  return { text: encodeRegistriesConf(conf), conf, warnings };
}

/** updateSearchRegistriesConfig: the drop-in, when containerRuntimeSearchRegistries is set at all. */
export function searchRegistriesDropIn(searchRegistries: readonly string[] | undefined): string | undefined {
  if (searchRegistries === undefined) return undefined;
  return encodeRegistriesConf({
    ...emptyRegistriesConf(),
    unqualifiedSearchRegistries: [...searchRegistries],
  });
}

/**
 * payloadRepoHasUnblockedMirror: whether the release reference, pulled through a registries.conf with
 * only the digest mirrors and the insecure and blocked registries, has a pull source no blocked
 * entry covers. By digest: tag-only mirrors never serve a release, and a release named by tag uses
 * no digest mirror either.
 */
export function payloadHasUnblockedMirror(
  payload: DockerReference,
  insecure: readonly string[],
  blocked: readonly string[],
  mirrors: ValidMirrorRules,
): boolean {
  const conf = emptyRegistriesConf();
  editRegistriesConfig(
    conf,
    insecure,
    blocked,
    mergedDigestMirrorSets(mirrors.digest, mirrors.contentSource),
    [],
  );
  try {
    const reg = findRegistry(postProcessRegistries(conf), repositoryName(payload));
    if (!reg) return false;
    return pullSourcesFromReference(reg, payload).some(
      (source) => !blocked.some((b) => scopeIsNestedInside(repositoryName(source.reference), b)),
    );
  } catch (error) {
    // MCO fails the whole sync here; not blocking the payload registry is the safe reading.
    if (error instanceof RegistriesConfError) return false;
    throw error;
  }
}
