import { describe, expect, it } from "@jest/globals";
import { parseDocument } from "yaml";
import fc from "fast-check";
import { parseRegistriesDYaml, serializeRegistriesDYaml, type RegistriesDConfig } from "./registries-d.ts";
import { registriesDConfig } from "./testing/arbitraries.ts";

function parsed(text: string): RegistriesDConfig {
  const result = parseRegistriesDYaml(text);
  if (!result.ok) throw new Error(`${result.message} at ${result.path}`);
  return result.config;
}

// Expected texts are what MCO's ghodss/yaml (sigs.k8s.io/yaml, gopkg.in/yaml.v2) Marshal writes.
describe("serializeRegistriesDYaml writes MCO's bytes", () => {
  it("writes sigstore-registries.yaml for policy scopes and their mirrors", () => {
    const scopes = [
      "*.example.com",
      "test10.com",
      "test2.com",
      "example.com/ns/repo",
      "localhost:5000/x",
      "123",
      "on",
      "quay.io",
      "10.0.0.1:5000",
      "1.5",
      "registry01.example.com",
      "registry1.example.com",
      "Quay.io",
    ];
    const docker = Object.fromEntries(scopes.map((s) => [s, { useSigstoreAttachments: true }]));
    const entry = (key: string): string[] => [`  ${key}:`, "    use-sigstore-attachments: true"];
    expect(serializeRegistriesDYaml({ docker })).toBe(
      [
        "docker:",
        ...entry("'*.example.com'"),
        ...entry('"1.5"'),
        ...entry("10.0.0.1:5000"),
        ...entry('"123"'),
        ...entry("Quay.io"),
        ...entry("example.com/ns/repo"),
        ...entry("localhost:5000/x"),
        ...entry('"on"'),
        ...entry("quay.io"),
        ...entry("registry1.example.com"),
        ...entry("registry01.example.com"),
        ...entry("test2.com"),
        ...entry("test10.com"),
        "",
      ].join("\n"),
    );
  });

  it("writes every field in yaml.v2 key order, quoting only where needed", () => {
    const config: RegistriesDConfig = {
      defaultDocker: { lookaside: "https://sigs.example.com/sigstore", useSigstoreAttachments: true },
      docker: {
        "quay.io/ns": {
          useSigstoreAttachments: false,
          sigstoreStaging: "file:///tmp/s",
          sigstore: "https://old",
          lookasideStaging: "file:///var/lib/containers/staging",
          lookaside: "file:///var/lib/containers/sigstore",
        },
        "[::1]:5000": {},
        "a: b": { lookaside: "# not a comment" },
        "x #y": { lookaside: "-" },
        "it's": { lookaside: "tab\there" },
      },
    };
    expect(serializeRegistriesDYaml(config)).toBe(
      [
        "default-docker:",
        "  lookaside: https://sigs.example.com/sigstore",
        "  use-sigstore-attachments: true",
        "docker:",
        "  '[::1]:5000': {}",
        "  'a: b':",
        "    lookaside: '# not a comment'",
        "  it's:",
        '    lookaside: "tab\\there"',
        "  quay.io/ns:",
        "    lookaside: file:///var/lib/containers/sigstore",
        "    lookaside-staging: file:///var/lib/containers/staging",
        "    sigstore: https://old",
        "    sigstore-staging: file:///tmp/s",
        "    use-sigstore-attachments: false",
        "  'x #y':",
        "    lookaside: '-'",
        "",
      ].join("\n"),
    );
  });

  it("leaves out what Go's omitempty leaves out", () => {
    expect(serializeRegistriesDYaml({})).toBe("{}\n");
    expect(serializeRegistriesDYaml({ docker: {} })).toBe("{}\n");
    expect(serializeRegistriesDYaml({ defaultDocker: { lookaside: "" } })).toBe("default-docker: {}\n");
  });

  it("does not depend on insertion order", () => {
    fc.assert(
      fc.property(registriesDConfig, (config) => {
        const reversed: RegistriesDConfig = {
          ...config,
          ...(config.docker ? { docker: Object.fromEntries(Object.entries(config.docker).reverse()) } : {}),
        };
        expect(serializeRegistriesDYaml(reversed)).toBe(serializeRegistriesDYaml(config));
      }),
      { numRuns: 100 },
    );
  });
});

