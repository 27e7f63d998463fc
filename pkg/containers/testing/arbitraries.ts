// fast-check arbitraries for valid policy.json and registries.d models, shared by the unit property
// tests and the containers/image judge test. Every generated policy is valid for containers/image
// and in the form parsePolicyJson returns (byte fields are canonical, non-empty base64), so
// parse(serialize(x)) must equal x.

import fc from "fast-check";
import { base64Encode } from "../go/base64.ts";
import type {
  Policy,
  PolicyReferenceMatch,
  PolicyRequirement,
  PRSigstoreSigned,
  PRSigstoreSignedFulcio,
  PRSigstoreSignedPKI,
  SignedByKeyType,
} from "../policy.ts";
import { atomicScopeIsValid } from "../policy-parse.ts";
import { parseDockerReference } from "../reference.ts";
import type { RegistriesDConfig, RegistryNamespace } from "../registries-d.ts";

// Characters Go's JSON encoder treats specially, and a few ordinary ones.
const interestingChar = fc.constantFrom(
  ...'a/.:-_ <>&\u2028\u2029"\\\n\t\u0000\u007f\u00e9\ufeff',
  "\u{1F600}",
);
// Characters from ranges both Go (Unicode 15) and Node (a newer Unicode) know: error messages quote
// with %q, which escapes characters Go does not know of, so newer ones would make them differ.
const settledChar = fc
  .oneof(
    fc.integer({ min: 0x00, max: 0x7f }),
    fc.integer({ min: 0xa0, max: 0xff }),
    fc.integer({ min: 0x4e00, max: 0x9fa5 }),
    fc.integer({ min: 0x1f600, max: 0x1f64f }),
  )
  .map((cp) => String.fromCodePoint(cp));
const textOf = (minLength: number) =>
  fc.oneof(
    fc.string({ unit: interestingChar, minLength, maxLength: 12 }),
    fc.string({ unit: settledChar, minLength, maxLength: 12 }),
  );
/** Any text, including what Go escapes in JSON (<, >, &, U+2028) and astral characters. */
export const anyText = textOf(0);
const nonEmptyText = textOf(1);
const path = fc.oneof(
  nonEmptyText,
  fc.constantFrom("/etc/pki/cosign.pub", "/etc/pki/a&b<c>.pem", "/x\u2028y"),
);
/** Canonical base64 of at least one byte: Go leaves empty []byte fields out of its output. */
const bytesBase64 = fc.uint8Array({ minLength: 1, maxLength: 24 }).map(base64Encode);
const bytesListEntry = fc.uint8Array({ maxLength: 24 }).map(base64Encode);

const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,6}[a-z0-9])?$/);
const host = fc.oneof(
  fc.array(label, { minLength: 2, maxLength: 4 }).map((labels) => labels.join(".")),
  fc.constant("localhost"),
);
/** A registry: host with an optional port. */
export const registry = fc
  .tuple(host, fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }))
  .map(([h, port]) => (port === undefined ? h : `${h}:${port}`));
const component = fc.stringMatching(/^[a-z0-9]+([._-][a-z0-9]+){0,2}$/);
const repoPath = fc.array(component, { minLength: 1, maxLength: 3 }).map((c) => c.join("/"));
const tag = fc.stringMatching(/^\w[\w.-]{0,15}$/);
const digest = fc.stringMatching(/^[a-f0-9]{64}$/).map((hex) => `sha256:${hex}`);

/** A repository name with an explicit registry ("quay.io/ns/repo"). */
export const repository = fc.tuple(registry, repoPath).map(([r, p]) => `${r}/${p}`);

/** Image references with a tag or a digest, some in the short docker.io forms. */
export const taggedOrDigestedReference = fc
  .tuple(
    fc.oneof(repository, repoPath),
    fc.oneof(
      tag.map((t) => `:${t}`),
      digest.map((d) => `@${d}`),
    ),
  )
  .map(([name, suffix]) => name + suffix)
  .filter((s) => parseDockerReference(s).ok);

const signedIdentity: fc.Arbitrary<PolicyReferenceMatch> = fc.oneof(
  fc.constant({ type: "matchExact" as const }),
  fc.constant({ type: "matchRepoDigestOrExact" as const }),
  fc.constant({ type: "matchRepository" as const }),
  taggedOrDigestedReference.map((dockerReference) => ({ type: "exactReference" as const, dockerReference })),
  fc
    .oneof(repository, repoPath)
    .filter((s) => parseDockerReference(s).ok)
    .map((dockerRepository) => ({ type: "exactRepository" as const, dockerRepository })),
  fc
    .tuple(fc.oneof(registry, repository), fc.oneof(registry, repository))
    .map(([prefix, signedPrefix]) => ({ type: "remapIdentity" as const, prefix, signedPrefix })),
);

const keyType = fc.constantFrom<SignedByKeyType>(
  "GPGKeys",
  "signedByGPGKeys",
  "X509Certificates",
  "signedByX509CAs",
);

const signedBy: fc.Arbitrary<PolicyRequirement> = fc
  .tuple(
    keyType,
    fc.oneof(
      path.map((keyPath) => ({ keyPath })),
      fc.array(anyText, { minLength: 1, maxLength: 3 }).map((keyPaths) => ({ keyPaths })),
      bytesBase64.map((keyData) => ({ keyData })),
    ),
    signedIdentity,
  )
  .map(([kt, key, id]) => ({ type: "signedBy", keyType: kt, ...key, signedIdentity: id }));

