import { describe, expect, it } from "@jest/globals";
import type { Descriptor, ImageIndex, Platform } from "./manifest.ts";
import { DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST } from "./media-types.ts";
import {
  NoMatchingInstanceError,
  chooseInstance,
  detectCpuVariant,
  goArchitecture,
  goOperatingSystem,
  matchesPlatform,
  wantedPlatforms,
  type HostPlatform,
} from "./platform.ts";

const AMD64_HOST: HostPlatform = { os: "linux", architecture: "amd64", variant: "" };
const ARM64_HOST: HostPlatform = { os: "linux", architecture: "arm64", variant: "v8" };
const ARMV7_HOST: HostPlatform = { os: "linux", architecture: "arm", variant: "v7" };

function digestOf(n: number): string {
  return `sha256:${n.toString(16).padStart(64, "0")}`;
}

function entry(n: number, platform?: Platform, annotations?: Record<string, string>): Descriptor {
  return {
    mediaType: OCI_MANIFEST,
    digest: digestOf(n),
    size: 100 + n,
    ...(platform ? { platform } : {}),
    ...(annotations ? { annotations } : {}),
  };
}

function ociIndex(...manifests: Descriptor[]): ImageIndex {
  return { kind: "index", mediaType: OCI_INDEX, manifests };
}

function dockerList(...manifests: Descriptor[]): ImageIndex {
  return {
    kind: "index",
    mediaType: DOCKER_MANIFEST_LIST,
    manifests: manifests.map((m) => ({ ...m, mediaType: DOCKER_MANIFEST })),
  };
}

const linux = (architecture: string, variant?: string): Platform => ({
  os: "linux",
  architecture,
  ...(variant ? { variant } : {}),
});

// A typical multi-arch index in the order upstream projects publish it.
const multiArch = ociIndex(
  entry(1, linux("amd64")),
  entry(2, linux("arm", "v6")),
  entry(3, linux("arm", "v7")),
  entry(4, linux("arm64", "v8")),
  entry(5, linux("ppc64le")),
  entry(6, linux("s390x")),
  entry(7, { os: "unknown", architecture: "unknown" }),
);

describe("wantedPlatforms (containers/image WantedPlatforms)", () => {
  it("lists the no-variant candidate, then the known variants, for the host's architecture", () => {
    expect(wantedPlatforms({}, { ...ARM64_HOST, variant: "" })).toEqual([
      { os: "linux", architecture: "arm64", variant: "" },
      { os: "linux", architecture: "arm64", variant: "v8" },
    ]);
    expect(wantedPlatforms({}, AMD64_HOST)).toEqual([{ os: "linux", architecture: "amd64", variant: "" }]);
  });

  it("walks down the variant compatibility list from the detected or chosen variant", () => {
    expect(wantedPlatforms({}, ARMV7_HOST).map((p) => p.variant)).toEqual(["v7", "v6", "v5", ""]);
    expect(wantedPlatforms({ variant: "v8" }, ARMV7_HOST).map((p) => p.variant)).toEqual([
      "v8",
      "v7",
      "v6",
      "v5",
      "",
    ]);
    expect(wantedPlatforms({}, ARM64_HOST).map((p) => p.variant)).toEqual(["v8", ""]);
  });

  it("does not detect the variant when the architecture is chosen, even the host's own", () => {
    expect(wantedPlatforms({ architecture: "arm" }, ARMV7_HOST).map((p) => p.variant)).toEqual([
      "",
      "v8",
      "v7",
      "v6",
      "v5",
    ]);
    expect(wantedPlatforms({ architecture: "arm64", os: "darwin" }, AMD64_HOST)).toEqual([
      { os: "darwin", architecture: "arm64", variant: "" },
      { os: "darwin", architecture: "arm64", variant: "v8" },
    ]);
  });

  it("keeps an unknown variant as the only specific candidate (no amd64 levels upstream)", () => {
    expect(wantedPlatforms({ variant: "v3" }, AMD64_HOST).map((p) => p.variant)).toEqual(["v3", ""]);
  });
});

