import { describe, expect, it } from "@jest/globals";
import { computeDigest, isDigest, parseDigest } from "./digest.ts";
import { ManifestFormatError, guessManifestMediaType, parseManifest } from "./manifest.ts";
import {
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  DOCKER_MANIFEST_SCHEMA1_SIGNED,
  OCI_INDEX,
  OCI_MANIFEST,
  normalizeContentType,
} from "./media-types.ts";

const D1 = `sha256:${"a".repeat(64)}`;
const D2 = `sha256:${"b".repeat(64)}`;
const D3 = `sha256:${"c".repeat(64)}`;

const bytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

const ociManifest = {
  schemaVersion: 2,
  mediaType: OCI_MANIFEST,
  config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: D1, size: 10 },
  layers: [
    {
      mediaType: "application/vnd.dev.cosign.simplesigning.v1+json",
      digest: D2,
      size: 250,
      annotations: { "dev.cosignproject.cosign/signature": "MEUC" },
    },
  ],
  subject: { mediaType: OCI_MANIFEST, digest: D3, size: 500 },
  annotations: { "org.opencontainers.image.created": "2026-01-01T00:00:00Z" },
  unknownField: { ignored: true },
};

describe("parseManifest", () => {
  it("parses an OCI image manifest with config, layers, subject and annotations", () => {
    const parsed = parseManifest(bytes(ociManifest), OCI_MANIFEST);
    expect(parsed).toEqual({
      kind: "manifest",
      mediaType: OCI_MANIFEST,
      config: ociManifest.config,
      layers: ociManifest.layers,
      subject: ociManifest.subject,
      annotations: ociManifest.annotations,
    });
  });

  it("parses an OCI manifest without mediaType (image-spec before 1.0.2)", () => {
    const { mediaType: _omitted, ...withoutType } = ociManifest;
    expect(parseManifest(bytes(withoutType), OCI_MANIFEST).kind).toBe("manifest");
  });

  it("parses a Docker schema 2 manifest", () => {
    const docker = {
      schemaVersion: 2,
      mediaType: DOCKER_MANIFEST,
      config: { mediaType: "application/vnd.docker.container.image.v1+json", digest: D1, size: 7 },
      layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar.gzip", digest: D2, size: 9 }],
    };
    const parsed = parseManifest(bytes(docker), DOCKER_MANIFEST);
    expect(parsed.kind).toBe("manifest");
    expect(parsed.kind === "manifest" && parsed.layers[0]?.digest).toBe(D2);
  });

  it("parses an OCI index and a Docker manifest list with platforms", () => {
    const index = {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: D1,
          size: 1,
          platform: { architecture: "arm", os: "linux", variant: "v7" },
        },
        { mediaType: OCI_MANIFEST, digest: D2, size: 2 },
        {
          mediaType: OCI_MANIFEST,
          digest: D3,
          size: 3,
          platform: {
            architecture: "amd64",
            os: "windows",
            "os.version": "10.0.17763.1",
            "os.features": ["win32k"],
          },
        },
      ],
    };
    const parsed = parseManifest(bytes(index), OCI_INDEX);
    expect(parsed.kind).toBe("index");
    if (parsed.kind !== "index") return;
    expect(parsed.manifests.map((m) => m.platform)).toEqual([
      { architecture: "arm", os: "linux", variant: "v7" },
      undefined,
      { architecture: "amd64", os: "windows", "os.version": "10.0.17763.1", "os.features": ["win32k"] },
    ]);

    const list = { ...index, mediaType: DOCKER_MANIFEST_LIST, manifests: [index.manifests[0]] };
    expect(parseManifest(bytes(list), DOCKER_MANIFEST_LIST).kind).toBe("index");
  });

  it("drops an empty variant so that it compares as absent", () => {
    const index = {
      schemaVersion: 2,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          digest: D1,
          size: 1,
          platform: { architecture: "amd64", os: "linux", variant: "" },
        },
      ],
    };
    const parsed = parseManifest(bytes(index), OCI_INDEX);
    expect(parsed.kind === "index" && parsed.manifests[0]?.platform).toEqual({
      architecture: "amd64",
      os: "linux",
    });
  });

  const cases: [string, unknown, string, RegExp][] = [
    ["not JSON", "{", OCI_MANIFEST, /not valid JSON/],
    ["a JSON array", [], OCI_MANIFEST, /not a JSON object/],
    ["schemaVersion 1", { ...ociManifest, schemaVersion: 1 }, OCI_MANIFEST, /schemaVersion is 1/],
    ["a mediaType that contradicts the served type", ociManifest, OCI_INDEX, /declares mediaType/],
    ["no config", { ...ociManifest, config: undefined }, OCI_MANIFEST, /config must be an object/],
    ["no layers", { ...ociManifest, layers: undefined }, OCI_MANIFEST, /layers must be an array/],
    [
      "a bad layer digest",
      { ...ociManifest, layers: [{ mediaType: "x", digest: "sha256:abc", size: 1 }] },
      OCI_MANIFEST,
      /layers\[0\]\.digest "sha256:abc" is not a valid digest/,
    ],
    [
      "a negative size",
      { ...ociManifest, config: { ...ociManifest.config, size: -1 } },
      OCI_MANIFEST,
      /config\.size must be a non-negative integer/,
    ],
    [
      "a fractional size",
      { ...ociManifest, config: { ...ociManifest.config, size: 1.5 } },
      OCI_MANIFEST,
      /config\.size/,
    ],
    [
      "a descriptor without mediaType",
      { ...ociManifest, config: { digest: D1, size: 1 } },
      OCI_MANIFEST,
      /config\.mediaType must be a non-empty string/,
    ],
    ["a bad subject", { ...ociManifest, subject: { digest: D1 } }, OCI_MANIFEST, /subject\.mediaType/],
    [
      "non-string annotations",
      { ...ociManifest, annotations: { a: 1 } },
      OCI_MANIFEST,
      /annotations must be an object of strings/,
    ],
    [
      "fields of an index in a manifest",
      { ...ociManifest, manifests: [] },
      OCI_MANIFEST,
      /also has field\(s\) manifests/,
    ],
    [
      "case-insensitive format fields, as Go's JSON decoder reads them",
      { schemaVersion: 2, mediaType: OCI_INDEX, manifests: [], Layers: [] },
      OCI_INDEX,
      /also has field\(s\) Layers/,
    ],
    [
      "a Docker manifest without mediaType",
      { schemaVersion: 2, config: ociManifest.config, layers: [] },
      DOCKER_MANIFEST,
      /no mediaType, required/,
    ],
    [
      "a Docker list entry without platform",
      {
        schemaVersion: 2,
        mediaType: DOCKER_MANIFEST_LIST,
        manifests: [{ mediaType: DOCKER_MANIFEST, digest: D1, size: 1 }],
      },
      DOCKER_MANIFEST_LIST,
      /platform is required/,
    ],
    [
      "a platform without os",
      {
        schemaVersion: 2,
        manifests: [{ mediaType: OCI_MANIFEST, digest: D1, size: 1, platform: { architecture: "arm" } }],
      },
      OCI_INDEX,
      /string architecture and os/,
    ],
    [
      "schema 1",
      { schemaVersion: 1 },
      DOCKER_MANIFEST_SCHEMA1_SIGNED,
      /schema 1 manifests .* are not supported/,
    ],
    [
      "an unknown media type",
      ociManifest,
      "application/json",
      /unsupported manifest media type "application\/json"/,
    ],
  ];
  it.each(cases)("refuses %s", (_name, value, mediaType, message) => {
    const input = typeof value === "string" ? new TextEncoder().encode(value) : bytes(value);
    expect(() => parseManifest(input, mediaType)).toThrow(ManifestFormatError);
    expect(() => parseManifest(input, mediaType)).toThrow(message);
  });

  it("refuses bytes that are not UTF-8", () => {
    expect(() => parseManifest(new Uint8Array([0x7b, 0xff, 0x7d]), OCI_MANIFEST)).toThrow(/not valid JSON/);
  });
});

