import { describe, expect, it } from "@jest/globals";
import { goFormatFloat, goQuote } from "./strconv.ts";

describe("goQuote (strconv.Quote)", () => {
  it.each([
    ["abc", '"abc"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ["\u0007\b\f\n\r\t\v", '"\\a\\b\\f\\n\\r\\t\\v"'],
    ["\u0001\u007f", '"\\x01\\x7f"'],
    ["\u00a0\u2028\ufeff\u00ad", '"\\u00a0\\u2028\\ufeff\\u00ad"'],
    ["é\u0301😀", '"é\u0301😀"'],
    ["\u{e0001}", '"\\U000e0001"'],
    ["\ud800", '"\ufffd"'],
  ])("%j → %s", (input, quoted) => {
    expect(goQuote(input)).toBe(quoted);
  });
});

describe("goFormatFloat (fmt %v of a float64)", () => {
  it.each([
    [0, "0"],
    [-0, "-0"],
    [5, "5"],
    [100000, "100000"],
    [123456, "123456"],
    [1000000, "1e+06"],
    [12345678, "1.2345678e+07"],
    [1e20, "1e+20"],
    [1e21, "1e+21"],
    [0.0001, "0.0001"],
    [0.00012345, "0.00012345"],
    [0.00001, "1e-05"],
    [1.5e-7, "1.5e-07"],
    [5e-324, "5e-324"],
    [1.7976931348623157e308, "1.7976931348623157e+308"],
    [-2.5, "-2.5"],
  ])("%d → %s", (x, text) => {
    expect(goFormatFloat(x)).toBe(text);
  });
});
