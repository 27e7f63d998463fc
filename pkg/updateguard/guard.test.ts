import { describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { canonicalPullspecPattern, checkUpdate, nonCanonicalReason, type Flavour } from "./guard.ts";

interface PullspecCase {
  name: string;
  image: string;
  flavour: Flavour;
  force: boolean;
  expect: "accepted" | "rejected" | "forced" | "not-applicable";
}

const corpus = parse(
  readFileSync(join(import.meta.dirname, "../../test/fixtures/updateguard/pullspecs.yaml"), "utf8"),
) as PullspecCase[];

describe("release-update guard", () => {
  it("has a corpus of at least 40 cases", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(40);
  });

  it.each(corpus.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const verdict = checkUpdate({ image: c.image, force: c.force }, c.flavour);
    expect(verdict.decision).toBe(c.expect);
    if (verdict.decision === "rejected" || verdict.decision === "forced") {
      // Every refusal names the repository that would have been accepted, or the digest rule.
      expect(verdict.reason).toMatch(
        new RegExp(`quay\\.io/(openshift-release-dev/ocp-release|okd/scos-release)|sha256`),
      );
    }
  });

  it("explains look-alikes precisely", () => {
    expect(
      nonCanonicalReason("quay.io/openshift-release-dev/ocp-release-evil@sha256:" + "a".repeat(64), "ocp"),
    ).toBe(
      "release images must come from quay.io/openshift-release-dev/ocp-release, not from repository quay.io/openshift-release-dev/ocp-release-evil (a look-alike of the canonical repository)",
    );
    expect(nonCanonicalReason("quay.io:443/openshift-release-dev/ocp-release", "ocp")).toBe(
      "release images must come from quay.io/openshift-release-dev/ocp-release, not from the port in quay.io:443",
    );
    expect(nonCanonicalReason("openshift-release-dev/ocp-release", "ocp")).toBe(
      '"openshift-release-dev/ocp-release" names no registry (it would be pulled from docker.io); expected quay.io/openshift-release-dev/ocp-release',
    );
  });

  it("the admission pattern accepts exactly what the guard accepts (corpus)", () => {
    for (const c of corpus.filter((c) => c.image !== "")) {
      const pattern = new RegExp(canonicalPullspecPattern(c.flavour));
      expect([c.name, pattern.test(c.image)]).toEqual([
        c.name,
        nonCanonicalReason(c.image, c.flavour) === undefined,
      ]);
    }
  });

  it("the admission pattern accepts exactly what the guard accepts (random pullspecs)", () => {
    const pieces = fc.constantFrom(
      "quay.io",
      "quay.io:443",
      "Quay.io",
      "openshift-release-dev",
      "ocp-release",
      "ocp-release-evil",
      "okd",
      "scos-release",
      "/",
      ":",
      "@",
      "sha256:",
      "a".repeat(64),
      "A".repeat(64),
      "4.22.1",
      "_",
      ".",
      "-",
    );
    fc.assert(
      fc.property(
        fc.constantFrom<Flavour>("ocp", "okd"),
        fc.boolean(),
        fc.array(pieces, { maxLength: 9 }),
        (flavour, startCanonical, parts) => {
          // Half the runs start from the canonical repository so that acceptances are exercised too.
          const image =
            (startCanonical
              ? flavour === "ocp"
                ? "quay.io/openshift-release-dev/ocp-release"
                : "quay.io/okd/scos-release"
              : "") + parts.join("");
          const pattern = new RegExp(canonicalPullspecPattern(flavour));
          return pattern.test(image) === (nonCanonicalReason(image, flavour) === undefined);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
