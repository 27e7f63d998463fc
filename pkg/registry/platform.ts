// Choosing the instance of a multi-platform image the way CRI-O and podman do, i.e. containers/image
// (container-libs image/internal/pkg/platform/platform_matcher.go WantedPlatforms / MatchesPlatform, and
// image/internal/manifest/{oci_index,docker_schema2_list}.go ChooseInstance).
//
// The wanted platforms are an ordered candidate list: for arm64 with no variant asked for,
// [arm64, arm64/v8]; for arm/v7, [arm/v7, arm/v6, arm/v5, arm]. An image platform matches a candidate only
// when os, architecture and variant are all equal (os.version and os.features are not used).
// For an OCI index, the best instance is the one matching the earliest candidate; entries without a
// platform match everything, after every real match; ties go to the zstd instance (unless preferGzip),
// then to the zstd:chunked sentinel one, then to the earlier entry. For a Docker manifest list the
// candidates are tried in order and the first entry matching wins.
//
// amd64 micro-architecture levels (v2, v3, v4) are not in containers/image's compatibility table (as of
// container-libs 5.40): an amd64 host with no variant asked for wants exactly "no variant", so an
// index that only offers linux/amd64/v2 does not match, exactly as on a CRI-O node.
// (Detection of amd64 levels is proposed upstream, podman-container-tools/container-libs#1150, opt-in.)
import { readFileSync } from "node:fs";
import { endianness } from "node:os";
import type { Descriptor, ImageIndex, Platform } from "./manifest.ts";
import { DOCKER_MANIFEST_LIST } from "./media-types.ts";

/** What to pull: fields left out come from the running machine, like SystemContext's *Choice fields. */
export interface PlatformChoice {
  os?: string;
  architecture?: string;
  variant?: string;
}

export interface WantedPlatform {
  os: string;
  architecture: string;
  /** "" for "no variant given in the image". */
  variant: string;
}

/** Variants known per architecture, most capable first (containers/image `compatibility`). */
const VARIANT_COMPATIBILITY: Readonly<Record<string, readonly string[]>> = {
  arm: ["v8", "v7", "v6", "v5"],
  arm64: ["v8"],
};

// Node's process.arch / process.platform names → Go's GOARCH / GOOS, which images use.
const GO_ARCH: Readonly<Record<string, string>> = {
  x64: "amd64",
  ia32: "386",
  mipsel: "mipsle",
  mips64el: "mips64le",
};
const GO_OS: Readonly<Record<string, string>> = { win32: "windows", sunos: "solaris" };

/** Go's GOARCH name for a Node process.arch value (arm, arm64, s390x, riscv64, … are the same in both). */
export function goArchitecture(nodeArch: string, byteOrder: "BE" | "LE" = endianness()): string {
  // Node says ppc64 for both byte orders; Go (and every image index) says ppc64le for the common one.
  if (nodeArch === "ppc64") return byteOrder === "LE" ? "ppc64le" : "ppc64";
  return GO_ARCH[nodeArch] ?? nodeArch;
}

/** Go's GOOS name for a Node process.platform value. */
export function goOperatingSystem(nodePlatform: string): string {
  return GO_OS[nodePlatform] ?? nodePlatform;
}

/**
 * The CPU variant of the running machine, as containers/image detects it: for arm and arm64 from
 * /proc/cpuinfo's "Cpu architecture" ("8" → v8, "7" → v7 unless the model is "ARMv6-compatible", …);
 * "" for every other architecture.
 */
export function detectCpuVariant(
  architecture: string,
  readCpuInfo: () => string = () => readFileSync("/proc/cpuinfo", "utf8"),
): string {
  if (architecture !== "arm" && architecture !== "arm64") return "";
  let cpuInfo: string;
  try {
    cpuInfo = readCpuInfo();
  } catch {
    return "";
  }
  const field = (name: string): string | undefined => {
    for (const line of cpuInfo.split("\n")) {
      const colon = line.indexOf(":");
      if (colon !== -1 && line.slice(0, colon).trim().toLowerCase() === name) {
        return line.slice(colon + 1).trim();
      }
    }
    return undefined;
  };
  const cpuArchitecture = field("cpu architecture");
  if (cpuArchitecture === undefined) return "";
  switch (cpuArchitecture.toLowerCase()) {
    case "8":
    case "aarch64":
      return "v8";
    case "7":
      // Raspberry Pi Zero/1 kernels report 7 for an ARMv6 CPU (containerd/containerd#4530).
      return (field("model name") ?? "").toLowerCase().startsWith("armv6-compatible") ? "v6" : "v7";
    case "7m":
    case "?(12)":
    case "?(13)":
    case "?(14)":
    case "?(15)":
    case "?(16)":
    case "?(17)":
      return "v7";
    case "6":
    case "6tej":
      return "v6";
    case "5":
    case "5t":
    case "5te":
    case "5tej":
      return "v5";
    case "4":
    case "4t":
      return "v4";
    case "3":
      return "v3";
    default:
      return "";
  }
}

