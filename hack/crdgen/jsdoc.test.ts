import { describe, expect, it } from "@jest/globals";
import { markerValue, parseJsDoc } from "./jsdoc.ts";

describe("parseJsDoc", () => {
  it("keeps CEL rules and regular expressions byte for byte", () => {
    const doc = parseJsDoc(
      [
        "/**",
        " * signedEmail holds the email address.",
        " * Second line.",
        " * @maxLength 320",
        " * @xValidation.rule self.matches('^\\\\S+@\\\\S+$')",
        " * @xValidation.message invalid email address",
        " */",
      ].join("\n"),
    );
    expect(doc.description).toBe("signedEmail holds the email address. Second line.");
    expect(doc.tags).toEqual([
      { name: "maxLength", value: "320" },
      { name: "xValidation.rule", value: "self.matches('^\\\\S+@\\\\S+$')" },
      { name: "xValidation.message", value: "invalid email address" },
    ]);
  });

  it("treats a mid-line @ as text and joins continuation lines", () => {
    const doc = parseJsDoc("/**\n * @printcolumn a@b\n *   c\n */");
    expect(doc.tags).toEqual([{ name: "printcolumn", value: "a@b c" }]);
  });

  it("reads JSON-quoted marker values", () => {
    expect(markerValue('"a*\\/b"')).toBe("a*/b");
    expect(markerValue("plain")).toBe("plain");
  });
});
