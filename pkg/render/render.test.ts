import { describe, expect, it } from "@jest/globals";
import type { PolicyRequirement } from "../containers/policy.ts";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import { decodeIgnitionFile, type IgnitionConfig } from "../ignition/ignition.ts";
import { render, type Rendered } from "./render.ts";
import { defaultPools, UPSTREAM_BASE_POLICY } from "./snapshot.ts";
import { cip, cssp, image, ip, roots, snapshot } from "./testing/fixtures.ts";

const file = (r: Rendered, path: string, pool = "worker"): string | undefined =>
  r.files.get(pool)?.find((f) => f.path === path)?.contents;
const policyJson = (r: Rendered, path = "/etc/containers/policy.json") => {
  const text = file(r, path);
  if (text === undefined) throw new Error(`${path} not rendered`);
  const parsed = parsePolicyJson(text);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.policy;
};
const types = (reqs: readonly PolicyRequirement[] | undefined) => (reqs ?? []).map((r) => r.type);
describe("render: files", () => {
  it("renders nothing without policies or registry rules", () => {
    const r = render(snapshot());
    expect(r.files.get("worker")).toEqual([]);
    expect(r.machineConfigs.map((m) => m.metadata.name)).toEqual([
      "99-master-generated-registries",
      "99-worker-generated-registries",
    ]);
    expect(r.machineConfigs[0]?.spec.config).toEqual({ ignition: { version: "3.5.0" } });
  });

  it("maps a ClusterImagePolicy to sigstoreSigned under docker and atomic, keeping the base transports", () => {
    const r = render(snapshot({ clusterImagePolicies: [cip("a", ["quay.io/example/app"])] }));
    const policy = policyJson(r);
    expect(types(policy.default)).toEqual(["insecureAcceptAnything"]);
    expect(Object.keys(policy.transports).sort()).toEqual(["atomic", "docker", "docker-daemon"]);
    const req = policy.transports.docker?.["quay.io/example/app"]?.[0];
    expect(req).toMatchObject({ type: "sigstoreSigned", signedIdentity: { type: "matchRepoDigestOrExact" } });
    expect(policy.transports.atomic?.["quay.io/example/app"]).toEqual(
      policy.transports.docker?.["quay.io/example/app"],
    );
    expect(file(r, "/etc/containers/registries.d/sigstore-registries.yaml")).toBe(
      "docker:\n  quay.io/example/app:\n    use-sigstore-attachments: true\n",
    );
    const text = file(r, "/etc/containers/policy.json") ?? "";
    expect(
      text.startsWith('{\n  "default": [\n    {\n      "type": "insecureAcceptAnything"\n    }\n  ],'),
    ).toBe(true);
    expect(text.endsWith("}")).toBe(true); // Go's MarshalIndent: no trailing newline
  });

  it("appends the requirements of several policies on one scope (all must pass)", () => {
    const r = render(
      snapshot({
        clusterImagePolicies: [
          cip("b", ["x.example.com/app"], roots.fulcio()),
          cip("a", ["x.example.com/app"]),
        ],
      }),
    );
    const reqs = policyJson(r).transports.docker?.["x.example.com/app"] ?? [];
    expect(reqs).toHaveLength(2);
    expect(reqs[0]).toHaveProperty("keyData"); // "a" first: name order
    expect(reqs[1]).toHaveProperty("fulcio");
  });

  it("keeps policy.json the template byte for byte with only ImagePolicies, and writes the namespace file", () => {
    const r = render(snapshot({ imagePolicies: [ip("team-a", "p", ["registry.example.com/team-a"])] }));
    expect(file(r, "/etc/containers/policy.json")).toBe(UPSTREAM_BASE_POLICY);
    const ns = policyJson(r, "/etc/crio/policies/team-a.json");
    expect(types(ns.transports.docker?.["registry.example.com/team-a"])).toEqual(["sigstoreSigned"]);
    expect(ns.transports["docker-daemon"]).toBeDefined();
  });

  it("leaves scopes with three or more slashes out of atomic", () => {
    const r = render(
      snapshot({ clusterImagePolicies: [cip("a", ["r.example.com/a/b/c", "r.example.com/a/b"])] }),
    );
    const policy = policyJson(r);
    expect(Object.keys(policy.transports.docker ?? {}).sort()).toEqual([
      "r.example.com/a/b",
      "r.example.com/a/b/c",
    ]);
    expect(Object.keys(policy.transports.atomic ?? {})).toEqual(["r.example.com/a/b"]);
  });

  it("writes no tag or digest scope under atomic in a file where one would break it, as MCO otherwise does", () => {
    const digest = "r.example.com/app@sha256:" + "a".repeat(64);
    const refused = render(
      snapshot({
        clusterImagePolicies: [
          cip("a", ["r.example.com/app:v1", digest, "r.example.com/ns/app:v1", "r.example.com/ns"]),
        ],
      }),
    );
    const policy = policyJson(refused);
    expect(Object.keys(policy.transports.docker ?? {}).length).toBe(4);
    // "r.example.com/ns/app:v1" alone is a valid atomic scope, but the corpus's rule for a file
    // MCO writes unreadably drops every tag and digest scope from atomic.
    expect(Object.keys(policy.transports.atomic ?? {})).toEqual(["r.example.com/ns"]);
    expect(refused.errors).toEqual([]);
    // Without a refused scope, the file is MCO's: the tagged scope stays under atomic.
    const accepted = render(snapshot({ clusterImagePolicies: [cip("a", ["r.example.com/ns/app:v1"])] }));
    expect(Object.keys(policyJson(accepted).transports.atomic ?? {})).toEqual(["r.example.com/ns/app:v1"]);
  });
});

