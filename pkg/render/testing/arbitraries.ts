// fast-check generators of render inputs: random but valid clusters (policies whose objects the
// API server would accept), used by the property tests and the containers/image judge test.
import fc from "fast-check";
import type { Image } from "../../apis/config/v1/image.ts";
import type { ImageDigestMirrorSet } from "../../apis/config/v1/imagedigestmirrorset.ts";
import type { ImageTagMirrorSet } from "../../apis/config/v1/imagetagmirrorset.ts";
import type { ImageContentSourcePolicy } from "../../apis/operator/v1alpha1/imagecontentsourcepolicy.ts";
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

// Mirror sources and mirrors as the CRDs accept them: host[:port][/path], sources also "*.domain".
const sourceArbitrary = fc.oneof(
  {
    weight: 4,
    arbitrary: fc
      .tuple(fc.constantFrom(...hosts), fc.constantFrom("", "/team", "/team/app", "/a/b"))
      .map(([h, p]) => `${h}${p}`),
  },
  { weight: 1, arbitrary: fc.constantFrom("*.example.com", "*.apps.example.com") },
);
const mirrorLocationArbitrary = fc
  .tuple(
    fc.constantFrom("mirror.example.com", "mirror2.example.net:5000", "localhost:5000"),
    fc.constantFrom("", "/m", "/ocp/team"),
  )
  .map(([h, p]) => `${h}${p}`);
const mirrorEntryArbitrary = fc.record({
  source: sourceArbitrary,
  mirrors: fc.uniqueArray(mirrorLocationArbitrary, { minLength: 1, maxLength: 3 }),
  never: fc.boolean(),
});

interface MirrorObjects {
  imageDigestMirrorSets: ImageDigestMirrorSet[];
  imageTagMirrorSets: ImageTagMirrorSet[];
  imageContentSourcePolicies: ImageContentSourcePolicy[];
}

/**
 * Random ImageDigestMirrorSets, ImageTagMirrorSets and ImageContentSourcePolicies. One source keeps
 * one mirrorSourcePolicy across all of them, as MCO requires.
 */
const mirrorsArbitrary: fc.Arbitrary<MirrorObjects> = fc
  .record({
    digest: fc.array(mirrorEntryArbitrary, { maxLength: 3 }),
    tag: fc.array(mirrorEntryArbitrary, { maxLength: 2 }),
    contentSource: fc.array(mirrorEntryArbitrary, { maxLength: 2 }),
  })
  .map(({ digest, tag, contentSource }) => {
    const never = new Map<string, boolean>();
    const policyOf = (source: string, wanted: boolean): boolean => {
      if (!never.has(source)) never.set(source, wanted);
      return never.get(source) ?? false;
    };
    const entry = (e: (typeof digest)[number]) => ({
      source: e.source,
      mirrors: e.mirrors,
      ...(policyOf(e.source, e.never) ? { mirrorSourcePolicy: "NeverContactSource" as const } : {}),
    });
    const meta = (name: string) => ({ metadata: { name } });
    const objects: MirrorObjects = {
      imageDigestMirrorSets: digest.length
        ? [
            {
              apiVersion: "config.openshift.io/v1",
              kind: "ImageDigestMirrorSet",
              ...meta("d"),
              spec: { imageDigestMirrors: digest.map(entry) },
            },
          ]
        : [],
      imageTagMirrorSets: tag.length
        ? [
            {
              apiVersion: "config.openshift.io/v1",
              kind: "ImageTagMirrorSet",
              ...meta("t"),
              spec: { imageTagMirrors: tag.map(entry) },
            },
          ]
        : [],
      imageContentSourcePolicies: [],
    };
    // ImageContentSourcePolicy has no source policy: only sources never set to NeverContactSource.
    const icsp = contentSource.filter((e) => !policyOf(e.source, false));
    if (icsp.length) {
      objects.imageContentSourcePolicies.push({
        apiVersion: "operator.openshift.io/v1alpha1",
        kind: "ImageContentSourcePolicy",
        ...meta("c"),
        spec: { repositoryDigestMirrors: icsp.map((e) => ({ source: e.source, mirrors: e.mirrors })) },
      });
    }
    return objects;
  });

const registrySourcesArbitrary = fc.record({
  rules: imageArbitrary,
  insecure: fc.option(
    fc.uniqueArray(
      fc.constantFrom("insecure.example.com", "*.apps.example.com", "localhost:5000", "quay.io/team"),
      { maxLength: 2 },
    ),
    { nil: undefined },
  ),
  search: fc.option(fc.uniqueArray(fc.constantFrom("registry.example.com", "quay.io"), { maxLength: 2 }), {
    nil: undefined,
  }),
});

export const snapshotArbitrary: fc.Arbitrary<Snapshot> = fc
  .record({
    clusterPolicies: fc.array(policyArbitrary, { maxLength: 5 }),
    imagePolicies: fc.array(fc.tuple(fc.constantFrom("team-a", "team-b", "team-c"), policyArbitrary), {
      maxLength: 6,
    }),
    gpg: fc.array(fc.tuple(scopesArbitrary, fc.boolean()), { maxLength: 2 }),
    registrySources: registrySourcesArbitrary,
    mirrors: mirrorsArbitrary,
  })
  .map(({ clusterPolicies, imagePolicies, gpg, registrySources, mirrors }) => {
    let image = registrySources.rules && structuredClone(registrySources.rules);
    if (registrySources.insecure !== undefined || registrySources.search !== undefined) {
      image ??= {
        apiVersion: "config.openshift.io/v1",
        kind: "Image",
        metadata: { name: "cluster", uid: "u" },
        spec: {},
      };
      const sources = (image.spec.registrySources ??= {});
      if (registrySources.insecure !== undefined) sources.insecureRegistries = registrySources.insecure;
      if (registrySources.search !== undefined)
        sources.containerRuntimeSearchRegistries = registrySources.search;
    }
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
      ...mirrors,
    });
  });
