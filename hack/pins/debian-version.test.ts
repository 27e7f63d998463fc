import { describe, expect, it } from "@jest/globals";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  compareDebianVersions,
  parsePackageStanzas,
  resolveUpstreamPin,
  upstreamVersion,
} from "./debian-version.ts";

const testdata = join(fileURLToPath(import.meta.url), "..", "testdata");
const recorded = (name: string) => parsePackageStanzas(readFileSync(join(testdata, name), "utf8"));

describe("resolveUpstreamPin on recorded package lists", () => {
  it("accepts a binary rebuild of the pinned upstream version (+b4, then +b5)", () => {
    expect(
      resolveUpstreamPin(recorded("cosign-before-rebuild.txt"), "cosign", "2.5.0", "Debian trixie"),
    ).toEqual({
      ok: true,
      version: "2.5.0-2+b4",
    });
    expect(
      resolveUpstreamPin(recorded("trixie-bookworm-packages.txt"), "cosign", "2.5.0", "Debian trixie"),
    ).toEqual({
      ok: true,
      version: "2.5.0-2+b5",
    });
  });

  it("refuses an upstream version change, naming the pin and what is served", () => {
    const stanzas = recorded("trixie-bookworm-packages.txt").filter(
      (stanza) => stanza.version !== "2.8.2+ds1-1",
    );
    expect(resolveUpstreamPin(stanzas, "docker-registry", "2.8.2", "Debian trixie")).toEqual({
      ok: false,
      message:
        "docker-registry: pinned upstream 2.8.2, but Debian trixie now serves 2.8.3+ds1-2+b8; update the pin in hack/pins.sh (and check the tests with it)",
    });
  });

  it("refuses a package the suite does not serve", () => {
    const result = resolveUpstreamPin(
      recorded("trixie-bookworm-packages.txt"),
      "kube-apiserver",
      "1.34.4",
      "Debian trixie",
    );
    expect(result).toEqual({
      ok: false,
      message: "kube-apiserver: pinned upstream 1.34.4, but Debian trixie serves no kube-apiserver package",
    });
  });

  it("picks the newest revision when a list holds several of the pinned version", () => {
    const stanzas = [
      ...recorded("cosign-before-rebuild.txt"),
      ...recorded("trixie-bookworm-packages.txt"),
      { package: "cosign", version: "2.5.0-10" },
    ];
    expect(resolveUpstreamPin(stanzas, "cosign", "2.5.0", "Debian trixie")).toEqual({
      ok: true,
      version: "2.5.0-10",
    });
  });

  it("reads every stanza of the recording", () => {
    expect(
      recorded("trixie-bookworm-packages.txt").map((stanza) => `${stanza.package}=${stanza.version}`),
    ).toEqual([
      "cosign=2.5.0-2+b5",
      "etcd-server=3.5.16-4",
      "etcd-server=3.4.23-4+b4",
      "docker-registry=2.8.3+ds1-2+b8",
      "docker-registry=2.8.2+ds1-1",
    ]);
  });
});

describe("upstreamVersion", () => {
  it.each([
    ["2.5.0-2+b5", "2.5.0"],
    ["2.8.2+ds1-1", "2.8.2"],
    ["1:0.21.1-2", "0.21.1"],
    ["26.1.5+dfsg1-9+deb13u1", "26.1.5"],
    ["0.0~git20231006.7918f67-2", "0.0~git20231006.7918f67"],
    ["1.2.3", "1.2.3"],
    ["1.0-beta-3", "1.0-beta"],
  ])("%s → %s", (debian, upstream) => expect(upstreamVersion(debian)).toBe(upstream));
});

describe("compareDebianVersions (dpkg's order)", () => {
  it.each([
    ["2.5.0-2+b4", "2.5.0-2+b5"],
    ["2.5.0-2+b9", "2.5.0-2+b10"],
    ["1.0~rc1-1", "1.0-1"],
    ["1.0-1", "1.0+ds1-1"],
    ["1.0-1", "1:0.1-1"],
    ["1.0a-1", "1.0+-1"],
    ["3.4.23-4+b4", "3.5.16-4"],
    ["1.0", "1.0-1"],
  ])("%s < %s", (lower, higher) => {
    expect(compareDebianVersions(lower, higher)).toBeLessThan(0);
    expect(compareDebianVersions(higher, lower)).toBeGreaterThan(0);
  });

  it("treats equal versions as equal, leading zeros included", () => {
    expect(compareDebianVersions("1.002-1", "1.2-1")).toBe(0);
  });
});