describe("render: registry rules", () => {
  it("rejects by default with allowed registries, and lets a policy scope stand alone", () => {
    const r = render(
      snapshot({
        image: image({ allowedRegistries: ["quay.io", "registry.example.com/app"] }),
        clusterImagePolicies: [cip("a", ["registry.example.com/app"])],
      }),
    );
    const policy = policyJson(r);
    expect(types(policy.default)).toEqual(["reject"]);
    expect(types(policy.transports.docker?.["quay.io"])).toEqual(["insecureAcceptAnything"]);
    expect(types(policy.transports.docker?.["registry.example.com/app"])).toEqual(["sigstoreSigned"]);
  });

  it("reports a policy outside the allowed registries as Invalid and still applies the others", () => {
    const r = render(
      snapshot({
        image: image({ allowedRegistries: ["quay.io"] }),
        clusterImagePolicies: [cip("outside", ["ghcr.io/x"]), cip("inside", ["quay.io/x"])],
      }),
    );
    expect(r.outcomes.map((o) => [o.name, o.state, o.message])).toEqual([
      ["inside", "Applied", "all scopes are applied"],
      [
        "outside",
        "Invalid",
        "clusterimagePolicy configured for the scope ghcr.io/x is not nested inside allowedRegistries",
      ],
    ]);
    expect(Object.keys(policyJson(r).transports.docker ?? {})).toContain("quay.io/x");
  });

  it("blocks registries, refuses policies inside them, allows policies above them", () => {
    const r = render(
      snapshot({
        image: image({ blockedRegistries: ["bad.example.com/ns"] }),
        clusterImagePolicies: [cip("inside", ["bad.example.com/ns/app"]), cip("above", ["bad.example.com"])],
      }),
    );
    expect(r.outcomes.find((o) => o.name === "inside")?.state).toBe("Invalid");
    expect(r.outcomes.find((o) => o.name === "above")?.state).toBe("Applied");
    expect(types(policyJson(r).transports.docker?.["bad.example.com/ns"])).toEqual(["reject"]);
  });

  it("never blocks the running release image's repository", () => {
    const r = render(
      snapshot({
        image: image({ blockedRegistries: ["quay.io", "docker.io"] }),
        clusterVersion: {
          apiVersion: "config.openshift.io/v1",
          kind: "ClusterVersion",
          metadata: { name: "version" },
          spec: { clusterID: "x" },
          status: {
            desired: { image: "quay.io/openshift-release-dev/ocp-release@sha256:" + "a".repeat(64) },
          },
        },
      }),
    );
    expect(Object.keys(policyJson(r).transports.docker ?? {})).toEqual(["docker.io"]);
    expect(r.warnings).toEqual([
      'error adding "quay.io" to blocked registries, cannot block the repository being used by the payload',
    ]);
  });
});

