// Policy scopes: which policy.json / registries.d section applies to an image, exactly as
// containers/image looks it up, and the scope nesting rule OpenShift uses to detect conflicts
// (openshift/runtime-utils pkg/registries).

import type { Policy, PolicyRequirement } from "./policy.ts";
import { isNameOnly, referenceString, repositoryName, type DockerReference } from "./reference.ts";

/**
 * runtime-utils ScopeIsNestedInsideScope: true when subScope equals superScope, is a namespace or
 * repository below it ("example.com/ns" ⊂ "example.com"), or, for a "*.domain" superScope, when the
 * host of subScope ends in ".domain". The host test only looks before the first ":" when subScope has
 * one, and then fails if that part contains a "/": so "a.example.com/repo:tag" is *not* inside
 * "*.example.com", while "a.example.com/repo" is. Kept as upstream wrote it.
 */
export function scopeIsNestedInside(subScope: string, superScope: string): boolean {
  if (superScope === subScope) return true;
  if (
    subScope.length > superScope.length &&
    subScope.startsWith(superScope) &&
    subScope[superScope.length] === "/"
  ) {
    return true;
  }
  if (!superScope.startsWith("*.")) return false;
  const domainSuffix = superScope.slice(1);
  if (subScope.includes(":")) {
    const beforeColon = subScope.split(":")[0] ?? "";
    return beforeColon.endsWith(domainSuffix) && !beforeColon.includes("/");
  }
  return (subScope.split("/")[0] ?? "").endsWith(domainSuffix);
}

export type PolicyScopesResult = { ok: true; scopes: string[] } | { ok: false; message: string };

/**
 * The scopes containers/image tries, most specific first, for an image pulled through the docker
 * transport: the full reference (tag or digest), the repository, each parent namespace, the
 * host[:port], then "*.parent" wildcards of the host without its port. A name-only reference gets
 * ":latest", as docker.ParseReference does. A reference with both a tag and a digest is refused,
 * as the docker transport refuses it.
 */
export function policyScopesForDockerReference(ref: DockerReference): PolicyScopesResult {
  if (ref.tag !== undefined && ref.digest !== undefined) {
    return { ok: false, message: "Docker references with both a tag and digest are currently not supported" };
  }
  const withTag = isNameOnly(ref) ? { ...ref, tag: "latest" } : ref;
  return { ok: true, scopes: [referenceString(withTag), ...dockerReferenceNamespaces(withTag)] };
}

/** policyconfiguration.DockerReferenceNamespaces: parents of the repository, then "*." domains. */
export function dockerReferenceNamespaces(ref: DockerReference): string[] {
  const namespaces: string[] = [];
  let name = repositoryName(ref);
  for (;;) {
    namespaces.push(name);
    const lastSlash = name.lastIndexOf("/");
    if (lastSlash === -1) break;
    name = name.slice(0, lastSlash);
  }
  const portColon = name.indexOf(":");
  if (portColon !== -1) name = name.slice(0, portColon);
  for (;;) {
    const firstDot = name.indexOf(".");
    if (firstDot === -1) break;
    name = name.slice(firstDot + 1);
    namespaces.push(`*.${name}`);
  }
  return namespaces;
}

/** Where a requirement list came from: a transport's scope, or the policy's default. */
export type PolicySection = { transport: string; scope: string } | "default";

export type RequirementsForImageResult =
  | { ok: true; requirements: readonly PolicyRequirement[]; section: PolicySection }
  | { ok: false; message: string };

/**
 * PolicyContext.requirementsForImageRef: the first scope of the transport that exists in the policy
 * wins, then the transport's "" scope, then the global default. Nothing is merged. The atomic
 * transport names images with docker references too and looks them up the same way.
 */
export function requirementsForImage(
  policy: Policy,
  transport: "docker" | "atomic",
  ref: DockerReference,
): RequirementsForImageResult {
  const candidates = policyScopesForDockerReference(ref);
  if (!candidates.ok) return candidates;
  const scopes = Object.hasOwn(policy.transports, transport) ? policy.transports[transport] : undefined;
  if (scopes) {
    for (const scope of [...candidates.scopes, ""]) {
      const requirements = Object.hasOwn(scopes, scope) ? scopes[scope] : undefined;
      if (requirements) return { ok: true, requirements, section: { transport, scope } };
    }
  }
  return { ok: true, requirements: policy.default, section: "default" };
}

/**
 * MCO writes a scope under the "atomic" transport only when it has fewer than three "/"
 * (helpers.go: strings.Count(reg, "/") >= 3 are skipped), since atomic names are at most
 * host/namespace/stream.
 */
export function scopeIsWrittenUnderAtomic(scope: string): boolean {
  return scope.split("/").length - 1 < 3;
}
