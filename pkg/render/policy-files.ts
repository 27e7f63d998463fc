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

export interface ClusterPolicy {
  /** The bytes of /etc/containers/policy.json. */
  text: string;
  /** The same policy as a model, for building the namespace files without parsing it again. */
  policy: Policy;
}

/** The cluster-wide /etc/containers/policy.json. */
export function clusterPolicy(
  baseText: string,
  rules: RegistryRules,
  clusterScopes: ScopeRequirements,
): ClusterPolicy {
  const base = parseBase(baseText);
  // MCO returns the template untouched when there is nothing cluster-wide to add.
  if (!rules.allowed && !rules.blocked && clusterScopes.size === 0) return { text: baseText, policy: base };
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
  const policy: Policy = { default: defaultRequirements, transports };
  return { text: serializePolicyJson(policy), policy };
}

/** /etc/crio/policies/<namespace>.json: the cluster policy plus the namespace's own scopes. */
export function namespacePolicyJson(cluster: Policy, namespaceScopes: ScopeRequirements): string {
  const docker: Record<string, readonly PolicyRequirement[]> = { ...cluster.transports.docker };
  const atomic: Record<string, readonly PolicyRequirement[]> = { ...cluster.transports.atomic };
  for (const [scope, requirements] of namespaceScopes) {
    docker[scope] = [...(docker[scope] ?? []), ...requirements];
    if (writtenUnderAtomic(scope)) atomic[scope] = [...(atomic[scope] ?? []), ...requirements];
  }
  return serializePolicyJson({
    default: cluster.default,
    transports: { ...cluster.transports, docker, atomic },
  });
}