describe("render: ImagePolicy conflicts", () => {
  it("drops ImagePolicy scopes equal to or inside a cluster scope, with MCO's message", () => {
    const r = render(
      snapshot({
        clusterImagePolicies: [cip("wild", ["*.example.com"]), cip("global", ["other.io/global"])],
        imagePolicies: [
          ip("ns", "p", ["foo.example.com/ns/repo", "other.io/global/image", "other.io/elsewhere"]),
        ],
      }),
    );
    const outcome = r.outcomes.find((o) => o.kind === "ImagePolicy");
    expect(outcome).toMatchObject({
      state: "ConflictScopes",
      appliedScopes: ["other.io/elsewhere"],
      conflictingScopes: ["foo.example.com/ns/repo", "other.io/global/image"],
      message:
        'has conflicting scope(s) ["foo.example.com/ns/repo" "other.io/global/image"] that equal to or nest inside existing clusterimagepolicy, only policy from clusterimagepolicy scope(s) will be applied',
    });
    expect(Object.keys(policyJson(r, "/etc/crio/policies/ns.json").transports.docker ?? {}).sort()).toEqual([
      "*.example.com",
      "other.io/elsewhere",
      "other.io/global",
    ]);
  });

  it("keeps a digest scope below a cluster scope and a broader namespace scope (not conflicts)", () => {
    const digest = "a.com/a1/a2@sha256:" + "b".repeat(64);
    const r = render(
      snapshot({
        clusterImagePolicies: [cip("c", ["a.com/a1/a2"])],
        imagePolicies: [ip("ns", "p", [digest, "a.com"])],
      }),
    );
    expect(r.outcomes.find((o) => o.kind === "ImagePolicy")?.state).toBe("Applied");
  });

  it("writes no namespace file when every scope conflicts, and keeps namespaces apart", () => {
    const r = render(
      snapshot({
        clusterImagePolicies: [cip("c", ["quay.io"])],
        imagePolicies: [ip("a", "p", ["quay.io/x"]), ip("b", "p", ["ghcr.io/b"])],
      }),
    );
    expect(r.files.get("worker")?.map((f) => f.path)).toEqual([
      "/etc/containers/policy.json",
      "/etc/containers/registries.d/sigstore-registries.yaml",
      "/etc/crio/policies/b.json",
    ]);
    expect(Object.keys(policyJson(r, "/etc/crio/policies/b.json").transports.docker ?? {})).not.toContain(
      "quay.io/x",
    );
  });
});

