// config.openshift.io/v1 ImagePolicy and the sub-types it shares with ClusterImagePolicy
// (upstream: openshift/api config/v1/types_image_policy.go). Validation markers and CEL rules are
// copied verbatim from the upstream generated CRD, so that our CRD and offline validator reject the
// same objects with the same messages.
import type { Condition, KubeObject } from "../../meta.ts";

/**
 * ImageScope is a scope of images: a fully qualified registry host, optionally with a port, a
 * repository path, a tag or a digest; or a wildcard `*.` subdomain scope.
 * @maxLength 512
 * @xValidation.rule size(self.split('/')[0].split('.')) == 1 ? self.split('/')[0].split('.')[0].split(':')[0] == 'localhost' : true
 * @xValidation.message invalid image scope format, scope must contain a fully qualified domain name or 'localhost'
 * @xValidation.rule self.contains('*') ? self.matches('^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$') : true
 * @xValidation.message invalid image scope with wildcard, a wildcard can only be at the start of the domain and is only supported for subdomain matching, not path matching
 * @xValidation.rule !self.contains('*') ? self.matches('^((((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+(?::[0-9]+)?)|(localhost(?::[0-9]+)?))(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}))?$') : true
 * @xValidation.message invalid repository namespace or image specification in the image scope
 */
export type ImageScope = string;

/**
 * IdentityRepositoryPrefix is a registry host[:port][/path] with no tag or digest.
 * @maxLength 512
 * @xValidation.rule self.matches('.*:([\\w][\\w.-]{0,127})$')? self.matches('^(localhost:[0-9]+)$'): true
 * @xValidation.message invalid repository or prefix in the signedIdentity, should not include the tag or digest
 * @xValidation.rule self.matches('^(((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+(?::[0-9]+)?)|(localhost(?::[0-9]+)?))(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$')
 * @xValidation.message invalid repository or prefix in the signedIdentity. The repository or prefix must starts with 'localhost' or a valid '.' separated domain. If contains registry paths, the path component names must start with at least one letter or number, with following parts able to be separated by one period, one or two underscore and multiple dashes.
 */
export type IdentityRepositoryPrefix = string;

/**
 * A PEM-encoded public key, base64 in JSON.
 * @format byte
 * @maxLength 8192
 */
type PemPublicKey = string;

/** ImageSigstoreVerificationPolicy defines the verification policy for the items in the scopes list. */
export interface ImageSigstoreVerificationPolicy {
  /** rootOfTrust specifies the root of trust for the policy. */
  rootOfTrust: PolicyRootOfTrust;
  /**
   * signedIdentity specifies what image identity the signature claims about the image. When omitted,
   * the default matchPolicy is MatchRepoDigestOrExact.
   */
  signedIdentity?: PolicyIdentity;
}

/**
 * PolicyRootOfTrust defines the root of trust based on the selected policyType.
 * @xValidation.rule has(self.policyType) && self.policyType == 'PKI' ? has(self.pki) : !has(self.pki)
 * @xValidation.message pki is required when policyType is PKI, and forbidden otherwise
 * @xValidation.rule has(self.policyType) && self.policyType == 'PublicKey' ? has(self.publicKey) : !has(self.publicKey)
 * @xValidation.message publicKey is required when policyType is PublicKey, and forbidden otherwise
 * @xValidation.rule has(self.policyType) && self.policyType == 'FulcioCAWithRekor' ? has(self.fulcioCAWithRekor) : !has(self.fulcioCAWithRekor)
 * @xValidation.message fulcioCAWithRekor is required when policyType is FulcioCAWithRekor, and forbidden otherwise
 */
export interface PolicyRootOfTrust {
  /** policyType serves as the union's discriminator. */
  policyType: "PublicKey" | "FulcioCAWithRekor" | "PKI";
  /** publicKey defines the root of trust configuration based on a sigstore public key. */
  publicKey?: ImagePolicyPublicKeyRootOfTrust;
  /** fulcioCAWithRekor defines the root of trust based on the Fulcio certificate and the Rekor public key. */
  fulcioCAWithRekor?: ImagePolicyFulcioCAWithRekorRootOfTrust;
  /** pki defines the root of trust based on Bring Your Own Public Key Infrastructure (BYOPKI). */
  pki?: ImagePolicyPKIRootOfTrust;
}

