import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import type { Policy, PolicyRequirement } from "./policy.ts";
import { parsePolicyJson } from "./policy-parse.ts";
import { serializePolicyJson } from "./policy-serialize.ts";
import { policy as validPolicy } from "./testing/arbitraries.ts";

function parsed(text: string): Policy {
  const result = parsePolicyJson(text);
  if (!result.ok) throw new Error(`${result.message} at ${result.path}`);
  return result.policy;
}

// Each expected text is what json.MarshalIndent(policy, "", "  ") writes in Go after
// signature.NewPolicyFromBytes(input), with go.podman.io/image/v5 v5.42.
describe("serializePolicyJson writes Go's json.MarshalIndent bytes", () => {
  it("orders fields like containers/image's structs and map keys bytewise", () => {
    const input = {
      default: [{ type: "insecureAcceptAnything" }],
      transports: {
        "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] },
        docker: {
          "quay.io/openshift-release-dev/ocp-release": [
            {
              type: "sigstoreSigned",
              keyData: "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K",
              rekorPublicKeyData: "QUJD",
              signedIdentity: { type: "matchRepoDigestOrExact" },
            },
          ],
          "*.example.com": [
            {
              type: "sigstoreSigned",
              signedIdentity: {
                type: "remapIdentity",
                signedPrefix: "example.com/signed",
                prefix: "mirror.example.com",
              },
              rekorPublicKeyData: "QUJD",
              fulcio: {
                subjectEmail: "dev@example.com",
                oidcIssuer: "https://accounts.example.com",
                caData: "Q0E=",
              },
            },
          ],
          "example.com/pki": [
            {
              type: "sigstoreSigned",
              pki: {
                subjectHostname: "signer.example.com",
                subjectEmail: "a@b",
                caIntermediatesData: "SU5U",
                caRootsData: "Uk9PVA==",
              },
              signedIdentity: { dockerRepository: "example.com/other", type: "exactRepository" },
            },
          ],
        },
        atomic: { "quay.io/openshift-release-dev/ocp-release": [{ type: "reject" }] },
      },
    };
    expect(serializePolicyJson(parsed(JSON.stringify(input)))).toBe(
      [
        "{",
        '  "default": [',
        "    {",
        '      "type": "insecureAcceptAnything"',
        "    }",
        "  ],",
        '  "transports": {',
        '    "atomic": {',
        '      "quay.io/openshift-release-dev/ocp-release": [',
        "        {",
        '          "type": "reject"',
        "        }",
        "      ]",
        "    },",
        '    "docker": {',
        '      "*.example.com": [',
        "        {",
        '          "type": "sigstoreSigned",',
        '          "fulcio": {',
        '            "caData": "Q0E=",',
        '            "oidcIssuer": "https://accounts.example.com",',
        '            "subjectEmail": "dev@example.com"',
        "          },",
        '          "rekorPublicKeyData": "QUJD",',
        '          "signedIdentity": {',
        '            "type": "remapIdentity",',
        '            "prefix": "mirror.example.com",',
        '            "signedPrefix": "example.com/signed"',
        "          }",
        "        }",
        "      ],",
        '      "example.com/pki": [',
        "        {",
        '          "type": "sigstoreSigned",',
        '          "pki": {',
        '            "caRootsData": "Uk9PVA==",',
        '            "caIntermediatesData": "SU5U",',
        '            "subjectEmail": "a@b",',
        '            "subjectHostname": "signer.example.com"',
        "          },",
        '          "signedIdentity": {',
        '            "type": "exactRepository",',
        '            "dockerRepository": "example.com/other"',
        "          }",
        "        }",
        "      ],",
        '      "quay.io/openshift-release-dev/ocp-release": [',
        "        {",
        '          "type": "sigstoreSigned",',
        '          "keyData": "LS0tLS1CRUdJTiBQVUJMSUMgS0VZLS0tLS0K",',
        '          "rekorPublicKeyData": "QUJD",',
        '          "signedIdentity": {',
        '            "type": "matchRepoDigestOrExact"',
        "          }",
        "        }",
        "      ]",
        "    },",
        '    "docker-daemon": {',
        '      "": [',
        "        {",
        '          "type": "insecureAcceptAnything"',
        "        }",
        "      ]",
        "    }",
        "  }",
        "}",
      ].join("\n"),
    );
  });

  it("HTML-escapes like Go, sorts keys by UTF-8 bytes, and writes signedBy in struct order", () => {
    const odd = 'a<b>&c\u2028\u2029"\\\u0001\u007f';
    const input = {
      default: [
        {
          type: "signedBy",
          signedIdentity: { type: "exactReference", dockerReference: "quay.io/a/b:v1" },
          keyPaths: ["/a", "/b"],
          keyType: "GPGKeys",
        },
        { type: "signedBaseLayer", baseLayerIdentity: { type: "matchExact" } },
      ],
      transports: {
        docker: {
          B: [{ type: "reject" }],
          a: [{ type: "reject" }],
          é: [{ type: "reject" }],
          "\u{1F600}": [{ type: "reject" }],
          "\uff5e": [{ type: "reject" }],
          [odd]: [{ type: "sigstoreSigned", keyPath: "/k<&>", rekorPublicKeyPaths: ["/r1", "/r2"] }],
        },
      },
    };
    const reject = ["        {", '          "type": "reject"', "        }"];
    expect(serializePolicyJson(parsed(JSON.stringify(input)))).toBe(
      [
        "{",
        '  "default": [',
        "    {",
        '      "type": "signedBy",',
        '      "keyType": "GPGKeys",',
        '      "keyPaths": [',
        '        "/a",',
        '        "/b"',
        "      ],",
        '      "signedIdentity": {',
        '        "type": "exactReference",',
        '        "dockerReference": "quay.io/a/b:v1"',
        "      }",
        "    },",
        "    {",
        '      "type": "signedBaseLayer",',
        '      "baseLayerIdentity": {',
        '        "type": "matchExact"',
        "      }",
        "    }",
        "  ],",
        '  "transports": {',
        '    "docker": {',
        '      "B": [',
        ...reject,
        "      ],",
        '      "a": [',
        ...reject,
        "      ],",
        '      "a\\u003cb\\u003e\\u0026c\\u2028\\u2029\\"\\\\\\u0001\u007f": [',
        "        {",
        '          "type": "sigstoreSigned",',
        '          "keyPath": "/k\\u003c\\u0026\\u003e",',
        '          "rekorPublicKeyPaths": [',
        '            "/r1",',
        '            "/r2"',
        "          ],",
        '          "signedIdentity": {',
        '            "type": "matchRepoDigestOrExact"',
        "          }",
        "        }",
        "      ],",
        '      "é": [',
        ...reject,
        "      ],",
        '      "\uff5e": [',
        ...reject,
        "      ],",
        '      "\u{1F600}": [',
        ...reject,
        "      ]",
        "    }",
        "  }",
        "}",
      ].join("\n"),
    );
  });

  it("leaves out empty omitempty fields and rewrites base64 as Go re-encodes it", () => {
    const input = {
      default: [
        {
          type: "sigstoreSigned",
          keyPath: "",
          keyDatas: ["QR==", "QU\nJD", ""],
          rekorPublicKeyDatas: ["QUJD"],
        },
        { type: "sigstoreSigned", keyData: "" },
        { type: "signedBy", keyType: "signedByGPGKeys", keyPaths: [] },
        { type: "signedBy", keyType: "GPGKeys", keyData: "QR==" },
      ],
      transports: {},
    };
    const identity = ['      "signedIdentity": {', '        "type": "matchRepoDigestOrExact"', "      }"];
    expect(serializePolicyJson(parsed(JSON.stringify(input)))).toBe(
      [
        "{",
        '  "default": [',
        "    {",
        '      "type": "sigstoreSigned",',
        '      "keyDatas": [',
        '        "QQ==",',
        '        "QUJD",',
        '        ""',
        "      ],",
        '      "rekorPublicKeyDatas": [',
        '        "QUJD"',
        "      ],",
        ...identity,
        "    },",
        "    {",
        '      "type": "sigstoreSigned",',
        ...identity,
        "    },",
        "    {",
        '      "type": "signedBy",',
        '      "keyType": "signedByGPGKeys",',
        ...identity,
        "    },",
        "    {",
        '      "type": "signedBy",',
        '      "keyType": "GPGKeys",',
        '      "keyData": "QQ==",',
        ...identity,
        "    }",
        "  ],",
        '  "transports": {}',
        "}",
      ].join("\n"),
    );
  });

  it("keeps a base policy's other transports when docker scopes are added", () => {
    const base = parsed(
      '{"default":[{"type":"insecureAcceptAnything"}],"transports":{"docker-daemon":{"":[{"type":"insecureAcceptAnything"}]}}}',
    );
    const rendered: Policy = {
      ...base,
      transports: { ...base.transports, docker: { "example.com": [{ type: "reject" }] } },
    };
    expect(parsed(serializePolicyJson(rendered)).transports).toEqual({
      docker: { "example.com": [{ type: "reject" }] },
      "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] },
    });
  });

  it("writes empty maps and lists compactly and has no trailing newline", () => {
    const text = serializePolicyJson({ default: [{ type: "reject" }], transports: { docker: {} } });
    expect(text).toBe(
      '{\n  "default": [\n    {\n      "type": "reject"\n    }\n  ],\n  "transports": {\n    "docker": {}\n  }\n}',
    );
  });

  it("renders a requirement list again after it changed in place", () => {
    // Lists are remembered per array (namespace files repeat the cluster's); a list changed since
    // must not be written as it was.
    const list: PolicyRequirement[] = [{ type: "reject" }];
    const policy: Policy = { default: [{ type: "reject" }], transports: { docker: { "quay.io": list } } };
    expect(parsed(serializePolicyJson(policy)).transports.docker?.["quay.io"]).toEqual([{ type: "reject" }]);
    list.push({ type: "insecureAcceptAnything" });
    expect(parsed(serializePolicyJson(policy)).transports.docker?.["quay.io"]).toEqual([
      { type: "reject" },
      { type: "insecureAcceptAnything" },
    ]);
  });

  it("refuses a byte field Go could not have read", () => {
    expect(() =>
      serializePolicyJson({
        default: [{ type: "sigstoreSigned", keyData: "not base64!", signedIdentity: { type: "matchExact" } }],
        transports: {},
      }),
    ).toThrow("keyData is not valid base64: illegal base64 data at input byte 3");
  });
});