describe("render: feature gate, CRI-O version and key material", () => {
  it("ignores sigstore policies when SigstoreImageVerification is off, as upstream", () => {
    const r = render(
      snapshot({
        featureGate: {
          apiVersion: "config.openshift.io/v1",
          kind: "FeatureGate",
          metadata: { name: "cluster" },
          spec: {
            featureSet: "CustomNoUpgrade",
            customNoUpgrade: { disabled: ["SigstoreImageVerification"] },
          },
        },
        clusterImagePolicies: [cip("a", ["quay.io/x"])],
        imagePolicies: [ip("n", "p", ["ghcr.io/y"])],
        image: image({ blockedRegistries: ["bad.example.com"] }),
      }),
    );
    expect(r.outcomes.map((o) => o.state)).toEqual(["Ignored", "Ignored"]);
    expect(r.files.get("worker")?.map((f) => f.path)).toEqual([
      "/etc/containers/registries.conf",
      "/etc/containers/policy.json",
    ]);
    expect(Object.keys(policyJson(r).transports.docker ?? {})).toEqual(["bad.example.com"]);
  });

  it("refuses features the target CRI-O cannot parse, naming the version needed", () => {
    const r = render(
      snapshot({
        crioVersion: { major: 1, minor: 27 },
        clusterImagePolicies: [
          cip("pki", ["a.example.com"], roots.pki()),
          cip("fulcio", ["b.example.com"], roots.fulcio()),
        ],
        imagePolicies: [ip("n", "p", ["c.example.com"])],
      }),
    );
    expect(r.outcomes.map((o) => [o.name, o.state, o.message])).toEqual([
      ["fulcio", "Applied", "all scopes are applied"],
      [
        "pki",
        "Invalid",
        'PKI roots (pki) need CRI-O 1.33 or newer; the target is CRI-O 1.27; its scopes are written as "reject": images in its scopes are refused until it is fixed',
      ],
      [
        "p",
        "Invalid",
        "per-namespace signature policies (/etc/crio/policies) need CRI-O 1.28 or newer; the target is CRI-O 1.27",
      ],
    ]);
    // The node's CRI-O would not parse a pki requirement: the scope is refused outright.
    expect(policyJson(r).transports.docker?.["a.example.com"]).toEqual([{ type: "reject" }]);
  });

  it("reports unusable key material, and writes it as MCO does so that its scopes fail closed", () => {
    const bad = roots.publicKey();
    if (bad.publicKey) bad.publicKey.keyData = Buffer.from("test-key-data").toString("base64");
    const rsaRekor = roots.publicKeyWithRekor();
    if (rsaRekor.publicKey) {
      rsaRekor.publicKey.rekorKeyData = Buffer.from(
        "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n",
      ).toString("base64");
    }
    const r = render(
      snapshot({
        clusterImagePolicies: [
          cip("bad", ["a.io/x"], bad),
          cip("edrekor", ["b.io/x"], rsaRekor),
          cip("good", ["c.io/x"]),
        ],
      }),
    );
    expect(r.outcomes.map((o) => [o.name, o.state])).toEqual([
      ["bad", "Invalid"],
      ["edrekor", "Invalid"],
      ["good", "Applied"],
    ]);
    const asGiven =
      "the policy is written as given (as the Machine Config Operator writes it), which the nodes cannot satisfy: " +
      "images in its scopes are refused until it is fixed";
    expect(r.outcomes[0]?.message).toBe(
      `publicKey.keyData must be exactly one PEM "PUBLIC KEY" block; ${asGiven}`,
    );
    expect(r.outcomes[1]?.message).toBe(
      `publicKey.rekorKeyData must be an ECDSA key (containers/image refuses ed25519 Rekor keys); ${asGiven}`,
    );
    // Before: left out, so images in a.io/x and b.io/x were admitted unsigned (fail open).
    const docker = policyJson(r).transports.docker ?? {};
    expect(Object.keys(docker)).toEqual(["a.io/x", "b.io/x", "c.io/x"]);
    expect(docker["a.io/x"]).toEqual([
      expect.objectContaining({ type: "sigstoreSigned", keyData: bad.publicKey?.keyData }),
    ]);
    expect(r.errors).toEqual([]);
  });
});

