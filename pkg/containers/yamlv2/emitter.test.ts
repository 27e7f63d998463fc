import { describe, expect, it } from "@jest/globals";
import { marshalYamlV2 } from "./emitter.ts";

// Expected texts are sigs.k8s.io/yaml (ghodss/yaml) Marshal output, which is gopkg.in/yaml.v2's.
describe("marshalYamlV2", () => {
  it("writes an empty document as {}", () => {
    expect(marshalYamlV2({})).toBe("{}\n");
    expect(marshalYamlV2({ "default-docker": {} })).toBe("default-docker: {}\n");
  });

  it("quotes what yaml.v2 quotes", () => {
    const docker = Object.fromEntries(
      ["*.example.com", "[::1]:5000", "a: b", "x #y", "it's", "123", "on", "1.5", "10.0.0.1:5000", ""].map(
        (k) => [k, { "use-sigstore-attachments": true }],
      ),
    );
    expect(marshalYamlV2({ docker })).toBe(
      [
        "docker:",
        '  "":',
        "    use-sigstore-attachments: true",
        "  '*.example.com':",
        "    use-sigstore-attachments: true",
        "  '[::1]:5000':",
        "    use-sigstore-attachments: true",
        '  "1.5":',
        "    use-sigstore-attachments: true",
        "  10.0.0.1:5000:",
        "    use-sigstore-attachments: true",
        '  "123":',
        "    use-sigstore-attachments: true",
        "  'a: b':",
        "    use-sigstore-attachments: true",
        "  it's:",
        "    use-sigstore-attachments: true",
        '  "on":',
        "    use-sigstore-attachments: true",
        "  'x #y':",
        "    use-sigstore-attachments: true",
        "",
      ].join("\n"),
    );
  });

  it("escapes in double quotes: tabs, astral characters, and everything after a leading BOM", () => {
    expect(
      marshalYamlV2({
        docker: {
          "\ufeff{*.": { lookaside: "tab\there" },
          "%\u{1F600}": { lookaside: "-", "lookaside-staging": "# x" },
        },
      }),
    ).toBe(
      [
        "docker:",
        '  "%\\U0001F600":',
        "    lookaside: '-'",
        "    lookaside-staging: '# x'",
        '  "\\uFEFF\\x7B\\x2A\\x2E":',
        '    lookaside: "tab\\there"',
        "",
      ].join("\n"),
    );
  });

  it("folds long values at spaces after column 80, and writes long keys as complex keys", () => {
    const longKey = "example.com/" + "a".repeat(124);
    expect(
      marshalYamlV2({
        docker: {
          [longKey]: { "use-sigstore-attachments": true },
          "*.example.com": {
            lookaside:
              "https://example.com/a very long lookaside url with spaces that goes well past the eighty column limit of yaml",
          },
        },
      }),
    ).toBe(
      [
        "docker:",
        "  '*.example.com':",
        "    lookaside: https://example.com/a very long lookaside url with spaces that goes",
        "      well past the eighty column limit of yaml",
        `  ? ${longKey}`,
        "  : use-sigstore-attachments: true",
        "",
      ].join("\n"),
    );
  });

  it("refuses what MCO's yaml.v2 refuses or writes as block scalars", () => {
    expect(() => marshalYamlV2({ "a\u007f": true })).toThrow("yaml.v2 refuses control characters");
    expect(() => marshalYamlV2({ a: "line\nbreak" })).toThrow("line breaks");
  });
});
