import { describe, expect, it } from "@jest/globals";
import type { Policy } from "./policy.ts";
import { parseDockerReference, type DockerReference } from "./reference.ts";
import {
  dockerReferenceNamespaces,
  policyScopesForDockerReference,
  requirementsForImage,
  scopeIsNestedInside,
  scopeIsWrittenUnderAtomic,
} from "./scope.ts";

const hex64 = "0123456789abcdef".repeat(4);

function ref(s: string): DockerReference {
  const result = parseDockerReference(s);
  if (!result.ok) throw new Error(result.message);
  return result.reference;
}

describe("scopeIsNestedInside (runtime-utils ScopeIsNestedInsideScope)", () => {
  it.each([
    // mco-image-policy.md §6 and §8
    ["foo.example.com/ns/repo", "*.example.com", true],
    ["*.foo.example.com", "*.example.com", true],
    ["example.com", "*.example.com", false],
    [`a.com/a1/a2@sha256:${hex64}`, "a.com/a1/a2", false],
    ["example.com/global/image", "example.com/global", true],
    // equality, namespaces, and prefixes that are not at a "/" boundary
    ["example.com", "example.com", true],
    ["example.com/foo", "example.com", true],
    ["example.com", "example.com/foo", false],
    ["example.com.evil/foo", "example.com", false],
    ["example.com:5000/foo", "example.com", false],
    ["example.com/foo:tag", "example.com/foo", false],
    // wildcards look at the host only; a ":" anywhere cuts there first, so a tag after a path fails
    ["foo.example.com:5000", "*.example.com", true],
    ["foo.example.com:5000/repo", "*.example.com", true],
    ["foo.example.com/repo:tag", "*.example.com", false],
    [`foo.example.com/repo@sha256:${hex64}`, "*.example.com", false],
    ["quay/bar.foo", "*.foo", false],
    ["quay/bar.foo:400", "*.foo", false],
    ["barexample.com", "*.example.com", false],
    ["*.example.com", "*.example.com", true],
    ["*.com", "*.example.com", false],
  ])("%s in %s: %s", (sub, sup, nested) => {
    expect(scopeIsNestedInside(sub, sup)).toBe(nested);
  });
});

// Expected lists are docker.ParseReference("//" + input)'s PolicyConfigurationIdentity followed by
// its PolicyConfigurationNamespaces, in go.podman.io/image/v5 v5.42.
describe("policyScopesForDockerReference", () => {
  it.each([
    [
      "busybox",
      [
        "docker.io/library/busybox:latest",
        "docker.io/library/busybox",
        "docker.io/library",
        "docker.io",
        "*.io",
      ],
    ],
    [
      "a.b.example.com:5000/ns/repo:v1",
      [
        "a.b.example.com:5000/ns/repo:v1",
        "a.b.example.com:5000/ns/repo",
        "a.b.example.com:5000/ns",
        "a.b.example.com:5000",
        "*.b.example.com",
        "*.example.com",
        "*.com",
      ],
    ],
    [
      `quay.io/a/b@sha256:${hex64}`,
      [`quay.io/a/b@sha256:${hex64}`, "quay.io/a/b", "quay.io/a", "quay.io", "*.io"],
    ],
    ["localhost:5000/foo:v1", ["localhost:5000/foo:v1", "localhost:5000/foo", "localhost:5000"]],
    ["Quay.IO/ns/repo", ["Quay.IO/ns/repo:latest", "Quay.IO/ns/repo", "Quay.IO/ns", "Quay.IO", "*.IO"]],
  ])("%s", (input, scopes) => {
    expect(policyScopesForDockerReference(ref(input))).toEqual({ ok: true, scopes });
  });

  it("refuses a reference with both a tag and a digest, like the docker transport", () => {
    expect(policyScopesForDockerReference(ref(`quay.io/a/b:t@sha256:${hex64}`))).toEqual({
      ok: false,
      message: "Docker references with both a tag and digest are currently not supported",
    });
  });

  it("lists namespaces without the tag", () => {
    expect(dockerReferenceNamespaces(ref("a.example.com/x:1"))).toEqual([
      "a.example.com/x",
      "a.example.com",
      "*.example.com",
      "*.com",
    ]);
  });
});

describe("requirementsForImage", () => {
  const reject = [{ type: "reject" as const }];
  const accept = [{ type: "insecureAcceptAnything" as const }];
  const signed = [
    { type: "sigstoreSigned" as const, keyPath: "/k", signedIdentity: { type: "matchRepository" as const } },
  ];
  const policy: Policy = {
    default: reject,
    transports: {
      docker: {
        "": accept,
        "quay.io/ns/repo:v1": reject,
        "quay.io/ns": signed,
        "*.example.com": signed,
        "registry.example.com": accept,
      },
      atomic: { "quay.io": signed },
    },
  };

  it.each([
    ["quay.io/ns/repo:v1", { transport: "docker", scope: "quay.io/ns/repo:v1" }],
    ["quay.io/ns/repo:v2", { transport: "docker", scope: "quay.io/ns" }],
    ["quay.io/other/repo", { transport: "docker", scope: "" }],
    ["registry.example.com/a/b", { transport: "docker", scope: "registry.example.com" }],
    ["mirror.example.com/a/b", { transport: "docker", scope: "*.example.com" }],
    ["mirror.example.com:5000/a", { transport: "docker", scope: "*.example.com" }],
    ["example.com/a", { transport: "docker", scope: "" }],
  ])("%s uses %j", (image, section) => {
    const result = requirementsForImage(policy, "docker", ref(image));
    expect(result.ok && result.section).toEqual(section);
  });

  it("returns the section's requirements, not a merge", () => {
    const result = requirementsForImage(policy, "docker", ref("quay.io/ns/repo:v1"));
    expect(result.ok && result.requirements).toBe(reject);
  });

  it('falls back to the default when the transport has no matching scope and no "" scope', () => {
    expect(requirementsForImage(policy, "atomic", ref("other.io/a/b:1"))).toEqual({
      ok: true,
      requirements: reject,
      section: "default",
    });
    expect(requirementsForImage({ default: accept, transports: {} }, "docker", ref("busybox"))).toEqual({
      ok: true,
      requirements: accept,
      section: "default",
    });
  });

  it("looks atomic references up the same way", () => {
    const result = requirementsForImage(policy, "atomic", ref("quay.io/ns/stream:1"));
    expect(result.ok && result.section).toEqual({ transport: "atomic", scope: "quay.io" });
  });
});

describe("scopeIsWrittenUnderAtomic (MCO writes scopes with fewer than three slashes)", () => {
  it.each([
    ["example.com", true],
    ["example.com/a/b", true],
    ["example.com/a/b:tag", true],
    ["example.com/a/b/c", false],
    ["*.example.com", true],
  ])("%s: %s", (scope, written) => {
    expect(scopeIsWrittenUnderAtomic(scope)).toBe(written);
  });
});