/** ImagePolicyPublicKeyRootOfTrust defines the root of trust based on a sigstore public key. */
export interface ImagePolicyPublicKeyRootOfTrust {
  /**
   * keyData contains inline base64-encoded data for the PEM format public key.
   * @minLength 68
   * @xValidation.rule string(self).startsWith('-----BEGIN PUBLIC KEY-----')
   * @xValidation.message the keyData must start with base64 encoding of '-----BEGIN PUBLIC KEY-----'.
   * @xValidation.rule string(self).endsWith('-----END PUBLIC KEY-----\n') || string(self).endsWith('-----END PUBLIC KEY-----')
   * @xValidation.message the keyData must end with base64 encoding of '-----END PUBLIC KEY-----'.
   */
  keyData: PemPublicKey;
  /**
   * rekorKeyData contains inline base64-encoded data for the PEM format Rekor public key.
   * @xValidation.rule string(self).startsWith('-----BEGIN PUBLIC KEY-----')
   * @xValidation.message the rekorKeyData must start with base64 encoding of '-----BEGIN PUBLIC KEY-----'.
   * @xValidation.rule string(self).endsWith('-----END PUBLIC KEY-----\n') || string(self).endsWith('-----END PUBLIC KEY-----')
   * @xValidation.message the rekorKeyData must end with base64 encoding of '-----END PUBLIC KEY-----'.
   */
  rekorKeyData?: PemPublicKey;
}

/** ImagePolicyFulcioCAWithRekorRootOfTrust defines the root of trust based on the Fulcio certificate and the Rekor public key. */
export interface ImagePolicyFulcioCAWithRekorRootOfTrust {
  /**
   * fulcioCAData contains inline base64-encoded data for the PEM format fulcio CA.
   * @format byte
   * @maxLength 8192
   * @xValidation.rule string(self).startsWith('-----BEGIN CERTIFICATE-----')
   * @xValidation.message the fulcioCAData must start with base64 encoding of '-----BEGIN CERTIFICATE-----'.
   * @xValidation.rule string(self).endsWith('-----END CERTIFICATE-----\n') || string(self).endsWith('-----END CERTIFICATE-----')
   * @xValidation.message the fulcioCAData must end with base64 encoding of '-----END CERTIFICATE-----'.
   */
  fulcioCAData: string;
  /**
   * rekorKeyData contains inline base64-encoded data for the PEM format Rekor public key.
   * @xValidation.rule string(self).startsWith('-----BEGIN PUBLIC KEY-----')
   * @xValidation.message the rekorKeyData must start with base64 encoding of '-----BEGIN PUBLIC KEY-----'.
   * @xValidation.rule string(self).endsWith('-----END PUBLIC KEY-----\n') || string(self).endsWith('-----END PUBLIC KEY-----')
   * @xValidation.message the rekorKeyData must end with base64 encoding of '-----END PUBLIC KEY-----'.
   */
  rekorKeyData: PemPublicKey;
  /** fulcioSubject specifies OIDC issuer and the email of the Fulcio authentication configuration. */
  fulcioSubject: PolicyFulcioSubject;
}

/** PolicyFulcioSubject defines the OIDC issuer and the email of the Fulcio authentication configuration. */
export interface PolicyFulcioSubject {
  /**
   * oidcIssuer contains the expected OIDC issuer.
   * @maxLength 2048
   * @xValidation.rule isURL(self)
   * @xValidation.message oidcIssuer must be a valid URL
   */
  oidcIssuer: string;
  /**
   * signedEmail holds the email address the the Fulcio certificate is issued for.
   * @maxLength 320
   * @xValidation.rule self.matches('^\\S+@\\S+$')
   * @xValidation.message invalid email address
   */
  signedEmail: string;
}

/**
 * PEM-encoded certificates, base64 in JSON.
 * @format byte
 * @minLength 72
 * @maxLength 8192
 */
type PemCertificates = string;

/** ImagePolicyPKIRootOfTrust defines the root of trust based on Root CA(s) and corresponding intermediate certificates. */
export interface ImagePolicyPKIRootOfTrust {
  /**
   * caRootsData contains base64-encoded data of a certificate bundle PEM file, which contains one or
   * more CA roots in the PEM format.
   * @xValidation.rule string(self).startsWith('-----BEGIN CERTIFICATE-----')
   * @xValidation.message the caRootsData must start with base64 encoding of '-----BEGIN CERTIFICATE-----'.
   * @xValidation.rule string(self).endsWith('-----END CERTIFICATE-----\n') || string(self).endsWith('-----END CERTIFICATE-----')
   * @xValidation.message the caRootsData must end with base64 encoding of '-----END CERTIFICATE-----'.
   * @xValidation.rule string(self).findAll('-----BEGIN CERTIFICATE-----').size() == string(self).findAll('-----END CERTIFICATE-----').size()
   * @xValidation.message caRootsData must be base64 encoding of valid PEM format data contain the same number of '-----BEGIN CERTIFICATE-----' and '-----END CERTIFICATE-----' markers.
   */
  caRootsData: PemCertificates;
  /**
   * caIntermediatesData contains base64-encoded data of a certificate bundle PEM file, which contains
   * one or more intermediate certificates in the PEM format.
   * @xValidation.rule string(self).startsWith('-----BEGIN CERTIFICATE-----')
   * @xValidation.message the caIntermediatesData must start with base64 encoding of '-----BEGIN CERTIFICATE-----'.
   * @xValidation.rule string(self).endsWith('-----END CERTIFICATE-----\n') || string(self).endsWith('-----END CERTIFICATE-----')
   * @xValidation.message the caIntermediatesData must end with base64 encoding of '-----END CERTIFICATE-----'.
   * @xValidation.rule string(self).findAll('-----BEGIN CERTIFICATE-----').size() == string(self).findAll('-----END CERTIFICATE-----').size()
   * @xValidation.message caIntermediatesData must be base64 encoding of valid PEM format data contain the same number of '-----BEGIN CERTIFICATE-----' and '-----END CERTIFICATE-----' markers.
   */
  caIntermediatesData?: PemCertificates;
  /** pkiCertificateSubject defines the requirements imposed on the subject to which the certificate was issued. */
  pkiCertificateSubject: PKICertificateSubject;
}

