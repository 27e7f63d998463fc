// What happened to each policy in a render. The controller turns these into status conditions and
// events; the CLI prints them.

import type { PolicyRequirement } from "../containers/policy.ts";

export type PolicyKind = "ClusterImagePolicy" | "ImagePolicy" | "ClusterSimpleSigningPolicy";

export type OutcomeState =
  /** Every scope is in the node files. */
  | "Applied"
  /** Some or all scopes were left out because a cluster-wide policy already governs them. */
  | "ConflictScopes"
  /** Left out entirely; `message` says why. */
  | "Invalid"
  /** Not rendered because the SigstoreImageVerification feature gate is off (as upstream). */
  | "Ignored";

export interface PolicyOutcome {
  kind: PolicyKind;
  name: string;
  namespace?: string;
  /** metadata.generation of the object the outcome is about (for observedGeneration). */
  generation?: number;
  state: OutcomeState;
  /** A CamelCase reason for conditions and events. */
  reason: string;
  message: string;
  /** Scopes that made it into the node files. */
  appliedScopes: string[];
  /** For ConflictScopes: the scopes that were left out. */
  conflictingScopes?: string[];
  /**
   * For Applied and ConflictScopes: the requirement written for every applied scope, which the
   * rollout looks for in the pools' rendered configurations (pkg/rollout).
   */
  requirement?: PolicyRequirement;
  /** What a user should know about applied scopes (e.g. mirrors left without sigstore attachments). */
  notes?: string[];
}

export function outcomeLabel(o: PolicyOutcome): string {
  return o.namespace ? `${o.kind} ${o.namespace}/${o.name}` : `${o.kind} ${o.name}`;
}

/**
 * MCO's message for an ImagePolicy with conflicting scopes (helpers.go, with Go's %q of a []string:
 * ["a" "b"]), kept verbatim so tooling that greps for it keeps working.
 */
export function conflictScopesMessage(scopes: string[]): string {
  const quoted = `[${scopes.map((s) => JSON.stringify(s)).join(" ")}]`;
  return `has conflicting scope(s) ${quoted} that equal to or nest inside existing clusterimagepolicy, only policy from clusterimagepolicy scope(s) will be applied`;
}
