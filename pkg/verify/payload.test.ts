import { describe, expect, it } from "@jest/globals";
import {
  InvalidPayloadError,
  SIGSTORE_PAYLOAD_TYPE,
  SIMPLE_SIGNING_PAYLOAD_TYPE,
  goDigestProblem,
  parseSignedPayload,
} from "./payload.ts";

const digest = `sha256:${"ab".repeat(32)}`;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const cosign = (critical: string, optional = "null"): Uint8Array =>
  bytes(`{"critical":${critical},"optional":${optional}}`);
const good = `{"identity":{"docker-reference":"example.com/app"},"image":{"docker-manifest-digest":"${digest}"},"type":"cosign container image signature"}`;

function failure(
  input: Uint8Array,
  type: typeof SIGSTORE_PAYLOAD_TYPE | typeof SIMPLE_SIGNING_PAYLOAD_TYPE = SIGSTORE_PAYLOAD_TYPE,
): string {
  try {
    parseSignedPayload(input, type);
  } catch (error) {
    if (error instanceof InvalidPayloadError) return error.message;
    throw error;
  }
  throw new Error("parsed");
}

describe("parseSignedPayload", () => {
  it("reads what cosign writes", () => {
    expect(parseSignedPayload(cosign(good), SIGSTORE_PAYLOAD_TYPE)).toEqual({
      dockerManifestDigest: digest,
      dockerReference: "example.com/app",
    });
  });

  it("keeps creator and an integral timestamp, ignores other optional keys", () => {
    const parsed = parseSignedPayload(
      cosign(good, '{"creator":"me","timestamp":1700000000,"extra":[1,2]}'),
      SIGSTORE_PAYLOAD_TYPE,
    );
    expect(parsed.creator).toBe("me");
    expect(parsed.timestamp).toBe(1700000000);
  });

  it("refuses what containers/image refuses, with its words", () => {
    expect(failure(bytes("{}"))).toBe('Key "critical" missing in a JSON object');
    expect(failure(bytes(`{"critical":${good},"optional":null,"x":1}`))).toBe('Unknown key "x"');
    expect(failure(bytes(`{"critical":${good},"critical":${good},"optional":null}`))).toBe(
      'Duplicate key "critical"',
    );
    expect(failure(cosign(good, '{"timestamp":1.5}'))).toBe("Field optional.timestamp is not an integer");
    expect(
      failure(cosign(good.replace("cosign container image signature", "atomic container signature"))),
    ).toBe("Unrecognized signature type atomic container signature");
    expect(failure(cosign(good.replace(digest, "sha256:xyz")))).toBe(
      'invalid docker-manifest-digest value "sha256:xyz": invalid checksum digest length',
    );
    expect(failure(bytes("not json"))).toMatch(/^invalid character/);
    expect(failure(bytes(`{"critical":${good},"optional":null} trailing`))).toMatch(/after top-level value/);
  });

  it("requires an optional object in the original simple-signing format", () => {
    const atomic = good.replace("cosign container image signature", SIMPLE_SIGNING_PAYLOAD_TYPE);
    expect(parseSignedPayload(cosign(atomic, "{}"), SIMPLE_SIGNING_PAYLOAD_TYPE).dockerReference).toBe(
      "example.com/app",
    );
    expect(failure(cosign(atomic), SIMPLE_SIGNING_PAYLOAD_TYPE)).toBe("JSON object expected, got <nil>");
  });

  it("validates digests like go-digest", () => {
    expect(goDigestProblem(digest)).toBeUndefined();
    expect(goDigestProblem(`sha512:${"a".repeat(128)}`)).toBeUndefined();
    expect(goDigestProblem(`md5:${"a".repeat(32)}`)).toBe("unsupported digest algorithm");
    expect(goDigestProblem(`sha256:${"A".repeat(64)}`)).toBe("invalid checksum digest format");
    expect(goDigestProblem("sha256")).toBe("invalid checksum digest format");
  });
});