describe("matchesPlatform", () => {
  it("needs os, architecture and variant to be equal, and ignores os.version", () => {
    const wanted = { os: "linux", architecture: "arm", variant: "v7" };
    expect(matchesPlatform(linux("arm", "v7"), wanted)).toBe(true);
    expect(matchesPlatform(linux("arm"), wanted)).toBe(false);
    expect(matchesPlatform({ ...linux("arm", "v7"), "os.version": "x" }, wanted)).toBe(true);
    expect(matchesPlatform({ os: "windows", architecture: "arm", variant: "v7" }, wanted)).toBe(false);
  });
});

describe("chooseInstance for an OCI index (containers/image OCI1Index.ChooseInstance)", () => {
  it("picks the host's platform", () => {
    expect(chooseInstance(multiArch, { host: AMD64_HOST }).digest).toBe(digestOf(1));
    expect(chooseInstance(multiArch, { host: ARM64_HOST }).digest).toBe(digestOf(4));
    expect(chooseInstance(multiArch, { host: ARMV7_HOST }).digest).toBe(digestOf(3));
    expect(
      chooseInstance(multiArch, { host: { os: "linux", architecture: "arm", variant: "v6" } }).digest,
    ).toBe(digestOf(2));
  });

  it("picks an explicitly chosen platform", () => {
    expect(chooseInstance(multiArch, { host: AMD64_HOST, architecture: "s390x" }).digest).toBe(digestOf(6));
    expect(chooseInstance(multiArch, { host: AMD64_HOST, architecture: "ppc64le", os: "linux" }).digest).toBe(
      digestOf(5),
    );
  });

  it("lets an arm64 host without a detected variant take the v8 image", () => {
    const index = ociIndex(entry(1, linux("amd64")), entry(2, linux("arm64", "v8")));
    expect(chooseInstance(index, { host: { ...ARM64_HOST, variant: "" } }).digest).toBe(digestOf(2));
  });

  it("prefers the no-variant image for arm64 when no variant is wanted, else the exact variant", () => {
    const index = ociIndex(entry(1, linux("arm64", "v8")), entry(2, linux("arm64")));
    expect(chooseInstance(index, { host: AMD64_HOST, architecture: "arm64" }).digest).toBe(digestOf(2));
    expect(chooseInstance(index, { host: ARM64_HOST }).digest).toBe(digestOf(1));
  });

  it("falls back from arm/v7 to v6, v5, then no variant, never up to v8", () => {
    const index = ociIndex(
      entry(1, linux("arm", "v8")),
      entry(2, linux("arm", "v5")),
      entry(3, linux("arm")),
    );
    expect(chooseInstance(index, { host: ARMV7_HOST }).digest).toBe(digestOf(2));
    const noV5 = ociIndex(entry(1, linux("arm", "v8")), entry(3, linux("arm")));
    expect(chooseInstance(noV5, { host: ARMV7_HOST }).digest).toBe(digestOf(3));
  });

  it("does not give an amd64 host an amd64/v2 image (no micro-architecture levels upstream)", () => {
    const index = ociIndex(entry(1, linux("amd64", "v2")), entry(2, linux("arm64")));
    expect(() => chooseInstance(index, { host: AMD64_HOST })).toThrow(NoMatchingInstanceError);
    expect(chooseInstance(index, { host: AMD64_HOST, variant: "v2" }).digest).toBe(digestOf(1));
  });

  it("takes an entry without a platform only when no entry matches", () => {
    const index = ociIndex(entry(1), entry(2, linux("arm64")), entry(3, linux("amd64")));
    expect(chooseInstance(index, { host: AMD64_HOST }).digest).toBe(digestOf(3));
    expect(chooseInstance(index, { host: AMD64_HOST, architecture: "s390x" }).digest).toBe(digestOf(1));
  });

  it("prefers zstd instances unless preferGzip, then the zstd:chunked sentinel, then the first", () => {
    const zstd = { "io.github.containers.compression.zstd": "true" };
    const sentinel = { ...zstd, "io.github.containers.zstd-chunked.sentinel": "true" };
    const index = ociIndex(
      entry(1, linux("amd64")),
      entry(2, linux("amd64"), zstd),
      entry(3, linux("amd64"), sentinel),
      entry(4, linux("amd64")),
    );
    expect(chooseInstance(index, { host: AMD64_HOST }).digest).toBe(digestOf(3));
    expect(chooseInstance(index, { host: AMD64_HOST, preferGzip: true }).digest).toBe(digestOf(1));
    // A better platform match wins over compression.
    const ranked = ociIndex(entry(1, linux("arm64", "v8"), zstd), entry(2, linux("arm64")));
    expect(chooseInstance(ranked, { host: AMD64_HOST, architecture: "arm64" }).digest).toBe(digestOf(2));
  });

  it("says what it looked for when nothing matches", () => {
    expect(() => chooseInstance(ociIndex(entry(1, linux("arm64"))), { host: AMD64_HOST })).toThrow(
      'no image found in image index for architecture "amd64", variant "", OS "linux"',
    );
  });
});

