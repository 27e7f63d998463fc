// Our own extension, image-policy.dev/v1alpha1 ClusterSimpleSigningPolicy: legacy GPG "simple
// signing" (containers/image `signedBy` requirements plus a lookaside signature store in
// registries.d), managed declaratively instead of by hand-written MachineConfigs.
import type { KubeObject } from "../../meta.ts";
import type { ImageScope, ImageSigstorePolicyStatus, PolicyIdentity } from "../../config/v1/imagepolicy.ts";

/**
 * An ASCII-armored OpenPGP public key block.
 * @minLength 72
 * @maxLength 65536
 * @xValidation.rule self.startsWith('-----BEGIN PGP PUBLIC KEY BLOCK-----')
 * @xValidation.message each publicKey must start with '-----BEGIN PGP PUBLIC KEY BLOCK-----'
 * @xValidation.rule self.endsWith('-----END PGP PUBLIC KEY BLOCK-----') || self.endsWith('-----END PGP PUBLIC KEY BLOCK-----\n')
 * @xValidation.message each publicKey must end with '-----END PGP PUBLIC KEY BLOCK-----'
 */
export type ArmoredPublicKey = string;

export interface ClusterSimpleSigningPolicySpec {
  /**
   * scopes is the list of image scopes whose images must carry a GPG simple signature made by one
   * of publicKeys. Same grammar as ClusterImagePolicy scopes.
   * @minItems 1
   * @maxItems 256
   * @listType set
   */
  scopes: ImageScope[];
  /**
   * publicKeys are the armored OpenPGP public keys that are trusted to sign images in scopes; a
   * signature by any one of them satisfies the policy.
   * @minItems 1
   * @maxItems 16
   * @listType atomic
   */
  publicKeys: ArmoredPublicKey[];
  /**
   * lookaside is the signature store (a `file://`, `http://` or `https://` URL) that nodes read
   * signatures from: `<lookaside>/<repository>@<algo>=<digest>/signature-<n>`. When omitted, nodes
   * use the registry's own signature storage (the X-Registry-Supports-Signatures API).
   * @maxLength 2048
   * @xValidation.rule isURL(self)
   * @xValidation.message lookaside must be a valid URL
   * @xValidation.rule self.startsWith('https://') || self.startsWith('http://') || self.startsWith('file:///')
   * @xValidation.message lookaside must be an http://, https:// or file:/// URL
   */
  lookaside?: string;
  /**
   * signedIdentity specifies what image identity the signature claims about the image. When omitted,
   * the default matchPolicy is MatchRepoDigestOrExact.
   */
  signedIdentity?: PolicyIdentity;
}

/**
 * ClusterSimpleSigningPolicy requires GPG simple signatures ("atomic" container signatures) for
 * images in its scopes, on every node.
 * @group image-policy.dev
 * @version v1alpha1
 * @plural clustersimplesigningpolicies
 * @shortName cssp
 * @scope Cluster
 * @subresource status
 */
export interface ClusterSimpleSigningPolicy extends KubeObject {
  /** spec holds the policy. */
  spec: ClusterSimpleSigningPolicySpec;
  /** status reports whether the policy is applied on the nodes. */
  status?: ImageSigstorePolicyStatus;
}
