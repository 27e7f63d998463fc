// The Image config's allowed/blocked registries as MCO merges them into policy.json
// (machine-config-operator helpers.go getValidBlockedAndAllowedRegistries and
// validateImagePolicyWithAllowedBlockedRegistries).
import type { Image } from "../apis/config/v1/image.ts";
import { scopeIsNestedInside } from "../containers/scope.ts";
import { parseDockerReference, repositoryName } from "../containers/reference.ts";

export interface RegistryRules {
  /** Registries that alone may be pulled from; undefined when not restricted. */
  allowed?: string[];
  /** Registries that may not be pulled from; undefined when none. */
  blocked?: string[];
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
 * Allowed and blocked registries from the Image config. A blocked entry that covers the repository
 * of the running release image is dropped (blocking it would stop the cluster), unless that
 * repository has a mirror, in which case the repository itself is allowed explicitly.
 */
export function registryRules(
  image: Image | undefined,
  releaseImage: string | undefined,
  mirroredSources: string[],
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
  let blocked = valid(sources?.blockedRegistries, "blocked");
  let allowed = valid(sources?.allowedRegistries, "allowed");

  const payload = releaseImage ? parseDockerReference(releaseImage) : undefined;
  const payloadRepo = payload?.ok ? repositoryName(payload.reference) : undefined;
  if (blocked && payloadRepo) {
    const payloadMirrored = mirroredSources.some((s) => scopeIsNestedInside(payloadRepo, s));
    blocked = blocked.filter((entry) => {
      if (!scopeIsNestedInside(payloadRepo, entry)) return true;
      if (payloadMirrored) {
        allowed = [...(allowed ?? []), payloadRepo];
        return entry !== payloadRepo;
      }
      warnings.push(
        `error adding "${entry}" to blocked registries, cannot block the repository being used by the payload`,
      );
      return false;
    });
    if (blocked.length === 0) blocked = undefined;
  }
  const rules: RegistryRules = { warnings };
  if (allowed) rules.allowed = [...new Set(allowed)];
  if (blocked) rules.blocked = blocked;
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
