// policy.json and the CRI-O namespace policies, as MCO builds them (helpers.go updatePolicyJSON and
// updateNamespacedPolicyJSONs), from the base policy, the registry rules and the collected scopes.
import type { Policy, PolicyRequirement, PolicyTransportScopes } from "../containers/policy.ts";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import { serializePolicyJson } from "../containers/policy-serialize.ts";
import { atomicScopeIsValid } from "../containers/policy-parse.ts";
import type { RegistryRules } from "./registry-rules.ts";

export type ScopeRequirements = Map<string, PolicyRequirement[]>;

/**
 * Whether a scope is also written under the `atomic` transport. MCO writes every scope with fewer
 * than three slashes there; we additionally skip scopes the atomic transport refuses (a tag or
 * digest right after the repository, e.g. "example.com/app:v1"), because programs that register
 * that transport would refuse the whole file. Deliberate difference from MCO, documented.
 */
export function writtenUnderAtomic(scope: string): boolean {
  return (scope.match(/\//g)?.length ?? 0) < 3 && atomicScopeIsValid(scope);
}

function parseBase(text: string): Policy {
  const parsed = parsePolicyJson(text);
  if (!parsed.ok) throw new Error(`the base policy.json is invalid: ${parsed.message}`);
  return parsed.policy;
}

/** The cluster-wide /etc/containers/policy.json text. */
export function clusterPolicyJson(
  baseText: string,
  rules: RegistryRules,
  clusterScopes: ScopeRequirements,
): string {
  // MCO returns the template untouched when there is nothing cluster-wide to add.
  if (!rules.allowed && !rules.blocked && clusterScopes.size === 0) return baseText;
  const base = parseBase(baseText);
  let defaultRequirements = base.default;
  const transportScopes: Record<string, PolicyRequirement[]> = {};
  if (rules.allowed) {
    defaultRequirements = [{ type: "reject" }];
    for (const registry of rules.allowed) {
      // A registry that is also a policy scope gets only the policy's requirements.
      if (!clusterScopes.has(registry)) transportScopes[registry] = [{ type: "insecureAcceptAnything" }];
    }
  }
  if (rules.blocked) {
    defaultRequirements = [{ type: "insecureAcceptAnything" }];
    for (const registry of rules.blocked) transportScopes[registry] = [{ type: "reject" }];
  }
  for (const [scope, requirements] of clusterScopes) {
    transportScopes[scope] = [...(transportScopes[scope] ?? []), ...requirements];
  }
  const transports: Record<string, PolicyTransportScopes> = { ...base.transports };
  if (Object.keys(transportScopes).length > 0) {
    transports.docker = transportScopes;
    transports.atomic = Object.fromEntries(
      Object.entries(transportScopes).filter(([scope]) => writtenUnderAtomic(scope)),
    );
  }
  return serializePolicyJson({ default: defaultRequirements, transports });
}

/** /etc/crio/policies/<namespace>.json: the cluster policy plus the namespace's own scopes. */
export function namespacePolicyJson(clusterText: string, namespaceScopes: ScopeRequirements): string {
  const cluster = parseBase(clusterText);
  const docker: Record<string, PolicyRequirement[]> = Object.fromEntries(
    Object.entries(cluster.transports.docker ?? {}).map(([k, v]) => [k, [...v]]),
  );
  const atomic: Record<string, PolicyRequirement[]> = Object.fromEntries(
    Object.entries(cluster.transports.atomic ?? {}).map(([k, v]) => [k, [...v]]),
  );
  for (const [scope, requirements] of namespaceScopes) {
    docker[scope] = [...(docker[scope] ?? []), ...requirements];
    if (writtenUnderAtomic(scope)) atomic[scope] = [...(atomic[scope] ?? []), ...requirements];
  }
  return serializePolicyJson({
    default: cluster.default,
    transports: { ...cluster.transports, docker, atomic },
  });
}
