// policy.json and the CRI-O namespace policies, as MCO builds them (helpers.go updatePolicyJSON and
// updateNamespacedPolicyJSONs), from the base policy, the registry rules and the collected scopes.
import type { Policy, PolicyRequirement, PolicyTransportScopes } from "../containers/policy.ts";
import { atomicScopeIsValid, parsePolicyJson } from "../containers/policy-parse.ts";
import { serializePolicyJson } from "../containers/policy-serialize.ts";
import type { RegistryRules } from "./registry-rules.ts";

export type ScopeRequirements = Map<string, PolicyRequirement[]>;

/** A scope naming a tag or digest (the corpus's check.py rule): a "@", or a ":" after the last "/". */
function namesTagOrDigest(scope: string): boolean {
  const last = scope.slice(scope.lastIndexOf("/") + 1);
  return scope.includes("@") || (scope.includes("/") && last.includes(":"));
}

/**
 * The scopes of one policy file that are also written under the `atomic` transport. MCO writes
 * every scope with fewer than three slashes there. When one of them is a scope the atomic transport
 * refuses (a tag or digest right after the namespace, e.g. "example.com/app:v1"), programs that
 * register that transport refuse the whole file: then no scope naming a tag or digest is written
 * under atomic in that file (nodes pull through `docker`; atomic is OpenShift's integrated-registry
 * transport). Deliberate difference from MCO, documented in docs/mco-compatibility.md.
 */
export function atomicScopesOf(scopes: Iterable<string>): Set<string> {
  const candidates = [...scopes].filter((scope) => (scope.match(/\//g)?.length ?? 0) < 3);
  const refusesSome = candidates.some((scope) => !atomicScopeIsValid(scope));
  return new Set(
    candidates.filter((scope) => atomicScopeIsValid(scope) && !(refusesSome && namesTagOrDigest(scope))),
  );
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
    const atomic = atomicScopesOf(Object.keys(transportScopes));
    transports.atomic = Object.fromEntries(
      Object.entries(transportScopes).filter(([scope]) => atomic.has(scope)),
    );
  }
  const policy: Policy = { default: defaultRequirements, transports };
  return { text: serializePolicyJson(policy), policy };
}

/** /etc/crio/policies/<namespace>.json: the cluster policy plus the namespace's own scopes. */
export function namespacePolicyJson(cluster: Policy, namespaceScopes: ScopeRequirements): string {
  const docker: Record<string, readonly PolicyRequirement[]> = { ...cluster.transports.docker };
  for (const [scope, requirements] of namespaceScopes) {
    docker[scope] = [...(docker[scope] ?? []), ...requirements];
  }
  // MCO appends to the cluster's atomic entries what it appends to docker: the same lists.
  const atomicScopes = atomicScopesOf(Object.keys(docker));
  const atomic = Object.fromEntries(Object.entries(docker).filter(([scope]) => atomicScopes.has(scope)));
  return serializePolicyJson({
    default: cluster.default,
    transports: { ...cluster.transports, docker, atomic },
  });
}

/**
 * What the namespace files add to the cluster policy, checked by containers/image's parser:
 * namespace → its message, for the files it would refuse. policy.json is parsed back whole; a
 * namespace file is that policy plus the namespace's entries, written by the same serializer, so
 * what is new in it is its scopes and their requirement lists. The scopes need no check: the docker
 * transport accepts every scope, and the atomic entries are chosen by atomicScopesOf with the
 * parser's own validator. Each distinct list is parsed once (namespaces share key material),
 * rather than every namespace's entries in full (which made this check a fifth of a render).
 */
export function namespaceEntriesProblems(
  namespaces: ReadonlyMap<string, ScopeRequirements>,
): Map<string, string> {
  const problems = new Map<string, string>();
  const listProblems = new Map<string, string | undefined>();
  for (const [namespace, scopes] of namespaces) {
    for (const requirements of scopes.values()) {
      // The list as a policy's default: the parser reads it as it reads any scope's list.
      const text = serializePolicyJson({ default: requirements, transports: {} });
      if (!listProblems.has(text)) {
        const parsed = parsePolicyJson(text);
        listProblems.set(text, parsed.ok ? undefined : parsed.message);
      }
      const problem = listProblems.get(text);
      if (problem !== undefined) {
        problems.set(namespace, problem);
        break;
      }
    }
  }
  return problems;
}