describe("render: mirrors and simple signing", () => {
  it("enables attachments on the mirrors of a policy scope", () => {
    const r = render(
      snapshot({
        clusterImagePolicies: [
          cip("a", ["quay.io/openshift-release-dev/ocp-release", "registry.example.com"]),
        ],
        imageDigestMirrorSets: [
          {
            apiVersion: "config.openshift.io/v1",
            kind: "ImageDigestMirrorSet",
            metadata: { name: "m" },
            spec: {
              imageDigestMirrors: [
                { source: "quay.io/openshift-release-dev", mirrors: ["mirror.local/ocp"] },
                { source: "registry.example.com/team", mirrors: ["mirror.local/team"] },
              ],
            },
          },
        ],
      }),
    );
    expect(file(r, "/etc/containers/registries.d/sigstore-registries.yaml")).toBe(
      [
        "docker:",
        "  mirror.local/ocp/ocp-release:",
        "    use-sigstore-attachments: true",
        "  mirror.local/team:",
        "    use-sigstore-attachments: true",
        "  quay.io/openshift-release-dev/ocp-release:",
        "    use-sigstore-attachments: true",
        "  registry.example.com:",
        "    use-sigstore-attachments: true",
        "  registry.example.com/team:",
        "    use-sigstore-attachments: true",
        "",
      ].join("\n"),
    );
  });

  it("renders GPG simple signing as signedBy with a lookaside store", () => {
    const r = render(
      snapshot({
        simpleSigningPolicies: [cssp("legacy", ["legacy.example.com"], "https://sigs.example.com/s")],
      }),
    );
    const req = policyJson(r).transports.docker?.["legacy.example.com"]?.[0];
    expect(req).toMatchObject({
      type: "signedBy",
      keyType: "GPGKeys",
      signedIdentity: { type: "matchRepoDigestOrExact" },
    });
    expect(file(r, "/etc/containers/registries.d/sigstore-registries.yaml")).toBe(
      "docker:\n  legacy.example.com:\n    lookaside: https://sigs.example.com/s\n",
    );
  });

  it("refuses a second lookaside for the same scope", () => {
    const r = render(
      snapshot({
        simpleSigningPolicies: [
          cssp("a", ["legacy.example.com"], "https://one/s"),
          cssp("b", ["legacy.example.com"], "https://two/s"),
        ],
      }),
    );
    expect(r.outcomes.map((o) => o.state)).toEqual(["Applied", "Invalid"]);
  });

  it("treats simple-signing scopes as cluster scopes for ImagePolicy conflicts", () => {
    const r = render(
      snapshot({
        simpleSigningPolicies: [cssp("a", ["legacy.example.com"])],
        imagePolicies: [ip("n", "p", ["legacy.example.com/x"])],
      }),
    );
    expect(r.outcomes.find((o) => o.kind === "ImagePolicy")?.state).toBe("ConflictScopes");
  });
});

