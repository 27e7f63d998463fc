import { describe, expect, it } from "@jest/globals";
import {
  familiarName,
  familiarString,
  isNameOnly,
  parseDockerReference,
  referenceString,
  repositoryName,
  type DockerReference,
} from "./reference.ts";

const hex64 = "0123456789abcdef".repeat(4);

function parsed(s: string): DockerReference {
  const result = parseDockerReference(s);
  if (!result.ok) throw new Error(result.message);
  return result.reference;
}

// Expected values are those of go.podman.io/image/v5/docker/reference ParseNormalizedNamed.
describe("parseDockerReference normalises like containers/image", () => {
  it.each([
    ["busybox", { domain: "docker.io", path: "library/busybox" }, "busybox"],
    ["busybox:1.36", { domain: "docker.io", path: "library/busybox", tag: "1.36" }, "busybox"],
    ["index.docker.io/foo/bar", { domain: "docker.io", path: "foo/bar" }, "foo/bar"],
    ["docker.io/library/x", { domain: "docker.io", path: "library/x" }, "x"],
    ["docker.io/library/a/b", { domain: "docker.io", path: "library/a/b" }, "library/a/b"],
    ["foo/bar", { domain: "docker.io", path: "foo/bar" }, "foo/bar"],
    ["localhost/foo", { domain: "localhost", path: "foo" }, "localhost/foo"],
    ["localhost:5000/foo:v1", { domain: "localhost:5000", path: "foo", tag: "v1" }, "localhost:5000/foo"],
    ["Quay.IO/ns/repo", { domain: "Quay.IO", path: "ns/repo" }, "Quay.IO/ns/repo"],
    ["example.com:5000", { domain: "docker.io", path: "library/example.com", tag: "5000" }, "example.com"],
    [
      `quay.io/a/b@sha256:${hex64}`,
      { domain: "quay.io", path: "a/b", digest: `sha256:${hex64}` },
      "quay.io/a/b",
    ],
    [
      `quay.io/a/b:t@sha256:${hex64}`,
      { domain: "quay.io", path: "a/b", tag: "t", digest: `sha256:${hex64}` },
      "quay.io/a/b",
    ],
    ["a.b/c__d--e.f_g", { domain: "a.b", path: "c__d--e.f_g" }, "a.b/c__d--e.f_g"],
  ])("%s", (input, reference, familiar) => {
    const ref = parsed(input);
    expect(ref).toEqual(reference);
    expect(familiarName(ref)).toBe(familiar);
  });

  it.each([
    ["", "invalid reference format"],
    [hex64, `invalid repository name (${hex64}), cannot specify 64-byte hexadecimal strings`],
    ["Busybox", "invalid reference format: repository name must be lowercase"],
    ["quay.io/Ns/repo", "invalid reference format: repository name must be lowercase"],
    ["quay.io/ns/repo:Tag_OK/x", "invalid reference format"],
    ["a/b/", "invalid reference format"],
    ["-a/b", "invalid reference format"],
    ["a/b:", "invalid reference format"],
    ["a/b@sha256:abc", "invalid reference format"],
    [`a/b@md5:${"a".repeat(32)}`, "unsupported digest algorithm"],
    [`a/b@sha256:${"a".repeat(63)}b1`, "invalid checksum digest length"],
    // The part before the first ":" is checked for case first.
    [`a/b@SHA256:${"a".repeat(64)}`, "invalid reference format: repository name must be lowercase"],
    [`a/b@sha256:${"A".repeat(64)}`, "invalid checksum digest format"],
    [`a/${"b".repeat(300)}`, "repository name must not be more than 255 characters"],
    ["a/b:" + "t".repeat(129), "invalid reference format"],
    ["ex ample.com/x", "invalid reference format"],
    ["example.com/\u0130", "invalid reference format: repository name must be lowercase"],
  ])("refuses %j: %s", (input, message) => {
    expect(parseDockerReference(input)).toEqual({ ok: false, message });
  });

  it("does not backtrack for ever on long invalid names", () => {
    const started = Date.now();
    expect(parseDockerReference("a".repeat(50000) + "!").ok).toBe(false);
    expect(parseDockerReference("a-".repeat(20000) + "!").ok).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe("reference strings", () => {
  it("gives the full, repository and familiar forms", () => {
    const ref = parsed(`busybox:1@sha256:${hex64}`);
    expect(repositoryName(ref)).toBe("docker.io/library/busybox");
    expect(referenceString(ref)).toBe(`docker.io/library/busybox:1@sha256:${hex64}`);
    expect(familiarString(ref)).toBe(`busybox:1@sha256:${hex64}`);
    expect(isNameOnly(ref)).toBe(false);
    expect(isNameOnly(parsed("busybox"))).toBe(true);
  });
});
