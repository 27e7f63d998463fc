import { describe, expect, it } from "@jest/globals";
import { atomicScopeIsValid, parsePolicyJson, remapIdentityPrefixIsValid } from "./policy-parse.ts";

/** A policy whose default is the given requirement(s), as JSON text. */
const withDefault = (...requirements: unknown[]): string => JSON.stringify({ default: requirements });
const key = { type: "sigstoreSigned", keyData: "QQ==" };
const sigstore = (extra: Record<string, unknown>): string =>
  withDefault({ type: "sigstoreSigned", ...extra });
const identity = (signedIdentity: unknown): string => withDefault({ ...key, signedIdentity });
const fulcio = (f: Record<string, unknown>): string =>
  sigstore({ fulcio: f, rekorPublicKeyPath: "/rekor.pub" });
const pki = (p: Record<string, unknown>): string => sigstore({ pki: p });
const hex64 = "0123456789abcdef".repeat(4);

function messageOf(input: string): string {
  const result = parsePolicyJson(input);
  if (result.ok) throw new Error(`expected ${input} to be refused`);
  return result.message;
}

describe("parsePolicyJson accepts what containers/image accepts", () => {
  it("reads a complete policy", () => {
    const result = parsePolicyJson(
      JSON.stringify({
        default: [{ type: "reject" }],
        transports: {
          docker: {
            "quay.io/openshift-release-dev/ocp-release": [
              {
                type: "sigstoreSigned",
                keyData: "LS0tLS1CRUdJTg==",
                rekorPublicKeyData: "QUJD",
                signedIdentity: { type: "matchRepoDigestOrExact" },
              },
            ],
            "*.example.com": [{ type: "insecureAcceptAnything" }],
          },
          "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] },
        },
      }),
    );
    expect(result).toEqual({
      ok: true,
      policy: {
        default: [{ type: "reject" }],
        transports: {
          docker: {
            "quay.io/openshift-release-dev/ocp-release": [
              {
                type: "sigstoreSigned",
                keyData: "LS0tLS1CRUdJTg==",
                rekorPublicKeyData: "QUJD",
                signedIdentity: { type: "matchRepoDigestOrExact" },
              },
            ],
            "*.example.com": [{ type: "insecureAcceptAnything" }],
          },
          "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] },
        },
      },
    });
  });

  it("reads MCO's 4-space template, whose transports key is followed by a line break", () => {
    const template = `{
    "default": [
        {
            "type": "insecureAcceptAnything"
        }
    ],
    "transports":
        {
            "docker-daemon":
                {
                    "": [{"type":"insecureAcceptAnything"}]
                }
        }
}
`;
    expect(parsePolicyJson(template)).toEqual({
      ok: true,
      policy: {
        default: [{ type: "insecureAcceptAnything" }],
        transports: { "docker-daemon": { "": [{ type: "insecureAcceptAnything" }] } },
      },
    });
  });

  it("fills in matchRepoDigestOrExact when signedIdentity is omitted", () => {
    const result = parsePolicyJson(withDefault(key));
    expect(result.ok && result.policy.default[0]).toEqual({
      ...key,
      signedIdentity: { type: "matchRepoDigestOrExact" },
    });
  });

  it("gives an absent transports map as {}", () => {
    const result = parsePolicyJson(withDefault({ type: "reject" }));
    expect(result.ok && result.policy.transports).toEqual({});
  });

  it.each([
    ["an empty transports map", JSON.stringify({ default: [{ type: "reject" }], transports: {} })],
    ["an empty docker map", JSON.stringify({ default: [{ type: "reject" }], transports: { docker: {} } })],
    [
      "any string as a docker scope",
      JSON.stringify({
        default: [{ type: "reject" }],
        transports: { docker: { "not a ref!": [{ type: "reject" }] } },
      }),
    ],
    [
      "unknown transports, unchecked",
      JSON.stringify({
        default: [{ type: "reject" }],
        transports: { dir: { relative: [{ type: "reject" }] } },
      }),
    ],
    [
      "keyType values that are reserved",
      withDefault({ type: "signedBy", keyType: "X509Certificates", keyPath: "/k" }),
    ],
    [
      "signedBy with an empty keyPaths list",
      withDefault({ type: "signedBy", keyType: "GPGKeys", keyPaths: [] }),
    ],
    ["signedBy with empty keyData", withDefault({ type: "signedBy", keyType: "GPGKeys", keyData: "" })],
    ["an empty keyPath next to another key", sigstore({ keyPath: "", keyData: "QQ==" })],
    ["empty keyData (a non-nil []byte)", sigstore({ keyData: "" })],
    ["a null keyData next to a keyPath", sigstore({ keyData: null, keyPath: "/k" })],
    ["base64 with line breaks", sigstore({ keyData: "QU\nJD\r\n" })],
    ["base64 with non-zero padding bits", sigstore({ keyData: "QR==" })],
    ["base64 with non-zero padding bits after a full quantum", sigstore({ keyData: "QUJDR/+=" })],
    ["byte fields written as number arrays", sigstore({ keyData: [1, 2, 255] })],
    ["fulcio with rekor", fulcio({ caData: "QQ==", oidcIssuer: "https://issuer", subjectEmail: "a@b" })],
    [
      "pki with intermediates and a hostname",
      pki({ caRootsPath: "/r", caIntermediatesData: "QQ==", subjectHostname: "h" }),
    ],
    ["signedBaseLayer", withDefault({ type: "signedBaseLayer", baseLayerIdentity: { type: "matchExact" } })],
    [
      "remapIdentity with a registry and a namespace",
      identity({ type: "remapIdentity", prefix: "q.io:5000", signedPrefix: "r.io/ns" }),
    ],
    ["exactRepository with a short name", identity({ type: "exactRepository", dockerRepository: "busybox" })],
    [
      "exactReference with a digest",
      identity({ type: "exactReference", dockerReference: `busybox@sha256:${hex64}` }),
    ],
    ["surrounding whitespace", `  ${withDefault({ type: "reject" })}\n\t`],
  ])("accepts %s", (_name, input) => {
    expect(parsePolicyJson(input).ok).toBe(true);
  });

  it("accepts bytes, not only text", () => {
    expect(parsePolicyJson(new TextEncoder().encode(withDefault({ type: "reject" }))).ok).toBe(true);
  });

  it("keeps byte fields as written, and number arrays as their base64", () => {
    const result = parsePolicyJson(sigstore({ keyDatas: ["QU\nJD", [65, 66]] }));
    expect(result.ok && result.policy.default[0]).toMatchObject({ keyDatas: ["QU\nJD", "QUI="] });
  });

  it("leaves out empty paths, as Go's struct would not write them", () => {
    const result = parsePolicyJson(sigstore({ keyPath: "", keyData: "QQ==", rekorPublicKeyPath: "" }));
    expect(result.ok && result.policy.default[0]).toEqual({
      type: "sigstoreSigned",
      keyData: "QQ==",
      signedIdentity: { type: "matchRepoDigestOrExact" },
    });
  });

  it("decodes escapes and repairs unpaired surrogates like Go", () => {
    const result = parsePolicyJson(
      '{"default":[{"type":"reject"}],"transports":{"docker":{"a\\u00e9\\ud83d\\ude00\\ud800x":[{"type":"reject"}]}}}',
    );
    expect(result.ok && Object.keys(result.policy.transports["docker"] ?? {})).toEqual(["aé😀\ufffdx"]);
  });

  it("is safe for a __proto__ scope", () => {
    const result = parsePolicyJson(
      '{"default":[{"type":"reject"}],"transports":{"docker":{"__proto__":[{"type":"reject"}]}}}',
    );
    expect(result.ok && Object.keys(result.policy.transports["docker"] ?? {})).toEqual(["__proto__"]);
  });
});

