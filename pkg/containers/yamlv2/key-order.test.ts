import { describe, expect, it } from "@jest/globals";
import { sortYamlV2Keys, yamlV2KeyLess } from "./key-order.ts";

describe("sortYamlV2Keys (yaml.v2 keyList.Less)", () => {
  // These keys are totally ordered by Less, so Go's output is the same whatever the map order.
  it("sorts like yaml.v2 does (order taken from Go's output)", () => {
    const goOrder = [
      "*.example.com",
      "-x",
      "[::1]:5000",
      "_x",
      "9.9.9.9",
      "10.0.0.1:5000",
      "B",
      "Quay.io",
      "a",
      "a1",
      "a01b",
      "a2",
      "quay.io",
      "quay.io/ns",
      "quay.io/ns/repo",
      "quay.io:443",
      "registry1.example.com",
      "registry01.example.com",
      "registry2.example.com",
      "registry10.example.com",
      "test2.com",
      "test10.com",
      "test100.com",
      "x0",
      "x00",
      "x000a",
      "z",
      "ä",
    ];
    expect(sortYamlV2Keys([...goOrder].reverse())).toEqual(goOrder);
    expect(sortYamlV2Keys([...goOrder].sort())).toEqual(goOrder);
  });

  it("compares digit runs as numbers, and sorts non-letters before letters", () => {
    expect(yamlV2KeyLess("test2.com", "test10.com")).toBe(true);
    expect(yamlV2KeyLess("test10.com", "test2.com")).toBe(false);
    expect(yamlV2KeyLess("a.b", "ab")).toBe(true);
    expect(yamlV2KeyLess("ab", "a.b")).toBe(false);
    expect(yamlV2KeyLess("abc", "abcd")).toBe(true);
  });

  it.each([
    ["a10b", "a1c", "a01"],
    ["9.9.9.9", "10.0.0.1:5000", "1a"],
  ])("is deterministic where Less is not transitive (%s < %s < %s < the first)", (x, y, z) => {
    // Go's result then depends on map iteration order; ours does not.
    expect(yamlV2KeyLess(x, y) && yamlV2KeyLess(y, z) && yamlV2KeyLess(z, x)).toBe(true);
    expect(sortYamlV2Keys([x, y, z])).toEqual(sortYamlV2Keys([z, y, x]));
    expect(sortYamlV2Keys([x, y, z])).toEqual(sortYamlV2Keys([y, z, x]));
  });

  it("wraps digit runs that overflow an int64, as Go does", () => {
    // 9223372036854775808 wraps to a negative number and sorts before 1.
    expect(yamlV2KeyLess("x9223372036854775808", "x1")).toBe(true);
  });
});