describe("chooseInstance for a Docker manifest list (containers/image Schema2List.ChooseInstance)", () => {
  it("tries the candidates in order and takes the first entry matching", () => {
    const list = dockerList(
      entry(1, linux("arm", "v5")),
      entry(2, linux("arm", "v7")),
      entry(3, linux("arm", "v7")),
    );
    expect(chooseInstance(list, { host: ARMV7_HOST }).digest).toBe(digestOf(2));
    expect(chooseInstance(list, { host: { os: "linux", architecture: "arm", variant: "v6" } }).digest).toBe(
      digestOf(1),
    );
  });

  it("ignores compression annotations and says 'manifest list' when nothing matches", () => {
    const list = dockerList(entry(1, linux("amd64")));
    expect(() => chooseInstance(list, { host: ARM64_HOST })).toThrow(
      'no image found in manifest list for architecture "arm64", variant "v8", OS "linux"',
    );
  });
});

describe("host platform detection", () => {
  it("maps Node's names to Go's", () => {
    expect(goArchitecture("x64")).toBe("amd64");
    expect(goArchitecture("ia32")).toBe("386");
    expect(goArchitecture("arm64")).toBe("arm64");
    expect(goArchitecture("ppc64", "LE")).toBe("ppc64le");
    expect(goArchitecture("ppc64", "BE")).toBe("ppc64");
    expect(goArchitecture("s390x")).toBe("s390x");
    expect(goOperatingSystem("win32")).toBe("windows");
    expect(goOperatingSystem("linux")).toBe("linux");
    expect(goOperatingSystem("darwin")).toBe("darwin");
  });

  it("reads the ARM variant from /proc/cpuinfo like containers/image", () => {
    const cpuInfo =
      (architecture: string, model = "ARMv7 Processor rev 4 (v7l)") =>
      () =>
        `processor\t: 0\nmodel name\t: ${model}\nCPU architecture: ${architecture}\n`;
    expect(detectCpuVariant("arm64", cpuInfo("8"))).toBe("v8");
    expect(detectCpuVariant("arm64", cpuInfo("AArch64"))).toBe("v8");
    expect(detectCpuVariant("arm", cpuInfo("7"))).toBe("v7");
    expect(detectCpuVariant("arm", cpuInfo("7", "ARMv6-compatible processor rev 7 (v6l)"))).toBe("v6");
    expect(detectCpuVariant("arm", cpuInfo("6TEJ"))).toBe("v6");
    expect(detectCpuVariant("arm", cpuInfo("5TE"))).toBe("v5");
    expect(detectCpuVariant("arm", cpuInfo("?(12)"))).toBe("v7");
    expect(detectCpuVariant("arm", cpuInfo("something"))).toBe("");
    expect(detectCpuVariant("arm", () => "processor: 0\n")).toBe("");
    expect(
      detectCpuVariant("arm", () => {
        throw new Error("no /proc");
      }),
    ).toBe("");
    expect(detectCpuVariant("amd64", cpuInfo("8"))).toBe("");
  });
});
