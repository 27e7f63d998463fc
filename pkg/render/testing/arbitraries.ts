// fast-check generators of render inputs: random but valid clusters (policies whose objects the
// API server would accept), used by the property tests and the containers/image judge test.
import fc from "fast-check";
import type { Image } from "../../apis/config/v1/image.ts";
import type { ImageDigestMirrorSet } from "../../apis/config/v1/imagedigestmirrorset.ts";
import type { PolicyRootOfTrust } from "../../apis/config/v1/imagepolicy.ts";
import type { Snapshot } from "../snapshot.ts";
import { cip, cssp, ip, roots, snapshot } from "./fixtures.ts";

const hosts = ["quay.io", "registry.example.com", "ghcr.io", "localhost:5000", "r.example.org:8443"];
const paths = ["", "/app", "/team/app", "/team/app/sub", "/a/b/c/d"];
const suffixes = ["", ":v1", "@sha256:" + "c".repeat(64)];

export const scopeArbitrary: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fc.constantFrom(...hosts), fc.constantFrom(...paths), fc.constantFrom(...suffixes))
      .map(([h, p, s]) => (p === "" && s !== "" ? h : `${h}${p}${s}`)),
  },
  { weight: 1, arbitrary: fc.constantFrom("*.example.com", "*.apps.example.com", "*.io") },
);

const scopesArbitrary = fc.uniqueArray(scopeArbitrary, { minLength: 1, maxLength: 4 });

const rootArbitrary: fc.Arbitrary<() => PolicyRootOfTrust> = fc.constantFrom(
  roots.publicKey,
  roots.publicKeyWithRekor,
  roots.fulcio,
  roots.pki,
);

const identityArbitrary = fc.constantFrom<
  NonNullable<ReturnType<typeof cip>["spec"]["policy"]["signedIdentity"]> | undefined
>(
  undefined,
  { matchPolicy: "MatchRepository" },
  { matchPolicy: "ExactRepository", exactRepository: { repository: "quay.io/team/app" } },
  {
    matchPolicy: "RemapIdentity",
    remapIdentity: { prefix: "mirror.example.com/ocp", signedPrefix: "quay.io/ocp" },
  },
);

const policyArbitrary = fc.record({
  scopes: scopesArbitrary,
  root: rootArbitrary,
  identity: identityArbitrary,
});

const allowingImage: Image = {
  apiVersion: "config.openshift.io/v1",
  kind: "Image",
  metadata: { name: "cluster", uid: "u" },
  spec: { registrySources: { allowedRegistries: ["quay.io", "registry.example.com", "*.example.com"] } },
};
const blockingImage: Image = {
  apiVersion: "config.openshift.io/v1",
  kind: "Image",
  metadata: { name: "cluster", uid: "u" },
  spec: { registrySources: { blockedRegistries: ["ghcr.io/blocked", "r.example.org:8443/a"] } },
};
const imageArbitrary = fc.constantFrom<Image | undefined>(undefined, allowingImage, blockingImage);

const mirrorsArbitrary: fc.Arbitrary<ImageDigestMirrorSet[]> = fc.constantFrom(
  [],
  [
    {
      apiVersion: "config.openshift.io/v1",
      kind: "ImageDigestMirrorSet",
      metadata: { name: "m" },
      spec: { imageDigestMirrors: [{ source: "quay.io/team", mirrors: ["mirror.example.com/team"] }] },
    },
  ],
);

export const snapshotArbitrary: fc.Arbitrary<Snapshot> = fc
  .record({
    clusterPolicies: fc.array(policyArbitrary, { maxLength: 5 }),
    imagePolicies: fc.array(fc.tuple(fc.constantFrom("team-a", "team-b", "team-c"), policyArbitrary), {
      maxLength: 6,
    }),
    gpg: fc.array(fc.tuple(scopesArbitrary, fc.boolean()), { maxLength: 2 }),
    image: imageArbitrary,
    mirrors: mirrorsArbitrary,
  })
  .map(({ clusterPolicies, imagePolicies, gpg, image, mirrors }) => {
    const withIdentity = <T extends ReturnType<typeof cip>>(
      object: T,
      identity: (typeof clusterPolicies)[number]["identity"],
    ): T => {
      if (identity) object.spec.policy.signedIdentity = structuredClone(identity);
      return object;
    };
    return snapshot({
      clusterImagePolicies: clusterPolicies.map((p, i) =>
        withIdentity(cip(`cip-${i}`, p.scopes, p.root()), p.identity),
      ),
      imagePolicies: imagePolicies.map(([ns, p], i) =>
        withIdentity(ip(ns, `ip-${i}`, p.scopes, p.root()), p.identity),
      ),
      simpleSigningPolicies: gpg.map(([scopes, lookaside], i) =>
        cssp(`gpg-${i}`, scopes, lookaside ? `https://sigs.example.com/${i}` : undefined),
      ),
      ...(image ? { image } : {}),
      imageDigestMirrorSets: mirrors,
    });
  });