describe("parseRegistriesDYaml", () => {
  it("reads what containers/image reads", () => {
    expect(
      parsed(`
default-docker:
  lookaside: https://sigs.example.com
docker:
  quay.io/ns:
    lookaside-staging: file:///staging
    sigstore: https://old
    sigstore-staging: file:///old-staging
    use-sigstore-attachments: true
  '*.example.com':
    use-sigstore-attachments: false
  empty.example.com:
`),
    ).toEqual({
      defaultDocker: { lookaside: "https://sigs.example.com" },
      docker: {
        "quay.io/ns": {
          lookasideStaging: "file:///staging",
          sigstore: "https://old",
          sigstoreStaging: "file:///old-staging",
          useSigstoreAttachments: true,
        },
        "*.example.com": { useSigstoreAttachments: false },
        "empty.example.com": {},
      },
    });
  });

  it("treats an empty file and null sections as absent", () => {
    expect(parsed("")).toEqual({});
    expect(parsed("# only a comment\n")).toEqual({});
    expect(parsed("docker:\ndefault-docker: ~\n")).toEqual({});
  });

  it("keeps the text of keys YAML would read as numbers or booleans, as yaml.v3 does", () => {
    expect(Object.keys(parsed("docker:\n  1e400: {}\n  on: {}\n  0x10: {}\n").docker ?? {})).toEqual([
      "1e400",
      "on",
      "0x10",
    ]);
  });

  it.each([
    [
      "docker:\n  a.io:\n    use-sigstore-attachment: true\n",
      'unknown key "use-sigstore-attachment"',
      "/docker/a.io/use-sigstore-attachment",
    ],
    ["dokcer: {}\n", 'unknown key "dokcer"', "/dokcer"],
    [
      "docker:\n  a.io:\n    use-sigstore-attachments: yes\n",
      'use-sigstore-attachments must be true or false, got string "yes"',
      "/docker/a.io/use-sigstore-attachments",
    ],
    [
      "docker:\n  a.io:\n    lookaside: 5\n",
      'lookaside must be a string, got number "5"',
      "/docker/a.io/lookaside",
    ],
    ["docker: [a]\n", "expected a mapping, got a sequence", "/docker"],
    ["docker:\n  q.io/a: x\n", 'expected a mapping, got string "x"', "/docker/q.io~1a"],
    ["- a\n", "expected a mapping, got a sequence", ""],
    ["docker:\n  ~: {}\n", "keys must be strings, got null", "/docker"],
  ])("refuses %j: %s", (text, message, path) => {
    expect(parseRegistriesDYaml(text)).toEqual({ ok: false, message, path });
  });

  it("refuses duplicate keys and broken YAML", () => {
    const duplicate = parseRegistriesDYaml("docker:\n  a.io: {}\n  a.io: {}\n");
    expect(duplicate.ok).toBe(false);
    expect(duplicate.ok || duplicate.message).toMatch(/unique/);
    expect(parseRegistriesDYaml("docker: {\n").ok).toBe(false);
  });

  it("follows aliases", () => {
    expect(parsed("docker:\n  a.io: &ns\n    use-sigstore-attachments: true\n  b.io: *ns\n")).toEqual({
      docker: { "a.io": { useSigstoreAttachments: true }, "b.io": { useSigstoreAttachments: true } },
    });
  });

  it("reads back what the serializer writes", () => {
    fc.assert(
      fc.property(registriesDConfig, (config) => {
        const expected: RegistriesDConfig = {
          ...(config.defaultDocker ? { defaultDocker: config.defaultDocker } : {}),
          ...(config.docker && Object.keys(config.docker).length > 0 ? { docker: config.docker } : {}),
        };
        expect(parsed(serializeRegistriesDYaml(config))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe("parseRegistriesDYaml's duplicate keys", () => {
  // yaml's own uniqueKeys check is the oracle (and what yaml.v2 refuses): same verdict on random
  // nested maps and lists whose keys repeat, in other spellings (1 and '1' differ, null and ~ not).
  it("refuses exactly the maps yaml's uniqueKeys refuses", () => {
    const key = fc.constantFrom("a", "b", "1", "'1'", '"a"', "null", "~", "true", "1.0");
    const node: fc.Arbitrary<string[]> = fc.letrec<{ node: string[] }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.constant<string[]>(["x"]),
        fc
          .array(fc.tuple(key, tie("node")), { minLength: 1, maxLength: 4 })
          .map((pairs) =>
            pairs.flatMap(([k, v]) =>
              v.length === 1 && v[0] === "x" ? [`${k}: x`] : [`${k}:`, ...v.map((line) => `  ${line}`)],
            ),
          ),
        fc
          .array(tie("node"), { minLength: 1, maxLength: 2 })
          .map((items) =>
            items.flatMap((v) =>
              v.length === 1 && v[0] === "x" ? ["- x"] : v.map((l, i) => `${i === 0 ? "- " : "  "}${l}`),
            ),
          ),
      ),
    })).node;
    fc.assert(
      fc.property(node, (lines) => {
        const text = `docker:\n${lines.map((l) => `  ${l}`).join("\n")}\n`;
        const oracle = parseDocument(text, { uniqueKeys: true, prettyErrors: false, schema: "core" });
        const duplicate = oracle.errors.some((e) => e.code === "DUPLICATE_KEY");
        const result = parseRegistriesDYaml(text);
        expect(!result.ok && result.message === "Map keys must be unique").toBe(duplicate);
      }),
      { numRuns: 1000 },
    );
  });
});