describe("render: MachineConfigs", () => {
  it("names, labels and owns them like MCO and carries the files", () => {
    const r = render(
      snapshot({
        image: image({ allowedRegistries: ["quay.io"] }),
        clusterImagePolicies: [cip("a", ["quay.io/x"])],
      }),
    );
    const mc = r.machineConfigs.find((m) => m.metadata.name === "99-worker-generated-registries");
    expect(mc?.metadata.labels).toEqual({ "machineconfiguration.openshift.io/role": "worker" });
    expect(mc?.metadata.annotations).toEqual({
      "machineconfiguration.openshift.io/generated-by-controller-version": "test",
    });
    expect(mc?.metadata.ownerReferences).toEqual([
      { apiVersion: "config.openshift.io/v1", kind: "Image", name: "cluster", uid: "image-uid" },
    ]);
    const config = mc?.spec.config as unknown as IgnitionConfig;
    const files = config.storage?.files ?? [];
    expect(files.map((f) => [f.path, f.mode, f.overwrite])).toEqual([
      ["/etc/containers/policy.json", 420, true],
      ["/etc/containers/registries.d/sigstore-registries.yaml", 420, true],
    ]);
    expect(Buffer.from(decodeIgnitionFile(files[0] ?? files[1]!)).toString()).toBe(
      file(r, "/etc/containers/policy.json"),
    );
  });

  it("is deterministic and independent of input order", () => {
    const policies = [
      cip("b", ["b.io/x", "a.io/y"]),
      cip("a", ["a.io/y"], roots.fulcio()),
      cip("c", ["c.io"]),
    ];
    const ips = [ip("z", "p", ["z.io"]), ip("a", "q", ["y.io"]), ip("a", "p", ["x.io"])];
    const one = render(snapshot({ clusterImagePolicies: policies, imagePolicies: ips }));
    const two = render(
      snapshot({ clusterImagePolicies: [...policies].reverse(), imagePolicies: [...ips].reverse() }),
    );
    expect(JSON.stringify(two.machineConfigs)).toBe(JSON.stringify(one.machineConfigs));
    expect(JSON.stringify(two.outcomes)).toBe(JSON.stringify(one.outcomes));
  });

  it("compresses namespace files when the MachineConfig would be too large", () => {
    const ips = Array.from({ length: 400 }, (_, i) =>
      ip(`team-${i}`, "p", [`registry.example.com/team-${i}`]),
    );
    const clusterScopes = Array.from({ length: 40 }, (_, i) => `quay.io/org-${i}`);
    const r = render(snapshot({ clusterImagePolicies: [cip("many", clusterScopes)], imagePolicies: ips }));
    expect(r.errors).toEqual([]);
    expect(r.warnings.some((w) => w.includes("gzip-compressed"))).toBe(true);
    const bytes = Math.max(...r.machineConfigs.map((m) => JSON.stringify(m).length));
    expect(bytes).toBeLessThanOrEqual(1024 * 1024);
    const config = r.machineConfigs[0]?.spec.config as unknown as IgnitionConfig;
    const compressed = (config.storage?.files ?? []).filter((f) => f.contents.compression === "gzip");
    expect(compressed.length).toBeGreaterThan(0);
    const one = compressed[0];
    if (!one) throw new Error("no compressed file");
    expect(parsePolicyJson(decodeIgnitionFile(one)).ok).toBe(true);
  });
});

describe("render: names that become paths (defence in depth: the API server refuses them too)", () => {
  it("makes an ImagePolicy whose namespace is not a DNS-1123 label Invalid, and writes no file for it", () => {
    for (const namespace of ["../../containers/policy", "a/b", "..", "Team-A", "n".repeat(64)]) {
      const r = render(snapshot({ imagePolicies: [ip(namespace, "evil", ["quay.io/evil"])] }));
      expect(r.outcomes).toEqual([
        expect.objectContaining({
          state: "Invalid",
          message: expect.stringMatching(/^metadata\.namespace: Invalid value/),
        }),
      ]);
      expect(r.errors).toEqual([]);
      for (const files of r.files.values()) {
        expect(files.filter((f) => !f.path.startsWith("/etc/containers/"))).toEqual([]);
        expect(files.map((f) => f.contents).join("")).not.toContain("quay.io/evil");
      }
    }
  });

  it("puts an ImagePolicy without a namespace, or with an empty one, in default, as kubectl does", () => {
    const r = render(snapshot({ imagePolicies: [ip("", "p", ["quay.io/team"])] }));
    expect(r.files.get("worker")?.map((f) => f.path)).toContain("/etc/crio/policies/default.json");
  });

  it("refuses the whole render for a pool whose name, or whose MachineConfig's name, the API server refuses", () => {
    const pool = (name: string) => ({ ...defaultPools()[1]!, metadata: { name } });
    const traversal = render(snapshot({ pools: [pool("../../../tmp/x")] }));
    expect(traversal.errors).toEqual([
      expect.stringMatching(/^MachineConfigPool "\.\.\/\.\.\/\.\.\/tmp\/x": metadata\.name: Invalid value/),
    ]);
    expect(traversal.machineConfigs).toEqual([]);
    const long = render(snapshot({ pools: [pool("p".repeat(240))] }));
    expect(long.errors).toEqual([
      expect.stringContaining("the generated MachineConfig's name: Invalid value: \"99-ppp"),
    ]);
  });
});
