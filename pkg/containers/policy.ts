// The containers-policy.json(5) model: one type per Go type of containers/image's signature
// package (policy_types.go), holding what a parsed policy holds. Field names are the JSON keys.
//
// Byte fields (keyData, caData, …) are base64 strings, kept as they were written; the serializer
// writes them the way Go re-encodes the decoded bytes. An optional field is absent when Go's struct
// would hold its zero value after parsing ("" for a path, no entry for a missing key).

/** Policy: the default requirements and per-transport scopes. */
export interface Policy {
  readonly default: readonly PolicyRequirement[];
  /** transport name → scope → requirements. Every requirement of the matching list must pass. */
  readonly transports: Readonly<Record<string, PolicyTransportScopes>>;
}

/** scope → requirements; the "" scope is the transport's default. */
export type PolicyTransportScopes = Readonly<Record<string, readonly PolicyRequirement[]>>;

export type PolicyRequirement =
  PRInsecureAcceptAnything | PRReject | PRSignedBy | PRSignedBaseLayer | PRSigstoreSigned;

export type PolicyRequirementType = PolicyRequirement["type"];

/** Accepts any image; never counts as an accepted signature. */
export interface PRInsecureAcceptAnything {
  readonly type: "insecureAcceptAnything";
}

export interface PRReject {
  readonly type: "reject";
}

/**
 * Only GPGKeys is implemented by containers/image; the other key types parse and then fail at
 * evaluation. signedByGPGKeys, X509Certificates and signedByX509CAs are reserved names.
 */
export type SignedByKeyType = "GPGKeys" | "signedByGPGKeys" | "X509Certificates" | "signedByX509CAs";

export const SIGNED_BY_KEY_TYPES: readonly SignedByKeyType[] = [
  "GPGKeys",
  "signedByGPGKeys",
  "X509Certificates",
  "signedByX509CAs",
];

/** GPG "simple signing": exactly one of keyPath, keyPaths, keyData. */
export interface PRSignedBy {
  readonly type: "signedBy";
  readonly keyType: SignedByKeyType;
  readonly keyPath?: string;
  /** May be empty: containers/image accepts [] at parse time and fails at evaluation. */
  readonly keyPaths?: readonly string[];
  /** base64 */
  readonly keyData?: string;
  readonly signedIdentity: PolicyReferenceMatch;
}

/** Parses, but always rejects at evaluation ("not implemented yet"). */
export interface PRSignedBaseLayer {
  readonly type: "signedBaseLayer";
  readonly baseLayerIdentity: PolicyReferenceMatch;
}

/**
 * Sigstore signatures: exactly one of keyPath, keyPaths, keyData, keyDatas, fulcio, pki; at most
 * one Rekor key source; Fulcio requires one, PKI forbids it.
 */
export interface PRSigstoreSigned {
  readonly type: "sigstoreSigned";
  readonly keyPath?: string;
  readonly keyPaths?: readonly string[];
  /** base64 of a PEM public key */
  readonly keyData?: string;
  /** base64 of PEM public keys */
  readonly keyDatas?: readonly string[];
  readonly fulcio?: PRSigstoreSignedFulcio;
  readonly rekorPublicKeyPath?: string;
  readonly rekorPublicKeyPaths?: readonly string[];
  /** base64 */
  readonly rekorPublicKeyData?: string;
  /** base64 */
  readonly rekorPublicKeyDatas?: readonly string[];
  readonly pki?: PRSigstoreSignedPKI;
  readonly signedIdentity: PolicyReferenceMatch;
}

/** Keyless (Fulcio) verification: exactly one of caPath, caData. */
export interface PRSigstoreSignedFulcio {
  readonly caPath?: string;
  /** base64 of PEM CA certificates */
  readonly caData?: string;
  readonly oidcIssuer: string;
  readonly subjectEmail: string;
}

/** Bring-your-own PKI: exactly one of caRootsPath, caRootsData; at least one subject field. */
export interface PRSigstoreSignedPKI {
  readonly caRootsPath?: string;
  /** base64 */
  readonly caRootsData?: string;
  readonly caIntermediatesPath?: string;
  /** base64 */
  readonly caIntermediatesData?: string;
  readonly subjectEmail?: string;
  readonly subjectHostname?: string;
}

/** signedIdentity: how the identity inside a signature must relate to the pulled image. */
export type PolicyReferenceMatch =
  | PRMMatchExact
  | PRMMatchRepoDigestOrExact
  | PRMMatchRepository
  | PRMExactReference
  | PRMExactRepository
  | PRMRemapIdentity;

export type PolicyReferenceMatchType = PolicyReferenceMatch["type"];

export interface PRMMatchExact {
  readonly type: "matchExact";
}

/** The default when signedIdentity is omitted. */
export interface PRMMatchRepoDigestOrExact {
  readonly type: "matchRepoDigestOrExact";
}

/** Repository only; what stock cosign signatures need. */
export interface PRMMatchRepository {
  readonly type: "matchRepository";
}

/** dockerReference must parse and carry a tag or a digest. */
export interface PRMExactReference {
  readonly type: "exactReference";
  readonly dockerReference: string;
}

export interface PRMExactRepository {
  readonly type: "exactRepository";
  readonly dockerRepository: string;
}

/** Rewrites prefix to signedPrefix in the image name, then applies matchRepoDigestOrExact. */
export interface PRMRemapIdentity {
  readonly type: "remapIdentity";
  readonly prefix: string;
  readonly signedPrefix: string;
}

/** The identity containers/image fills in when a requirement has no signedIdentity. */
export const DEFAULT_SIGNED_IDENTITY: PRMMatchRepoDigestOrExact = { type: "matchRepoDigestOrExact" };
