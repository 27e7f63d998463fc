// metav1.Condition helpers, with the semantics of k8s.io/apimachinery/pkg/api/meta
// (SetStatusCondition and friends):
//  - lastTransitionTime moves only when a condition's status changes, so it answers "since when";
//  - reason, message and observedGeneration are updated in place;
//  - the list keeps its order (a new type is appended), so an unchanged status is written as the
//    same bytes and a server-side apply of it is a no-op.
// Functions return new arrays and never mutate their input. Our CRDs cap conditions at 8
// (`maxItems: 8`); setCondition refuses a 9th type rather than have the API server reject the
// whole status write later.
import type { Condition } from "../apis/meta.ts";
import { formatTime } from "./clock.ts";

/** `maxItems` of status.conditions in the project's CRDs. */
export const MAX_CONDITIONS = 8;

export type ConditionStatus = Condition["status"];

/** What a controller decides; lastTransitionTime is derived. */
export interface ConditionInput {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
  observedGeneration?: number;
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

export function isConditionTrue(conditions: readonly Condition[] | undefined, type: string): boolean {
  return findCondition(conditions, type)?.status === "True";
}

/**
 * `conditions` with `input` set. `now` (a Date or epoch milliseconds) becomes lastTransitionTime when
 * the type is new or its status changes; otherwise the existing lastTransitionTime is kept.
 * Throws a RangeError when a new type would exceed `maxItems` (default MAX_CONDITIONS).
 */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  input: ConditionInput,
  now: Date | number,
  maxItems = MAX_CONDITIONS,
): Condition[] {
  const list = [...(conditions ?? [])];
  const index = list.findIndex((c) => c.type === input.type);
  const existing = index >= 0 ? list[index] : undefined;
  const lastTransitionTime =
    existing && existing.status === input.status
      ? existing.lastTransitionTime
      : formatTime(typeof now === "number" ? now : now.getTime());
  const next: Condition = {
    type: input.type,
    status: input.status,
    reason: input.reason,
    message: input.message,
    lastTransitionTime,
  };
  if (input.observedGeneration !== undefined) next.observedGeneration = input.observedGeneration;
  if (index >= 0) {
    list[index] = next;
  } else {
    if (list.length >= maxItems) {
      throw new RangeError(
        `cannot add condition ${input.type}: status.conditions holds at most ${maxItems} ` +
          `(${list.map((c) => c.type).join(", ")})`,
      );
    }
    list.push(next);
  }
  return list;
}

/** `conditions` without `type` (the same contents when it is absent). */
export function removeCondition(conditions: readonly Condition[] | undefined, type: string): Condition[] {
  return (conditions ?? []).filter((c) => c.type !== type);
}

/**
 * Whether two condition lists say the same thing: the same types (in any order) with the same
 * status, reason, message and observedGeneration. lastTransitionTime is ignored: with equal
 * statuses it carries no new information, and setCondition keeps it anyway.
 */
export function conditionsEqual(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const left = a ?? [];
  const right = b ?? [];
  if (left.length !== right.length) return false;
  const sameAs = (other: readonly Condition[]) => (x: Condition) => {
    const y = findCondition(other, x.type);
    return (
      y !== undefined &&
      y.status === x.status &&
      y.reason === x.reason &&
      y.message === x.message &&
      y.observedGeneration === x.observedGeneration
    );
  };
  return left.every(sameAs(right)) && right.every(sameAs(left));
}
