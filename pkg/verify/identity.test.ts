import { describe, expect, it } from "@jest/globals";
import type { PolicyReferenceMatch } from "../containers/policy.ts";
import { parseDockerReference, type DockerReference } from "../containers/reference.ts";
import { signedIdentityMatches } from "./identity.ts";

function ref(s: string): DockerReference {
  const parsed = parseDockerReference(s);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.reference;
}

const digest = `sha256:${"0123456789abcdef".repeat(4)}`;
const other = `sha256:${"fedcba9876543210".repeat(4)}`;

// [identity, image, signed reference, expected] — cases of containers/image's policy_reference_match_test.go.
const cases: [PolicyReferenceMatch, string, string, boolean][] = [
  [{ type: "matchExact" }, "example.com/ns/app:v1", "example.com/ns/app:v1", true],
  [{ type: "matchExact" }, "example.com/ns/app:v1", "example.com/ns/app:v2", false],
  [{ type: "matchExact" }, "example.com/ns/app:v1", "example.com/ns/app", false],
  [{ type: "matchExact" }, `example.com/ns/app@${digest}`, `example.com/ns/app@${digest}`, true],
  [{ type: "matchExact" }, `example.com/ns/app@${digest}`, "example.com/ns/app:v1", false],
  [{ type: "matchExact" }, "busybox:latest", "docker.io/library/busybox:latest", true],
  [{ type: "matchRepoDigestOrExact" }, "example.com/ns/app:v1", "example.com/ns/app:v1", true],
  [{ type: "matchRepoDigestOrExact" }, "example.com/ns/app:v1", "example.com/ns/app:v2", false],
  [{ type: "matchRepoDigestOrExact" }, `example.com/ns/app@${digest}`, "example.com/ns/app:v7", true],
  [{ type: "matchRepoDigestOrExact" }, `example.com/ns/app@${digest}`, `example.com/ns/app@${other}`, true],
  [{ type: "matchRepoDigestOrExact" }, `example.com/ns/app@${digest}`, "example.com/ns/app", false],
  [{ type: "matchRepoDigestOrExact" }, `example.com/ns/app@${digest}`, "example.com/ns/other:v1", false],
  [{ type: "matchRepository" }, "example.com/ns/app:v1", "example.com/ns/app", true],
  [{ type: "matchRepository" }, `example.com/ns/app@${digest}`, "example.com/ns/app:whatever", true],
  [{ type: "matchRepository" }, "example.com/ns/app:v1", "example.com/ns/app2", false],
  [{ type: "matchRepository" }, "example.com/ns/app:v1", "Example.com/ns/app", false],
  [{ type: "matchRepository" }, "example.com/ns/app:v1", "not a reference", false],
  [
    { type: "exactReference", dockerReference: "example.com/ns/app:v1" },
    "other.com/x:y",
    "example.com/ns/app:v1",
    true,
  ],
  [
    { type: "exactReference", dockerReference: "example.com/ns/app:v1" },
    "other.com/x:y",
    "example.com/ns/app",
    false,
  ],
  [
    { type: "exactRepository", dockerRepository: "example.com/ns/app" },
    "other.com/x:y",
    "example.com/ns/app:v9",
    true,
  ],
  [
    { type: "exactRepository", dockerRepository: "example.com/ns/app" },
    "other.com/x:y",
    "example.com/ns/app2",
    false,
  ],
  [
    { type: "remapIdentity", prefix: "mirror.local/ns", signedPrefix: "example.com/ns" },
    "mirror.local/ns/app:v1",
    "example.com/ns/app:v1",
    true,
  ],
  [
    { type: "remapIdentity", prefix: "mirror.local/ns", signedPrefix: "example.com/ns" },
    `mirror.local/ns/app@${digest}`,
    "example.com/ns/app:v3",
    true,
  ],
  // Prefixes match at "/" boundaries only.
  [
    { type: "remapIdentity", prefix: "mirror.local/ns", signedPrefix: "example.com/ns" },
    "mirror.local/nsx/app:v1",
    "example.com/nsx/app:v1",
    false,
  ],
  // Not remapped: matchRepoDigestOrExact on the original name.
  [
    { type: "remapIdentity", prefix: "mirror.local/ns", signedPrefix: "example.com/ns" },
    "other.local/ns/app:v1",
    "other.local/ns/app:v1",
    true,
  ],
  // A rewrite that is not in canonical form fails (ParseNamed), so nothing matches.
  [
    { type: "remapIdentity", prefix: "mirror.local/ns", signedPrefix: "docker.io" },
    "mirror.local/ns/busybox:v1",
    "docker.io/busybox:v1",
    false,
  ],
];

describe("signedIdentityMatches", () => {
  it.each(cases)("%j: image %s, signed %s → %s", (match, image, signed, expected) => {
    expect(signedIdentityMatches(match, ref(image), signed)).toBe(expected);
  });
});