export interface HostPlatform {
  os: string;
  architecture: string;
  /** Detected only on arm and arm64; "" elsewhere. */
  variant: string;
}

/** The running machine's platform in Go's names. */
export function hostPlatform(): HostPlatform {
  const architecture = goArchitecture(process.arch);
  return {
    os: goOperatingSystem(process.platform),
    architecture,
    variant: detectCpuVariant(architecture),
  };
}

/**
 * The ordered candidate platforms for a choice (containers/image WantedPlatforms). As there, the variant
 * is detected from the machine only when the architecture is not chosen explicitly.
 */
export function wantedPlatforms(
  choice: PlatformChoice = {},
  host: HostPlatform = hostPlatform(),
): WantedPlatform[] {
  const architecture = choice.architecture || host.architecture;
  const os = choice.os || host.os;
  let wantedVariant = choice.architecture ? "" : host.variant;
  if (choice.variant) wantedVariant = choice.variant;

  let variants: string[];
  if (wantedVariant !== "") {
    const order = VARIANT_COMPATIBILITY[architecture];
    const at = order?.indexOf(wantedVariant) ?? -1;
    variants = order !== undefined && at !== -1 ? order.slice(at) : [wantedVariant];
    variants.push("");
  } else {
    variants = ["", ...(VARIANT_COMPATIBILITY[architecture] ?? [])];
  }
  return variants.map((variant) => ({ os, architecture, variant }));
}

export function matchesPlatform(image: Platform, wanted: WantedPlatform): boolean {
  return (
    image.architecture === wanted.architecture &&
    image.os === wanted.os &&
    (image.variant ?? "") === wanted.variant
  );
}

export interface ChooseInstanceOptions extends PlatformChoice {
  /** Prefer gzip over zstd instances at equal platform rank (containers/image ChooseInstanceByCompression). */
  preferGzip?: boolean;
  /** The machine to default to; the running one if not given. */
  host?: HostPlatform;
}

export class NoMatchingInstanceError extends Error {
  override readonly name = "NoMatchingInstanceError";
  readonly wanted: WantedPlatform;
  constructor(message: string, wanted: WantedPlatform) {
    super(message);
    this.wanted = wanted;
  }
}

const ZSTD_ANNOTATION = "io.github.containers.compression.zstd";
const ZSTD_CHUNKED_SENTINEL_ANNOTATION = "io.github.containers.zstd-chunked.sentinel";

/** The entry of an index or manifest list that containers/image would pull for the platform. */
export function chooseInstance(index: ImageIndex, options: ChooseInstanceOptions = {}): Descriptor {
  const wanted = wantedPlatforms(options, options.host);
  const first = wanted[0] as WantedPlatform; // never empty: there is always the "" variant candidate
  const describe = (listKind: string): string =>
    `no image found in ${listKind} for architecture ${JSON.stringify(first.architecture)}, ` +
    `variant ${JSON.stringify(first.variant)}, OS ${JSON.stringify(first.os)}`;

  if (index.mediaType === DOCKER_MANIFEST_LIST) {
    for (const candidate of wanted) {
      const found = index.manifests.find(
        (d) => d.platform !== undefined && matchesPlatform(d.platform, candidate),
      );
      if (found) return found;
    }
    throw new NoMatchingInstanceError(describe("manifest list"), first);
  }

  interface Ranked {
    descriptor: Descriptor;
    platformRank: number;
    isZstd: boolean;
    hasSentinel: boolean;
    position: number;
  }
  const preferred = (a: Ranked, b: Ranked): boolean => {
    if (a.platformRank !== b.platformRank) return a.platformRank < b.platformRank;
    if (a.isZstd !== b.isZstd) return options.preferGzip ? !a.isZstd : a.isZstd;
    if (a.hasSentinel !== b.hasSentinel) return a.hasSentinel;
    return a.position < b.position;
  };
  let best: Ranked | undefined;
  index.manifests.forEach((descriptor, position) => {
    let platformRank = Number.MAX_SAFE_INTEGER;
    if (descriptor.platform !== undefined) {
      const platform = descriptor.platform;
      platformRank = wanted.findIndex((candidate) => matchesPlatform(platform, candidate));
      if (platformRank === -1) return;
    }
    const candidate: Ranked = {
      descriptor,
      platformRank,
      isZstd: descriptor.annotations?.[ZSTD_ANNOTATION] === "true",
      hasSentinel: descriptor.annotations?.[ZSTD_CHUNKED_SENTINEL_ANNOTATION] === "true",
      position,
    };
    if (best === undefined || preferred(candidate, best)) best = candidate;
  });
  if (best === undefined) throw new NoMatchingInstanceError(describe("image index"), first);
  return best.descriptor;
}