const fulcio: fc.Arbitrary<PRSigstoreSignedFulcio> = fc
  .tuple(
    fc.oneof(
      path.map((caPath) => ({ caPath })),
      bytesBase64.map((caData) => ({ caData })),
    ),
    nonEmptyText,
    nonEmptyText,
  )
  .map(([ca, oidcIssuer, subjectEmail]) => ({ ...ca, oidcIssuer, subjectEmail }));

const pki: fc.Arbitrary<PRSigstoreSignedPKI> = fc
  .tuple(
    fc.oneof(
      path.map((caRootsPath) => ({ caRootsPath })),
      bytesBase64.map((caRootsData) => ({ caRootsData })),
    ),
    fc.oneof(
      fc.constant({}),
      path.map((caIntermediatesPath) => ({ caIntermediatesPath })),
      bytesBase64.map((caIntermediatesData) => ({ caIntermediatesData })),
    ),
    fc.oneof(
      nonEmptyText.map((subjectEmail) => ({ subjectEmail })),
      nonEmptyText.map((subjectHostname) => ({ subjectHostname })),
      fc
        .tuple(nonEmptyText, nonEmptyText)
        .map(([subjectEmail, subjectHostname]) => ({ subjectEmail, subjectHostname })),
    ),
  )
  .map(([roots, intermediates, subject]) => ({ ...roots, ...intermediates, ...subject }));

const rekor = fc.oneof(
  path.map((rekorPublicKeyPath) => ({ rekorPublicKeyPath })),
  fc.array(anyText, { minLength: 1, maxLength: 2 }).map((rekorPublicKeyPaths) => ({ rekorPublicKeyPaths })),
  bytesBase64.map((rekorPublicKeyData) => ({ rekorPublicKeyData })),
  fc
    .array(bytesListEntry, { minLength: 1, maxLength: 2 })
    .map((rekorPublicKeyDatas) => ({ rekorPublicKeyDatas })),
);

const sigstoreSigned: fc.Arbitrary<PolicyRequirement> = fc
  .tuple(
    fc.oneof(
      fc.tuple(
        fc.oneof(
          path.map((keyPath) => ({ keyPath })),
          fc.array(anyText, { minLength: 1, maxLength: 3 }).map((keyPaths) => ({ keyPaths })),
          bytesBase64.map((keyData) => ({ keyData })),
          fc.array(bytesListEntry, { minLength: 1, maxLength: 3 }).map((keyDatas) => ({ keyDatas })),
        ),
        fc.option(rekor, { nil: undefined }),
      ),
      fc.tuple(
        fulcio.map((f) => ({ fulcio: f })),
        rekor,
      ),
      fc.tuple(
        pki.map((p) => ({ pki: p })),
        fc.constant(undefined),
      ),
    ),
    signedIdentity,
  )
  .map(([[key, rekorKey], id]): PRSigstoreSigned => ({
    type: "sigstoreSigned",
    ...key,
    ...rekorKey,
    signedIdentity: id,
  }));

/** Any valid requirement. */
export const requirement: fc.Arbitrary<PolicyRequirement> = fc.oneof(
  fc.constant({ type: "insecureAcceptAnything" as const }),
  fc.constant({ type: "reject" as const }),
  signedBy,
  signedIdentity.map((baseLayerIdentity) => ({ type: "signedBaseLayer" as const, baseLayerIdentity })),
  sigstoreSigned,
  sigstoreSigned,
);

const requirements = fc.array(requirement, { minLength: 1, maxLength: 3 });

/** docker scopes: anything goes for the docker transport, these look like what MCO writes. */
export const dockerScope = fc.oneof(
  fc.constant(""),
  registry,
  repository,
  taggedOrDigestedReference,
  host.map((h) => `*.${h}`),
  anyText,
);

const scopesOf = (scope: fc.Arbitrary<string>) => fc.dictionary(scope, requirements, { maxKeys: 4 });

/** Valid policies, with docker, atomic (valid atomic scopes only) and other transports. */
export const policy: fc.Arbitrary<Policy> = fc
  .tuple(
    requirements,
    fc.record(
      {
        docker: scopesOf(dockerScope),
        atomic: scopesOf(dockerScope.filter(atomicScopeIsValid)),
        "docker-daemon": scopesOf(fc.constant("")),
        other: fc.dictionary(
          fc.stringMatching(/^[a-z][a-z-]{0,10}$/).filter((t) => t !== "docker" && t !== "atomic"),
          scopesOf(anyText),
          { maxKeys: 2 },
        ),
      },
      { requiredKeys: [] },
    ),
  )
  .map(([defaultRequirements, { other, ...known }]) => ({
    default: defaultRequirements,
    transports: { ...other, ...known },
  }));

const namespace: fc.Arbitrary<RegistryNamespace> = fc.record(
  {
    lookaside: fc.constantFrom("https://sigs.example.com/sigstore", "file:///var/lib/containers/sigstore"),
    lookasideStaging: fc.constantFrom("file:///var/lib/containers/staging", "https://x.example.com:8443/s"),
    sigstore: fc.constant("https://old.example.com/sigs"),
    sigstoreStaging: fc.constant("file:///tmp/staging"),
    useSigstoreAttachments: fc.boolean(),
  },
  { requiredKeys: [] },
);

/** registries.d configurations whose strings yaml.v2 can write. */
export const registriesDConfig: fc.Arbitrary<RegistriesDConfig> = fc.record(
  {
    defaultDocker: namespace,
    docker: fc.dictionary(
      fc.oneof(
        registry,
        repository,
        host.map((h) => `*.${h}`),
      ),
      namespace,
      { maxKeys: 5 },
    ),
  },
  { requiredKeys: [] },
);