/**
 * PKICertificateSubject defines the requirements imposed on the subject to which the certificate was issued.
 * @xValidation.rule has(self.email) || has(self.hostname)
 * @xValidation.message at least one of email or hostname must be set in pkiCertificateSubject
 */
export interface PKICertificateSubject {
  /**
   * email specifies the expected email address imposed on the subject to which the certificate was issued.
   * @maxLength 320
   * @xValidation.rule self.matches('^\\S+@\\S+$')
   * @xValidation.message invalid email address
   */
  email?: string;
  /**
   * hostname specifies the expected hostname imposed on the subject to which the certificate was issued.
   * @maxLength 253
   * @xValidation.rule self.startsWith('*.') ? !format.dns1123Subdomain().validate(self.replace('*.', '', 1)).hasValue() : !format.dns1123Subdomain().validate(self).hasValue()
   * @xValidation.message hostname must be a valid dns 1123 subdomain name, optionally prefixed by '*.'. It must consist only of lowercase alphanumeric characters, hyphens, periods and the optional preceding asterisk.
   */
  hostname?: string;
}

/**
 * PolicyIdentity defines image identity the signature claims about the image.
 * @xValidation.rule (has(self.matchPolicy) && self.matchPolicy == 'ExactRepository') ? has(self.exactRepository) : !has(self.exactRepository)
 * @xValidation.message exactRepository is required when matchPolicy is ExactRepository, and forbidden otherwise
 * @xValidation.rule (has(self.matchPolicy) && self.matchPolicy == 'RemapIdentity') ? has(self.remapIdentity) : !has(self.remapIdentity)
 * @xValidation.message remapIdentity is required when matchPolicy is RemapIdentity, and forbidden otherwise
 */
export interface PolicyIdentity {
  /** matchPolicy sets the type of matching to be used. */
  matchPolicy: "MatchRepoDigestOrExact" | "MatchRepository" | "ExactRepository" | "RemapIdentity";
  /** exactRepository is required if matchPolicy is set to "ExactRepository". */
  exactRepository?: PolicyMatchExactRepository;
  /** remapIdentity is required if matchPolicy is set to "RemapIdentity". */
  remapIdentity?: PolicyMatchRemapIdentity;
}

/** PolicyMatchExactRepository is the identity that a signature must claim. */
export interface PolicyMatchExactRepository {
  /** repository is the reference of the image identity to be matched. */
  repository: IdentityRepositoryPrefix;
}

/** PolicyMatchRemapIdentity remaps the image identity before matching. */
export interface PolicyMatchRemapIdentity {
  /** prefix is the prefix of the image identity to be matched. */
  prefix: IdentityRepositoryPrefix;
  /** signedPrefix is the prefix of the image identity to be matched in the signature. */
  signedPrefix: IdentityRepositoryPrefix;
}

/** The spec shared by ImagePolicy and ClusterImagePolicy. */
export interface ImageSigstorePolicySpec {
  /**
   * scopes is a list of image scopes to which the policy applies; the most specific scope wins.
   * @maxItems 256
   * @listType set
   */
  scopes: ImageScope[];
  /** policy is a root of trust configuration for the images in scopes. */
  policy: ImageSigstoreVerificationPolicy;
}

/** The status shared by ImagePolicy and ClusterImagePolicy. */
export interface ImageSigstorePolicyStatus {
  /**
   * conditions provide details on the status of this API Resource.
   * @minItems 1
   * @maxItems 8
   * @listType map
   * @listMapKey type
   */
  conditions?: Condition[];
}

/**
 * ImagePolicy holds namespace-wide configuration for image signature verification.
 * @group config.openshift.io
 * @version v1
 * @plural imagepolicies
 * @scope Namespaced
 * @subresource status
 * @annotation api-approved.openshift.io=https://github.com/openshift/api/pull/2310
 * @annotation api.openshift.io/merged-by-featuregates=true
 * @annotation include.release.openshift.io/ibm-cloud-managed=true
 * @annotation include.release.openshift.io/self-managed-high-availability=true
 */
export interface ImagePolicy extends KubeObject {
  /** spec holds user settable values for configuration. */
  spec: ImageSigstorePolicySpec;
  /** status contains the observed state of the resource. */
  status?: ImageSigstorePolicyStatus;
}

/** ImagePolicy condition types (upstream constants). */
export const ImagePolicyPending = "Pending";
export const ImagePolicyApplied = "Applied";
