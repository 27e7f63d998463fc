// The Containerfile's base images are pinned by digest (a tag can be moved to other content), and the
// Node it runs is the Node the project pins (hack/pins.sh NODE_VERSION).
import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

interface BaseImage {
  line: number;
  image: string;
}

/**
 * The images the FROM lines name, after the global ARG defaults are substituted; a FROM naming an
 * earlier stage (`FROM build`), or `scratch`, names no image. Continuation lines are joined first.
 */
function baseImages(containerfile: string): BaseImage[] {
  const args = new Map<string, string>();
  const stages = new Set<string>();
  const images: BaseImage[] = [];
  let sawFrom = false;
  const lines = containerfile.replace(/\\\n/g, " ").split("\n");
  lines.forEach((text, index) => {
    const words = text.trim().split(/\s+/);
    const instruction = words[0]?.toUpperCase();
    if (instruction === "ARG" && !sawFrom) {
      const [name = "", value = ""] = (words[1] ?? "").split(/=(.*)/s);
      args.set(name, value.replace(/^"(.*)"$/, "$1"));
    }
    if (instruction !== "FROM") return;
    sawFrom = true;
    const operands = words.slice(1).filter((w) => !w.startsWith("--"));
    const image = (operands[0] ?? "").replace(
      /\$\{(\w+)\}|\$(\w+)/g,
      (_, braced?: string, bare?: string) => args.get(braced ?? bare ?? "") ?? "",
    );
    const isStage = stages.has(image.toLowerCase());
    if (operands[1]?.toUpperCase() === "AS" && operands[2]) stages.add(operands[2].toLowerCase());
    // `scratch` is the empty image, not something pulled.
    if (!isStage && image !== "scratch") images.push({ line: index + 1, image });
  });
  return images;
}

const DIGEST = /@sha256:[0-9a-f]{64}$/;
const unpinned = (text: string): string[] =>
  baseImages(text)
    .filter((b) => !DIGEST.test(b.image))
    .map((b) => `line ${b.line}: ${b.image || "(empty)"}`);

describe("Containerfile", () => {
  const containerfile = readFileSync(join(root, "Containerfile"), "utf8");

  it("names every base image by digest", () => {
    expect(baseImages(containerfile).length).toBeGreaterThan(0);
    expect(unpinned(containerfile)).toEqual([]);
  });

  it("runs the Node version hack/pins.sh pins", () => {
    const pins = readFileSync(join(root, "hack/pins.sh"), "utf8");
    const nodeVersion = /^NODE_VERSION="\$\{NODE_VERSION:-([0-9.]+)\}"/m.exec(pins)?.[1];
    expect(nodeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    const nodeImages = baseImages(containerfile).filter((b) => b.image.startsWith("docker.io/library/node:"));
    expect(nodeImages.length).toBeGreaterThan(0);
    for (const { image } of nodeImages) {
      expect(image).toMatch(new RegExp(`^docker\\.io/library/node:${nodeVersion}-bookworm-slim@sha256:`));
    }
  });

  it("the check refuses a tag-only base and accepts stage names, digests, scratch and ARG defaults", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(unpinned("FROM docker.io/library/node:24-bookworm-slim AS build\nFROM build\n")).toEqual([
      "line 1: docker.io/library/node:24-bookworm-slim",
    ]);
    expect(unpinned(`FROM node@${digest} AS build\nRUN true\nFROM build AS test\nFROM build\n`)).toEqual([]);
    expect(unpinned(`FROM --platform=$BUILDPLATFORM node:24@${digest} AS b\nFROM scratch\n`)).toEqual([]);
    expect(unpinned("FROM --platform=linux/amd64 node:24 AS b\n")).toEqual(["line 1: node:24"]);
    expect(unpinned(`ARG BASE=node:24@${digest}\nFROM \${BASE}\n`)).toEqual([]);
    expect(unpinned("ARG BASE=node:24\nFROM $BASE\n")).toEqual(["line 2: node:24"]);
    expect(unpinned("ARG BASE\nFROM ${BASE}\n")).toEqual(["line 2: (empty)"]);
    // A stage named like the image it starts from is still an image.
    expect(unpinned("FROM node AS node\n")).toEqual(["line 1: node"]);
  });
});
