import { describe, expect, it } from "@jest/globals";
import { parseGoJson } from "./json-parse.ts";

describe("parseGoJson", () => {
  it("keeps every member of an object, duplicates included, in order", () => {
    expect(parseGoJson('{"a":1,"b":[true,null],"a":"x"}')).toEqual({
      ok: true,
      value: {
        kind: "object",
        members: [
          { key: "a", value: { kind: "number", text: "1" } },
          {
            key: "b",
            value: {
              kind: "array",
              items: [{ kind: "bool", value: true }, { kind: "null" }],
            },
          },
          { key: "a", value: { kind: "string", value: "x" } },
        ],
      },
    });
  });

  it("reads nested empty containers and numbers in every form", () => {
    const result = parseGoJson(" [ {}, [], -0.5e+10, 0, 12E3 ] ");
    expect(result).toEqual({
      ok: true,
      value: {
        kind: "array",
        items: [
          { kind: "object", members: [] },
          { kind: "array", items: [] },
          { kind: "number", text: "-0.5e+10" },
          { kind: "number", text: "0" },
          { kind: "number", text: "12E3" },
        ],
      },
    });
  });

  it("unquotes like Go: escapes, surrogate pairs, and U+FFFD for what is not UTF-8", () => {
    const bytes = Uint8Array.from([0x22, 0x61, 0xff, 0x62, 0xed, 0xa0, 0x80, 0x22]);
    expect(parseGoJson(bytes)).toEqual({
      ok: true,
      value: { kind: "string", value: "a\ufffdb\ufffd\ufffd\ufffd" },
    });
    // A truncated sequence is one U+FFFD per byte in Go, where a WHATWG decoder writes one in all.
    expect(parseGoJson(Uint8Array.from([0x22, 0x78, 0xe2, 0x82, 0x62, 0x22]))).toEqual({
      ok: true,
      value: { kind: "string", value: "x\ufffd\ufffdb" },
    });
    expect(parseGoJson('"\\ud83d\\ude00\\udc00\\ud800\\n\\/"')).toEqual({
      ok: true,
      value: { kind: "string", value: "😀\ufffd\ufffd\n/" },
    });
  });

  // Messages and offsets are those of Go's json.Unmarshal (a *json.SyntaxError).
  it.each([
    ["", "unexpected end of JSON input", 0],
    ["   ", "unexpected end of JSON input", 3],
    ["{", "unexpected end of JSON input", 1],
    ['"abc', "unexpected end of JSON input", 4],
    ["nul", "invalid character ' ' in literal null (expecting 'l')", 3],
    ["-", "invalid character ' ' in numeric literal", 1],
    ["1.", "invalid character ' ' after decimal point in numeric literal", 2],
    ["1e", "invalid character ' ' in exponent of numeric literal", 2],
    ["01", "invalid character '1' after top-level value", 2],
    ["{} {}", "invalid character '{' after top-level value", 4],
    ['{"a":1,}', "invalid character '}' looking for beginning of object key string", 8],
    ["[1,]", "invalid character ']' looking for beginning of value", 4],
    ['{"a"}', "invalid character '}' after object key", 5],
    ['"\u0001"', "invalid character '\\x01' in string literal", 2],
    ['"\\x"', "invalid character 'x' in string escape code", 3],
    ["\u00e9", "invalid character 'Ã' looking for beginning of value", 1],
    ["\u0085", "invalid character 'Â' looking for beginning of value", 1],
    ["[\\]", "invalid character '\\\\' looking for beginning of value", 2],
    ["[" + "[".repeat(10000), "invalid character '[' exceeded max depth", 10001],
  ])("%j → %s", (input, message, offset) => {
    expect(parseGoJson(input)).toEqual({ ok: false, message, offset });
  });

  it("nests as deep as Go allows without overflowing the stack", () => {
    const deep = "[".repeat(10000) + "]".repeat(10000);
    expect(parseGoJson(deep).ok).toBe(true);
  });
});
