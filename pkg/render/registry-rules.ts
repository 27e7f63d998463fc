// The Image config's allowed/blocked registries as MCO merges them into policy.json
// (machine-config-operator helpers.go getValidBlockedAndAllowedRegistries and
// validateImagePolicyWithAllowedBlockedRegistries).
import type { Image } from "../apis/config/v1/image.ts";
import { scopeIsNestedInside } from "../containers/scope.ts";
import { parseDockerReference, repositoryName, type DockerReference } from "../containers/reference.ts";

export interface RegistryRules {
  /** Registries that alone may be pulled from; undefined when not restricted. */
  allowed?: string[];
  /** Registries that may not be pulled from (policy.json); undefined when none. */
  blocked?: string[];
  /**
   * Registries blocked in registries.conf; undefined when none. The same as `blocked`, except that
   * the release payload's repository stays blocked here when its mirrors serve it.
   */
  registriesBlocked?: string[];
  /** Entries dropped, with the reason (logged and reported as render warnings). */
  warnings: string[];
}

/** registries.IsValidRegistriesConfScope (openshift/runtime-utils). */
export function isValidRegistriesConfScope(scope: string): boolean {
  if (scope === "") return false;
  if (!scope.includes("*")) return true;
  return scope.startsWith("*.") && !/[/@:*]/.test(scope.slice(2));
}

/**
 * Allowed and blocked registries from the Image config (getValidBlockedAndAllowedRegistries). A
 * blocked entry that covers the repository of the running release image is dropped (blocking it
 * would stop the cluster), unless a mirror that is not blocked itself serves the release reference
 * (`payloadHasUnblockedMirror`, asked only then): the entry then stays blocked in registries.conf,
 * and policy.json allows the payload repository explicitly.
 */
export function registryRules(
  image: Image | undefined,
  releaseImage: string | undefined,
  payloadHasUnblockedMirror: (payload: DockerReference) => boolean,
): RegistryRules {
  const sources = image?.spec?.registrySources;
  const warnings: string[] = [];
  const valid = (list: string[] | undefined, what: string): string[] | undefined => {
    if (!list || list.length === 0) return undefined;
    const kept = list.filter((entry) => {
      if (isValidRegistriesConfScope(entry)) return true;
      warnings.push(`invalid entry for ${what} registries "${entry}" ignored`);
      return false;
    });
    return kept.length > 0 ? kept : undefined;
  };
  const blockedEntries = valid(sources?.blockedRegistries, "blocked");
  let allowed: string[] | undefined;

  const payload = releaseImage ? parseDockerReference(releaseImage) : undefined;
  const payloadRef = payload?.ok ? payload.reference : undefined;
  const payloadRepo = payloadRef ? repositoryName(payloadRef) : undefined;
  const registriesBlocked: string[] = [];
  const policyBlocked: string[] = [];
  let mirrored: boolean | undefined;
  for (const entry of blockedEntries ?? []) {
    if (payloadRef && payloadRepo && scopeIsNestedInside(payloadRepo, entry)) {
      mirrored ??= payloadHasUnblockedMirror(payloadRef);
      if (!mirrored) {
        warnings.push(
          `error adding "${entry}" to blocked registries, cannot block the repository being used by the payload`,
        );
        continue;
      }
      registriesBlocked.push(entry);
      if (entry !== payloadRepo) policyBlocked.push(entry);
      allowed = [...(allowed ?? []), payloadRepo];
      continue;
    }
    registriesBlocked.push(entry);
    policyBlocked.push(entry);
  }
  const allowedEntries = valid(sources?.allowedRegistries, "allowed");
  if (allowedEntries) allowed = [...(allowed ?? []), ...allowedEntries];
  const rules: RegistryRules = { warnings };
  if (allowed) rules.allowed = [...new Set(allowed)];
  if (policyBlocked.length > 0) rules.blocked = policyBlocked;
  if (registriesBlocked.length > 0) rules.registriesBlocked = registriesBlocked;
  return rules;
}

/** Why a policy scope may not be used under these rules, or undefined. */
export function scopeRuleViolation(scope: string, rules: RegistryRules, kind: string): string | undefined {
  if (rules.allowed && !rules.allowed.some((a) => scopeIsNestedInside(scope, a))) {
    return `${kind} configured for the scope ${scope} is not nested inside allowedRegistries`;
  }
  if (rules.blocked?.some((b) => scopeIsNestedInside(scope, b))) {
    return `${kind} configured for the scope ${scope} is nested inside blockedRegistries`;
  }
  return undefined;
}