// Every message below is what go.podman.io/image/v5 v5.42 NewPolicyFromBytes returns for the input.
describe("parsePolicyJson refuses the rest with containers/image's wording", () => {
  it.each([
    // JSON syntax, checked over the whole input before anything else (Go's scanner)
    ["", "unexpected end of JSON input"],
    ['{"default":[{"type":"reject"}]', "unexpected end of JSON input"],
    ['{"default":[{"type":"reject"}]} x', "invalid character 'x' after top-level value"],
    ['{"default":[{"type":"reject"}],}', "invalid character '}' looking for beginning of object key string"],
    ['{"default":[{"type":"reject"}],"x":tru}', "invalid character '}' in literal true (expecting 'e')"],
    ['{"default":[{"type":"reject"}],"x":"a\tb"}', "invalid character '\\t' in string literal"],
    ['{"default":[{"type":"reject"}],"x":-}', "invalid character '}' in numeric literal"],
    [
      '{"default":[{"type":"reject"}],"x":1.}',
      "invalid character '}' after decimal point in numeric literal",
    ],
    ['{"default":[{"type":"reject"}],"x":"\\q"}', "invalid character 'q' in string escape code"],
    [
      '{"default":[{"type":"reject"}],"x":"\\u12g4"}',
      "invalid character 'g' in \\u hexadecimal character escape",
    ],
    ['{"default" [] }', "invalid character '[' after object key"],
    ['{"default":[] "x"}', "invalid character '\"' after object key:value pair"],
    ["[1 2]", "invalid character '2' after array element"],
    ["\ufeff{}", "invalid character 'ï' looking for beginning of value"],
    ["'x'", "invalid character '\\'' looking for beginning of value"],
    ["tru", "invalid character ' ' in literal true (expecting 'e')"],
    // Top-level structure
    ["[]", "JSON object expected, got 91"],
    ['"x"', 'JSON object expected, got "x"'],
    ["1e21", "JSON object expected, got 1e+21"],
    ["null", "JSON object expected, got <nil>"],
    ["{}", "Default policy is missing"],
    ['{"default":[{"type":"reject"}],"extra":1}', 'Unknown key "extra"'],
    ['{"default":[{"type":"reject"}],"default":[{"type":"reject"}]}', 'Duplicate key "default"'],
    ['{"default":[]}', "List of verification policy requirements must not be empty"],
    ['{"default":null}', "List of verification policy requirements must not be empty"],
    ['{"default":{}}', "json: cannot unmarshal object into Go value of type []json.RawMessage"],
    ['{"default":[{"type":"reject"}],"transports":[]}', "JSON object expected, got 91"],
    ['{"default":[{"type":"reject"}],"transports":{"docker":5}}', "JSON object expected, got 5"],
    [
      '{"default":[{"type":"reject"}],"transports":{"docker":{"a":null}}}',
      "List of verification policy requirements must not be empty",
    ],
    [
      '{"default":[{"type":"reject"}],"transports":{"docker":{"a":[{"type":"reject"}],"a":[{"type":"reject"}]}}}',
      'Duplicate key "a"',
    ],
    // Requirement type, found by a case-insensitive pass first
    [withDefault(null), 'Unknown policy requirement type ""'],
    [withDefault(5), "json: cannot unmarshal number into Go value of type signature.prCommon"],
    [withDefault("reject"), "json: cannot unmarshal string into Go value of type signature.prCommon"],
    [
      withDefault({ type: 5 }),
      "json: cannot unmarshal number into Go struct field prCommon.type of type signature.prTypeIdentifier",
    ],
    [withDefault({ type: "nope" }), 'Unknown policy requirement type "nope"'],
    [withDefault({ TYPE: "reject" }), 'Unknown key "TYPE"'],
    [withDefault({ type: "reject", extra: 1 }), 'Unknown key "extra"'],
    ['{"default":[{"type":"reject","type":"reject"}]}', 'Duplicate key "type"'],
    // signedBy
    [
      withDefault({ type: "signedBy", keyType: "GPGKeys" }),
      "Exactly one of keyPath, keyPaths and keyData must be specified, none of them present",
    ],
    [
      withDefault({ type: "signedBy", keyType: "GPGKeys", keyPath: "/a", keyData: "" }),
      "Exactly one of keyPath, keyPaths and keyData must be specified, more than one present",
    ],
    [withDefault({ type: "signedBy", keyPath: "/a" }), 'invalid keyType ""'],
    [withDefault({ type: "signedBy", keyType: null, keyPath: "/a" }), 'Unrecognized keyType value ""'],
    [
      withDefault({ type: "signedBy", keyType: "signedBySigstorePublicKeys", keyPath: "/a" }),
      'Unrecognized keyType value "signedBySigstorePublicKeys"',
    ],
    [
      withDefault({ type: "signedBy", keyType: "GPGKeys", keyPath: "" }),
      "exactly one of keyPath, keyPaths and keyData must be specified",
    ],
    [
      withDefault({ type: "signedBy", keyType: "GPGKeys", keyPaths: null }),
      "exactly one of keyPath, keyPaths and keyData must be specified",
    ],
    [
      withDefault({ type: "signedBy", keyType: "GPGKeys", keyPath: "/a", signedIdentity: null }),
      'Unknown policy reference match type ""',
    ],
    // signedBaseLayer
    [withDefault({ type: "signedBaseLayer" }), 'Key "baseLayerIdentity" missing in a JSON object'],
    // sigstoreSigned key sources
    [sigstore({}), "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified"],
    [
      sigstore({ keyPath: "" }),
      "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
    ],
    [
      sigstore({ keyPath: "/a", keyData: "QQ==" }),
      "exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, and pki must be specified",
    ],
    [sigstore({ keyPaths: [] }), '"keyPaths" contains no entries'],
    [sigstore({ keyDatas: null }), '"keyDatas" contains no entries'],
    [sigstore({ keyPath: "/a", rekorPublicKeyPaths: [] }), '"rekorPublickeyPaths" contains no entries'],
    [sigstore({ keyPath: "/a", rekorPublicKeyDatas: [] }), '"rekorPublickeyDatas" contains no entries'],
    [
      sigstore({ keyPath: "/a", rekorPublicKeyPath: "/r", rekorPublicKeyData: "QQ==" }),
      "at most one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas can be used simultaneously",
    ],
    [
      sigstore({ fulcio: { caPath: "/ca", oidcIssuer: "i", subjectEmail: "e" } }),
      "At least one of rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas must be specified if fulcio is used",
    ],
    [
      sigstore({ pki: { caRootsPath: "/r", subjectEmail: "e" }, rekorPublicKeyPath: "/r" }),
      "rekorPublickeyPath, rekorPublicKeyPaths, rekorPublickeyData and rekorPublicKeyDatas are not supported for pki",
    ],
    [sigstore({ keyPath: "/a", bogus: 1 }), 'Unknown key "bogus"'],
    // fulcio and pki are checked as soon as they are read
    [fulcio({ oidcIssuer: "i", subjectEmail: "e" }), "At least one of caPath and caData must be specified"],
    [
      fulcio({ caPath: "/ca", caData: "", oidcIssuer: "i", subjectEmail: "e" }),
      "caPath and caData cannot be used simultaneously",
    ],
    [fulcio({ caPath: "/ca", subjectEmail: "e" }), "oidcIssuer not specified"],
    [fulcio({ caPath: "/ca", oidcIssuer: "i", subjectEmail: "" }), "subjectEmail not specified"],
    [fulcio({ caPath: "/ca", oidcIssuer: "i", subjectEmail: "e", extra: 1 }), 'Unknown key "extra"'],
    [sigstore({ fulcio: null }), "JSON object expected, got <nil>"],
    [sigstore({ fulcio: "x" }), 'JSON object expected, got "x"'],
    [pki({ subjectEmail: "e" }), "At least one of caRootsPath and caRootsData must be specified"],
    [
      pki({ caRootsPath: "/r", caRootsData: "QQ==", subjectEmail: "e" }),
      "caRootsPath and caRootsData cannot be used simultaneously",
    ],
    [
      pki({ caRootsPath: "/r", caIntermediatesPath: "/i", caIntermediatesData: "QQ==", subjectEmail: "e" }),
      "caIntermediatesPath and caIntermediatesData cannot be used simultaneously",
    ],
    [pki({ caRootsPath: "/r" }), "At least one of subjectEmail, subjectHostname must be specified"],
    // Go's JSON types
    [sigstore({ keyPath: 5 }), "json: cannot unmarshal number into Go value of type string"],
    [sigstore({ keyPath: true }), "json: cannot unmarshal bool into Go value of type string"],
    [sigstore({ keyPaths: "x" }), "json: cannot unmarshal string into Go value of type []string"],
    [sigstore({ keyPaths: ["x", {}] }), "json: cannot unmarshal object into Go value of type string"],
    [sigstore({ keyData: 5 }), "json: cannot unmarshal number into Go value of type []uint8"],
    [sigstore({ keyData: [1, 300] }), "json: cannot unmarshal number 300 into Go value of type uint8"],
    [sigstore({ keyData: [1.5] }), "json: cannot unmarshal number 1.5 into Go value of type uint8"],
    [sigstore({ keyData: ["a"] }), "json: cannot unmarshal string into Go value of type uint8"],
    [sigstore({ keyDatas: "x" }), "json: cannot unmarshal string into Go value of type [][]uint8"],
    // base64, with Go's byte offsets
    [sigstore({ keyData: "QUJ" }), "illegal base64 data at input byte 0"],
    [sigstore({ keyData: "QQ" }), "illegal base64 data at input byte 0"],
    [sigstore({ keyData: "Q===" }), "illegal base64 data at input byte 1"],
    [sigstore({ keyData: "QQ==QQ==" }), "illegal base64 data at input byte 4"],
    [sigstore({ keyData: "QQ==\nQQ==" }), "illegal base64 data at input byte 5"],
    [sigstore({ keyData: "QUJD@" }), "illegal base64 data at input byte 4"],
    [sigstore({ keyData: "QUJDR/=+" }), "illegal base64 data at input byte 6"],
    [sigstore({ keyData: "é" }), "illegal base64 data at input byte 0"],
    // signedIdentity
    [identity(5), "json: cannot unmarshal number into Go value of type signature.prmCommon"],
    [
      identity({ type: 5 }),
      "json: cannot unmarshal number into Go struct field prmCommon.type of type signature.prmTypeIdentifier",
    ],
    [identity({ type: "matchAny" }), 'Unknown policy reference match type "matchAny"'],
    [identity({ type: "matchExact", extra: 1 }), 'Unknown key "extra"'],
    [identity({ type: "exactReference" }), 'Key "dockerReference" missing in a JSON object'],
    [
      identity({ type: "exactReference", dockerReference: "busybox" }),
      'dockerReference "busybox" contains neither a tag nor digest',
    ],
    [
      identity({ type: "exactReference", dockerReference: "UPPER/x:1" }),
      'Invalid format of dockerReference "UPPER/x:1": invalid reference format: repository name must be lowercase',
    ],
    [
      identity({ type: "exactReference", dockerReference: 5 }),
      "json: cannot unmarshal number into Go value of type string",
    ],
    [
      identity({ type: "exactRepository", dockerRepository: "a/b:c@sha256:00" }),
      'Invalid format of dockerRepository "a/b:c@sha256:00": invalid reference format',
    ],
    [
      identity({ type: "exactRepository", dockerRepository: hex64 }),
      `Invalid format of dockerRepository "${hex64}": invalid repository name (${hex64}), cannot specify 64-byte hexadecimal strings`,
    ],
    [
      identity({ type: "exactRepository", dockerRepository: "" }),
      'Invalid format of dockerRepository "": invalid reference format',
    ],
    [identity({ type: "remapIdentity", prefix: "q.io" }), 'Key "signedPrefix" missing in a JSON object'],
    [
      identity({ type: "remapIdentity", prefix: "-busybox", signedPrefix: "q.io" }),
      'prefix "-busybox" is not valid',
    ],
    [
      identity({ type: "remapIdentity", prefix: "q.io", signedPrefix: "q.io/Upper" }),
      'prefix "q.io/Upper" is not valid',
    ],
    [
      identity({ type: "remapIdentity", prefix: "q.io", signedPrefix: "q.io/" }),
      'prefix "q.io/" is not valid',
    ],
    // %q quoting of odd keys
    ['{"default":[{"type":"reject"}],"a\\u0001\\u00ad\\"<":1}', 'Unknown key "a\\x01\\u00ad\\"<"'],
  ])("%s → %s", (input, message) => {
    expect(messageOf(input)).toBe(message);
  });

  it("reports where the error is, as a JSON Pointer", () => {
    const result = parsePolicyJson(
      JSON.stringify({
        default: [{ type: "reject" }],
        transports: { docker: { "quay.io/a~b": [{ type: "sigstoreSigned", keyData: "@@" }] } },
      }),
    );
    expect(result).toEqual({
      ok: false,
      message: "illegal base64 data at input byte 0",
      path: "/transports/docker/quay.io~1a~0b/0/keyData",
    });
  });

  it("reports the first error in document order, as Go does", () => {
    expect(messageOf('{"transports":{"docker":{"a":[]}},"bogus":1}')).toBe(
      "List of verification policy requirements must not be empty",
    );
    expect(messageOf(sigstore({ keyPaths: [], signedIdentity: { type: "nope" } }))).toBe(
      'Unknown policy reference match type "nope"',
    );
  });
});

