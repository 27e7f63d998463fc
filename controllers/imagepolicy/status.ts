// The status conditions a policy should carry after a render, in metav1.Condition shape.
// `Applied` (its scopes are in the generated MachineConfigs) and `Enforced` (pkg/rollout: CRI-O on
// every node runs them) on every policy kind; on ImagePolicy also upstream's `Pending` condition for
// conflicts (type Pending, status "False", reason ConflictScopes — exactly what the Machine Config
// Operator writes), which this controller also removes once the conflict is gone (MCO never does).
import type { Condition } from "../../pkg/apis/meta.ts";
import type { PolicyOutcome } from "../../pkg/render/outcome.ts";
import type { EnforcedCondition } from "../../pkg/rollout/enforced.ts";

export const CONDITION_APPLIED = "Applied";
export const CONDITION_PENDING = "Pending";

/** The conditions this controller owns for a policy, given its render outcome. */
export function ownedConditions(outcome: PolicyOutcome): Omit<Condition, "lastTransitionTime">[] {
  const observed = outcome.generation !== undefined ? { observedGeneration: outcome.generation } : {};
  const applied: Omit<Condition, "lastTransitionTime"> = {
    type: CONDITION_APPLIED,
    status: outcome.state === "Applied" ? "True" : "False",
    reason: outcome.reason,
    message: appliedMessage(outcome),
    ...observed,
  };
  const conditions = [applied];
  if (outcome.kind === "ImagePolicy" && outcome.state === "ConflictScopes") {
    conditions.push({
      type: CONDITION_PENDING,
      status: "False",
      reason: "ConflictScopes",
      message: outcome.message,
      ...observed,
    });
  }
  return conditions;
}

function appliedMessage(outcome: PolicyOutcome): string {
  switch (outcome.state) {
    case "Applied":
      return `all ${outcome.appliedScopes.length} scope(s) are in the generated MachineConfigs (Enforced tells when every node runs them)${noteOf(outcome)}`;
    case "ConflictScopes":
      return outcome.appliedScopes.length > 0
        ? `${outcome.appliedScopes.length} scope(s) are in the generated MachineConfigs; ${outcome.message}${noteOf(outcome)}`
        : `no scope is applied: ${outcome.message}`;
    default:
      return outcome.message;
  }
}

/**
 * The full condition list after applying the owned conditions to the current ones: conditions of
 * other types are kept, lastTransitionTime changes only when a condition's status changes, and the
 * owned types no longer wanted (Pending after a conflict is resolved) are removed. Returns
 * undefined when nothing would change, so unchanged policies are never written.
 */
export function nextConditions(
  current: readonly Condition[] | undefined,
  owned: Omit<Condition, "lastTransitionTime">[],
  ownedTypes: readonly string[],
  now: string,
): Condition[] | undefined {
  const before = current ?? [];
  const wanted = new Map(owned.map((c) => [c.type, c]));
  const next: Condition[] = [];
  for (const existing of before) {
    const want = wanted.get(existing.type);
    if (want) {
      next.push({
        ...want,
        lastTransitionTime: want.status === existing.status ? existing.lastTransitionTime : now,
      });
      wanted.delete(existing.type);
    } else if (!ownedTypes.includes(existing.type)) {
      next.push(existing);
    }
  }
  for (const want of wanted.values()) next.push({ ...want, lastTransitionTime: now });
  return sameConditions(before, next) ? undefined : next;
}

function sameConditions(a: readonly Condition[], b: readonly Condition[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((c, i) => {
    const d = b[i];
    return (
      d !== undefined &&
      c.type === d.type &&
      c.status === d.status &&
      c.reason === d.reason &&
      c.message === d.message &&
      c.observedGeneration === d.observedGeneration &&
      c.lastTransitionTime === d.lastTransitionTime
    );
  });
}

/** The outcome's notes, as a suffix of a condition message. */
function noteOf(outcome: PolicyOutcome): string {
  return (outcome.notes ?? []).map((note) => `; ${note}`).join("");
}

/** Why a refused render reaches no node, for the Applied condition and the Event alike. */
export function refusedMessage(refused: readonly string[]): string {
  return `the node files cannot be delivered, nodes keep the last good configuration: ${refused.join("; ")}`;
}

/**
 * The owned conditions when the render cannot be delivered (too large, or any render error): Applied
 * False with reason RenderRefused, whatever the policy's own outcome; Enforced as the pools say.
 */
export function refusedConditions(
  outcome: PolicyOutcome,
  refused: readonly string[],
  enforced: EnforcedCondition,
): Omit<Condition, "lastTransitionTime">[] {
  const observed = outcome.generation !== undefined ? { observedGeneration: outcome.generation } : {};
  return [
    {
      type: CONDITION_APPLIED,
      status: "False",
      reason: "RenderRefused",
      message: refusedMessage(refused),
      ...observed,
    },
    enforced,
  ];
}

/** An Event when a policy becomes enforced on every node, or its rollout stalls on a degraded pool. */
export function enforcedEvent(
  previous: readonly Condition[] | undefined,
  enforced: EnforcedCondition,
): { type: "Normal" | "Warning"; reason: string; message: string } | undefined {
  const before = previous?.find((c) => c.type === enforced.type);
  if (before?.reason === enforced.reason) return undefined;
  if (enforced.reason === "Enforced")
    return { type: "Normal", reason: "Enforced", message: enforced.message };
  if (enforced.reason === "PoolDegraded")
    return { type: "Warning", reason: "PoolDegraded", message: enforced.message };
  return undefined;
}

/** An Event worth recording for this transition, if any. */
export function transitionEvent(
  previous: readonly Condition[] | undefined,
  outcome: PolicyOutcome,
): { type: "Normal" | "Warning"; reason: string; message: string } | undefined {
  const before = previous?.find((c) => c.type === CONDITION_APPLIED);
  const sameAsBefore =
    before && before.reason === outcome.reason && before.message === appliedMessage(outcome);
  if (sameAsBefore) return undefined;
  if (outcome.state === "Applied") {
    return before ? { type: "Normal", reason: "Applied", message: appliedMessage(outcome) } : undefined;
  }
  if (outcome.state === "Ignored")
    return { type: "Normal", reason: outcome.reason, message: outcome.message };
  return { type: "Warning", reason: outcome.reason, message: outcome.message };
}
