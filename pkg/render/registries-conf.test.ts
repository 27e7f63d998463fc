import { describe, expect, it } from "@jest/globals";
import { loadRegistriesConf } from "../containers/registries-conf.ts";
import { mergedDigestMirrorSets } from "./mirror-sets.ts";
import { render } from "./render.ts";
import { cip, image, ip, snapshot } from "./testing/fixtures.ts";

const file = (r: ReturnType<typeof render>, path: string): string | undefined =>
  r.files.get("worker")?.find((f) => f.path === path)?.contents;

describe("mirror sets merged per source (runtime-utils topo order)", () => {
  it("joins the lists of one source keeping each list's preference order", () => {
    const merged = mergedDigestMirrorSets(
      [
        { source: "s.example.com/a", mirrors: ["b.example.com", "c.example.com"] },
        { source: "s.example.com/a", mirrors: ["a.example.com", "b.example.com"] },
      ],
      [],
    );
    expect(merged).toEqual([
      {
        source: "s.example.com/a",
        mirrors: ["a.example.com", "b.example.com", "c.example.com"],
        neverContactSource: false,
      },
    ]);
  });

  it("breaks a preference loop deterministically, ignores sets that only repeat the source, sorts sources", () => {
    const merged = mergedDigestMirrorSets(
      [
        { source: "z.example.com", mirrors: ["b.example.com", "a.example.com"] },
        { source: "z.example.com", mirrors: ["a.example.com", "b.example.com"] },
        { source: "y.example.com", mirrors: ["y.example.com"], mirrorSourcePolicy: "NeverContactSource" },
      ],
      [{ source: "x.example.com", mirrors: ["m.example.com"] }],
    );
    expect(merged.map((m) => [m.source, m.mirrors])).toEqual([
      ["x.example.com", ["m.example.com"]],
      ["z.example.com", ["a.example.com", "b.example.com"]],
    ]);
  });
});

describe("render: registries.conf", () => {
  it("is written for ImageContentSourcePolicy mirrors, and their mirrors get sigstore attachments", () => {
    const r = render(
      snapshot({
        clusterImagePolicies: [cip("c", ["registry.example.com/team"])],
        imageContentSourcePolicies: [
          {
            apiVersion: "operator.openshift.io/v1alpha1",
            kind: "ImageContentSourcePolicy",
            metadata: { name: "icsp" },
            spec: {
              repositoryDigestMirrors: [
                { source: "registry.example.com/team", mirrors: ["mirror.example.net/team"] },
              ],
            },
          },
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.files.get("worker")?.map((f) => f.path)).toEqual([
      "/etc/containers/registries.conf",
      "/etc/containers/policy.json",
      "/etc/containers/registries.d/sigstore-registries.yaml",
    ]);
    const conf = loadRegistriesConf(file(r, "/etc/containers/registries.conf") ?? "");
    expect(conf.registries).toEqual([
      expect.objectContaining({
        location: "registry.example.com/team",
        mirrors: [{ location: "mirror.example.net/team", insecure: false, pullFromMirror: "digest-only" }],
      }),
    ]);
    expect(file(r, "/etc/containers/registries.d/sigstore-registries.yaml")).toContain(
      "mirror.example.net/team:",
    );
  });

  it("blocks the release registry only when an unblocked digest mirror serves the release reference", () => {
    const release = (image: string) => ({
      apiVersion: "config.openshift.io/v1",
      kind: "ClusterVersion",
      metadata: { name: "version" },
      spec: { clusterID: "x" },
      status: { desired: { image, version: "4.20.0" } },
    });
    const mirror = (policy?: "NeverContactSource") => ({
      apiVersion: "config.openshift.io/v1",
      kind: "ImageDigestMirrorSet",
      metadata: { name: "m" },
      spec: {
        imageDigestMirrors: [
          {
            source: "quay.io/openshift-release-dev",
            mirrors: ["mirror.example.net/ocp"],
            ...(policy ? { mirrorSourcePolicy: policy } : {}),
          },
        ],
      },
    });
    const byDigest = `quay.io/openshift-release-dev/ocp-release@sha256:${"ab".repeat(32)}`;
    const blockedIn = (r: ReturnType<typeof render>): boolean =>
      loadRegistriesConf(file(r, "/etc/containers/registries.conf") ?? "").registries.some(
        (reg) => reg.location === "quay.io" && reg.blocked,
      );
    const mirrored = render(
      snapshot({
        clusterVersion: release(byDigest),
        image: image({ blockedRegistries: ["quay.io"] }),
        imageDigestMirrorSets: [mirror()],
      }),
    );
    expect(blockedIn(mirrored)).toBe(true);
    expect(mirrored.warnings.join("\n")).not.toMatch(/cannot block/);
    // A release named by tag is never served by a digest mirror: quay.io stays open.
    const byTag = render(
      snapshot({
        clusterVersion: release("quay.io/openshift-release-dev/ocp-release:4.20.0-x86_64"),
        image: image({ blockedRegistries: ["quay.io"] }),
        imageDigestMirrorSets: [mirror()],
      }),
    );
    expect(file(byTag, "/etc/containers/registries.conf") ?? "").not.toMatch(/blocked = true/);
    expect(byTag.warnings).toContain(
      'error adding "quay.io" to blocked registries, cannot block the repository being used by the payload',
    );
  });

  it("notes on the policy why a scope's mirrors get no attachments when containers/image cannot use them", () => {
    const r = render(
      snapshot({
        clusterImagePolicies: [cip("c", ["registry.example.com:5000"])],
        imageDigestMirrorSets: [
          {
            apiVersion: "config.openshift.io/v1",
            kind: "ImageDigestMirrorSet",
            metadata: { name: "m" },
            spec: {
              imageDigestMirrors: [{ source: "registry.example.com", mirrors: ["mirror.example.net/x"] }],
            },
          },
        ],
      }),
    );
    expect(r.errors).toEqual([]);
    expect(r.outcomes[0]?.state).toBe("Applied");
    expect(r.outcomes[0]?.message).toBe("all scopes are applied");
    expect(r.outcomes[0]?.notes).toEqual([
      "the mirrors of registry.example.com:5000 get no sigstore attachments: containers/image cannot rewrite its images onto them (rewriting reference: invalid reference format)",
    ]);
  });

  it("keeps an Invalid ImagePolicy's scopes closed in its namespace file", () => {
    const bad = ip("team", "p", ["quay.io/team/app"]);
    if (bad.spec.policy.rootOfTrust.publicKey) {
      bad.spec.policy.rootOfTrust.publicKey.keyData = Buffer.from("not a key").toString("base64");
    }
    const r = render(snapshot({ imagePolicies: [bad] }));
    expect(r.outcomes[0]?.state).toBe("Invalid");
    const namespaceFile = JSON.parse(file(r, "/etc/crio/policies/team.json") ?? "{}") as {
      transports: { docker: Record<string, { type: string }[]> };
    };
    expect(namespaceFile.transports.docker["quay.io/team/app"]?.[0]?.type).toBe("sigstoreSigned");
  });

  it("writes the search-registries drop-in when the Image config sets the list, even empty", () => {
    const r = render(snapshot({ image: image({ containerRuntimeSearchRegistries: [] }) }));
    expect(r.files.get("worker")?.map((f) => f.path)).toEqual([
      "/etc/containers/registries.conf.d/01-image-searchRegistries.conf",
    ]);
    expect(file(r, "/etc/containers/registries.conf.d/01-image-searchRegistries.conf")).toBe(
      'unqualified-search-registries = []\nshort-name-mode = ""\nadditional-layer-store-auth-helper = ""\n',
    );
  });
});
