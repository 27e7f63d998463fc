import { describe, expect, it } from "@jest/globals";
import type { Condition } from "../apis/meta.ts";
import {
  conditionsEqual,
  findCondition,
  isConditionTrue,
  MAX_CONDITIONS,
  removeCondition,
  setCondition,
} from "./conditions.ts";

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0, 123);
const T1 = Date.UTC(2026, 0, 1, 11, 0, 0);

const applied = { type: "Applied", status: "True", reason: "Rendered", message: "ok" } as const;

describe("setCondition", () => {
  it("adds a new type with lastTransitionTime = now, in seconds", () => {
    const conditions = setCondition(undefined, { ...applied, observedGeneration: 3 }, T0);
    expect(conditions).toEqual([
      {
        type: "Applied",
        status: "True",
        reason: "Rendered",
        message: "ok",
        observedGeneration: 3,
        lastTransitionTime: "2026-01-01T10:00:00Z",
      },
    ]);
  });

  it("keeps lastTransitionTime when the status stays, and updates the rest", () => {
    const before = setCondition([], applied, T0);
    const after = setCondition(
      before,
      { ...applied, reason: "Rerendered", message: "again", observedGeneration: 4 },
      T1,
    );
    expect(after[0]).toMatchObject({ reason: "Rerendered", message: "again", observedGeneration: 4 });
    expect(after[0]?.lastTransitionTime).toBe("2026-01-01T10:00:00Z");
  });

  it("moves lastTransitionTime when the status changes", () => {
    const before = setCondition([], applied, T0);
    const after = setCondition(before, { ...applied, status: "False", reason: "Conflict" }, new Date(T1));
    expect(after[0]?.lastTransitionTime).toBe("2026-01-01T11:00:00Z");
  });

  it("keeps the list order and does not mutate its input", () => {
    let conditions = setCondition([], { ...applied, type: "A" }, T0);
    conditions = setCondition(conditions, { ...applied, type: "B" }, T0);
    conditions = setCondition(conditions, { ...applied, type: "C" }, T0);
    const frozen = Object.freeze(conditions.map((c) => Object.freeze({ ...c })));
    const updated = setCondition(frozen, { ...applied, type: "B", status: "False" }, T1);
    expect(updated.map((c) => c.type)).toEqual(["A", "B", "C"]);
    expect(frozen[1]?.status).toBe("True");
  });

  it("refuses a type beyond maxItems", () => {
    let conditions: Condition[] = [];
    for (let i = 0; i < MAX_CONDITIONS; i++)
      conditions = setCondition(conditions, { ...applied, type: `T${i}` }, T0);
    expect(() => setCondition(conditions, { ...applied, type: "Ninth" }, T0)).toThrow(RangeError);
    // Updating an existing type at the limit is fine.
    expect(setCondition(conditions, { ...applied, type: "T0", status: "False" }, T1)).toHaveLength(
      MAX_CONDITIONS,
    );
  });
});

describe("removeCondition, findCondition, isConditionTrue", () => {
  it("removes only the given type", () => {
    let conditions = setCondition([], { ...applied, type: "A" }, T0);
    conditions = setCondition(conditions, { ...applied, type: "B", status: "False" }, T0);
    expect(removeCondition(conditions, "A").map((c) => c.type)).toEqual(["B"]);
    expect(removeCondition(conditions, "Z")).toEqual(conditions);
    expect(removeCondition(undefined, "A")).toEqual([]);
    expect(findCondition(conditions, "B")?.status).toBe("False");
    expect(isConditionTrue(conditions, "A")).toBe(true);
    expect(isConditionTrue(conditions, "B")).toBe(false);
    expect(isConditionTrue(conditions, "Z")).toBe(false);
  });
});

describe("conditionsEqual", () => {
  const a = setCondition(setCondition([], { ...applied, type: "A" }, T0), { ...applied, type: "B" }, T0);

  it("ignores lastTransitionTime and order", () => {
    const b = [...a].reverse().map((c) => ({ ...c, lastTransitionTime: "2030-01-01T00:00:00Z" }));
    expect(conditionsEqual(a, b)).toBe(true);
    expect(conditionsEqual(undefined, [])).toBe(true);
  });

  it("sees changes of status, reason, message, observedGeneration and the set of types", () => {
    const changed = (patch: Partial<Condition>) => [{ ...a[0]!, ...patch }, a[1]!];
    expect(conditionsEqual(a, changed({ status: "False" }))).toBe(false);
    expect(conditionsEqual(a, changed({ reason: "Other" }))).toBe(false);
    expect(conditionsEqual(a, changed({ message: "other" }))).toBe(false);
    expect(conditionsEqual(a, changed({ observedGeneration: 2 }))).toBe(false);
    expect(conditionsEqual(a, [a[0]!])).toBe(false);
    expect(conditionsEqual(a, [a[0]!, a[0]!])).toBe(false);
  });
});