describe("scope validation per transport", () => {
  const atomic = (scope: string): string =>
    JSON.stringify({
      default: [{ type: "reject" }],
      transports: { atomic: { [scope]: [{ type: "reject" }] } },
    });

  it.each([
    ["example.com", true],
    ["example.com:5000", true],
    ["example.com/ns", true],
    ["example.com/ns/stream", true],
    ["example.com/ns/stream:tag", true],
    ["example.com/ns/stream/extra", false],
    ["example.com/repo:tag", false],
    [`example.com/repo@sha256:${hex64}`, false],
    ["example.com/a:b/c", false],
  ])("atomic scope %s valid: %s", (scope, valid) => {
    expect(atomicScopeIsValid(scope)).toBe(valid);
    const result = parsePolicyJson(atomic(scope));
    expect(result.ok ? "ok" : result.message).toBe(valid ? "ok" : `Unknown key ${JSON.stringify(scope)}`);
  });

  it("checks only the transports it is given", () => {
    expect(parsePolicyJson(atomic("a/b/c/d"), { scopeValidators: {} }).ok).toBe(true);
    expect(parsePolicyJson(atomic("a/b/c/d")).ok).toBe(false);
  });

  it("always accepts the transport's default scope", () => {
    expect(parsePolicyJson(atomic(""), { scopeValidators: { atomic: () => false } }).ok).toBe(true);
  });
});

describe("remapIdentityPrefixIsValid", () => {
  it.each([
    ["example.com", true],
    ["example.com:5000", true],
    ["localhost", true],
    ["Example.COM/ns", true],
    ["example.com/ns/repo", true],
    ["busybox", true], // a bare name is also a valid domain, as upstream notes
    ["example.com/", false],
    ["example.com/UPPER", false],
    ["", false],
    ["ns/repo", true], // so is a first component before a "/"
    ["-a", false],
    ["a b", false],
  ])("%s → %s", (prefix, valid) => {
    expect(remapIdentityPrefixIsValid(prefix)).toBe(valid);
  });
});