describe("serializePolicyJson and parsePolicyJson are inverses on valid policies", () => {
  it("parse(serialize(x)) equals x", () => {
    fc.assert(
      fc.property(validPolicy, (policy) => {
        expect(parsed(serializePolicyJson(policy))).toEqual(policy);
      }),
      { numRuns: 300 },
    );
  });

  it("serialize(parse(text)) is a fixed point for serialised text", () => {
    fc.assert(
      fc.property(validPolicy, (policy) => {
        const text = serializePolicyJson(policy);
        expect(serializePolicyJson(parsed(text))).toBe(text);
      }),
      { numRuns: 200 },
    );
  });

  it("does not depend on the insertion order of transports and scopes", () => {
    const reverse = <T>(record: Readonly<Record<string, T>>): Record<string, T> =>
      Object.fromEntries(Object.entries(record).reverse());
    fc.assert(
      fc.property(validPolicy, (policy) => {
        const reordered: Policy = {
          default: policy.default,
          transports: Object.fromEntries(
            Object.entries(policy.transports)
              .reverse()
              .map(([name, scopes]) => [name, reverse(scopes)]),
          ),
        };
        expect(serializePolicyJson(reordered)).toBe(serializePolicyJson(policy));
      }),
      { numRuns: 100 },
    );
  });
});
