import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { compareCodePoints } from "./utf8.ts";

// Go compares strings by their UTF-8 bytes; a lone surrogate stands for bytes that are not UTF-8,
// which Go's conversions (and Buffer.from) write as U+FFFD.
const goCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

describe("compareCodePoints", () => {
  it.each([
    ["a", "b", -1],
    ["ab", "a", 1],
    ["", "", 0],
    ["\uffff", "😀", -1], // U+FFFF sorts before a supplementary character, unlike its UTF-16 units
    ["\ue000", "\ud83d\ude00", -1],
    ["😀", "😁", -1],
    ["a\ud800", "a\ufffd", 0], // a lone surrogate is U+FFFD
    ["\ud800", "\ud83d\ude00", -1],
  ])("%j vs %j → %i", (a, b, order) => {
    expect(compareCodePoints(a, b)).toBe(order);
    expect(compareCodePoints(b, a)).toBe(-order || 0);
  });

  it("orders any strings, lone surrogates included, as Go orders their bytes", () => {
    const unit = fc.constantFrom(
      "a",
      "b",
      "\u00e9",
      "\ud7ff",
      "\ud800",
      "\udbff",
      "\udc00",
      "\udfff",
      "\ue000",
      "\uffff",
    );
    const text = fc.array(unit, { maxLength: 6 }).map((units) => units.join(""));
    fc.assert(
      fc.property(text, text, (a, b) => {
        expect(compareCodePoints(a, b)).toBe(goCompare(a, b));
      }),
      { numRuns: 2000 },
    );
  });
});
