import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { goJsonString } from "./json-encode.ts";

// Expected strings are Go's json.Marshal output (HTML escaping on).
describe("goJsonString", () => {
  it.each([
    ["plain", '"plain"'],
    ["<a & b>", '"\\u003ca \\u0026 b\\u003e"'],
    ['"\\', '"\\"\\\\"'],
    ["\b\f\n\r\t", '"\\b\\f\\n\\r\\t"'],
    ["\u0000\u0001\u001f", '"\\u0000\\u0001\\u001f"'],
    ["\u007f\u0085\u00a0", '"\u007f\u0085\u00a0"'],
    ["\u2028\u2029", '"\\u2028\\u2029"'],
    ["é😀", '"é😀"'],
    ["a\ud800b\udc00", '"a\\ufffdb\\ufffd"'],
    ["/", '"/"'],
  ])("%j → %s", (input, json) => {
    expect(goJsonString(input)).toBe(json);
  });

  it("writes what JSON.stringify writes, with Go's HTML and line-separator escapes", () => {
    const goEscapes = (json: string): string =>
      json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme-ascii" }), fc.string({ unit: "grapheme" }), (ascii, any) => {
        expect(goJsonString(ascii)).toBe(goEscapes(JSON.stringify(ascii)));
        expect(goJsonString(any)).toBe(goEscapes(JSON.stringify(any)));
      }),
    );
  });

  it("is valid JSON that reads back as the same text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), (s) => {
        expect(JSON.parse(goJsonString(s))).toBe(s);
      }),
    );
  });
});
