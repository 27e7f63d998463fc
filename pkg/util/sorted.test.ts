import { describe, expect, it } from "@jest/globals";
import { compareStrings } from "./sorted.ts";

describe("compareStrings", () => {
  it("orders by code unit, not locale", () => {
    expect(["b", "B", "a"].sort(compareStrings)).toEqual(["B", "a", "b"]);
  });
});