describe("guessManifestMediaType", () => {
  it("follows containers/image's GuessMIMEType", () => {
    expect(guessManifestMediaType(bytes(ociManifest))).toBe(OCI_MANIFEST);
    expect(
      guessManifestMediaType(bytes({ schemaVersion: 2, mediaType: DOCKER_MANIFEST_LIST, manifests: [] })),
    ).toBe(DOCKER_MANIFEST_LIST);
    const { mediaType: _omitted, ...untyped } = ociManifest;
    expect(guessManifestMediaType(bytes(untyped))).toBe(OCI_MANIFEST);
    expect(
      guessManifestMediaType(
        bytes({ schemaVersion: 2, config: { mediaType: "application/vnd.docker.container.image.v1+json" } }),
      ),
    ).toBe(DOCKER_MANIFEST);
    expect(guessManifestMediaType(bytes({ schemaVersion: 2, manifests: [{ digest: D1 }] }))).toBe(OCI_INDEX);
    expect(guessManifestMediaType(bytes({ schemaVersion: 1, signatures: [] }))).toBe(
      DOCKER_MANIFEST_SCHEMA1_SIGNED,
    );
    expect(guessManifestMediaType(bytes({ schemaVersion: 3 }))).toBe("");
    expect(guessManifestMediaType(new TextEncoder().encode("<html>"))).toBe("");
  });
});

describe("digests and media types", () => {
  it("parses only well-formed sha256 and sha512 digests", () => {
    expect(parseDigest(D1)).toEqual({ algorithm: "sha256", hex: "a".repeat(64) });
    expect(parseDigest(`sha512:${"0".repeat(128)}`)?.algorithm).toBe("sha512");
    for (const bad of [
      `sha256:${"A".repeat(64)}`,
      `sha256:${"a".repeat(63)}`,
      `md5:${"a".repeat(32)}`,
      "sha256",
      "",
    ]) {
      expect(isDigest(bad)).toBe(false);
    }
  });

  it("computes digests", () => {
    expect(computeDigest(new TextEncoder().encode(""))).toBe(
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(computeDigest(new Uint8Array(), "sha512")).toMatch(/^sha512:cf83e135/);
  });

  it("normalises Content-Type headers", () => {
    expect(normalizeContentType("Application/VND.OCI.image.manifest.v1+json; charset=utf-8")).toBe(
      OCI_MANIFEST,
    );
    expect(normalizeContentType(undefined)).toBe("");
  });
});
