// One policy object → the containers/image requirement it stands for, following MCO's
// policyItemFromSpec for ClusterImagePolicy and ImagePolicy, and our own mapping for
// ClusterSimpleSigningPolicy. Everything containers/image would refuse, or that would only fail at
// pull time, is found here and returned as problems, so the policy can be reported Invalid.
import type { ImageSigstorePolicySpec, PolicyIdentity } from "../apis/config/v1/imagepolicy.ts";
import type { ClusterSimpleSigningPolicySpec } from "../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import type { PolicyReferenceMatch, PRSignedBy, PRSigstoreSigned } from "../containers/policy.ts";
import { remapIdentityPrefixIsValid } from "../containers/policy-parse.ts";
import { parseDockerReference } from "../containers/reference.ts";
import { unsupportedFeature, type CrioFeature, type CrioVersion } from "./crio-version.ts";
import { certificatesProblem, dearmorPublicKey, publicKeyProblem } from "./key-material.ts";

/**
 * A usable requirement, or the problems that make the policy Invalid. `asGiven` is the requirement
 * exactly as the policy states it (what MCO writes), when one could be built and every feature it
 * uses exists in the target CRI-O: the render writes it if containers/image still parses it, so the
 * node refuses images in the policy's scopes instead of admitting them unsigned.
 */
export type RequirementResult<R> =
  { ok: true; requirement: R } | { ok: false; problems: string[]; asGiven?: R };

const decode = (base64: string): string => Buffer.from(base64, "base64").toString("utf8");

/** The signedIdentity of a policy; MatchRepoDigestOrExact when omitted (MCO's default). */
export function signedIdentityFor(
  identity: PolicyIdentity | undefined,
  problems: string[],
): PolicyReferenceMatch {
  switch (identity?.matchPolicy ?? "MatchRepoDigestOrExact") {
    case "MatchRepoDigestOrExact":
      return { type: "matchRepoDigestOrExact" };
    case "MatchRepository":
      return { type: "matchRepository" };
    case "ExactRepository": {
      const repository = identity?.exactRepository?.repository ?? "";
      const parsed = parseDockerReference(repository);
      if (!parsed.ok) {
        problems.push(
          `error getting signedIdentity for ExactRepository: Invalid format of dockerRepository "${repository}": ${parsed.message}`,
        );
      } else if (parsed.reference.tag !== undefined || parsed.reference.digest !== undefined) {
        problems.push(
          `error getting signedIdentity for ExactRepository: dockerRepository "${repository}" must not carry a tag or digest`,
        );
      }
      return { type: "exactRepository", dockerRepository: repository };
    }
    case "RemapIdentity": {
      const prefix = identity?.remapIdentity?.prefix ?? "";
      const signedPrefix = identity?.remapIdentity?.signedPrefix ?? "";
      for (const p of [prefix, signedPrefix]) {
        if (!remapIdentityPrefixIsValid(p))
          problems.push(`error getting signedIdentity for RemapIdentity: prefix "${p}" is not valid`);
      }
      return { type: "remapIdentity", prefix, signedPrefix };
    }
    default:
      problems.push(`unknown signedIdentity match policy: ${String(identity?.matchPolicy)}`);
      return { type: "matchRepoDigestOrExact" };
  }
}

/** ClusterImagePolicy / ImagePolicy spec → sigstoreSigned (MCO policyItemFromSpec). */
export function sigstoreRequirement(
  spec: ImageSigstorePolicySpec,
  crio: CrioVersion,
): RequirementResult<PRSigstoreSigned> {
  const problems: string[] = [];
  let unsupported = false;
  const needs = (feature: CrioFeature): void => {
    const why = unsupportedFeature(crio, feature);
    if (why) {
      problems.push(why);
      unsupported = true;
    }
  };
  needs("sigstoreKey");
  const signedIdentity = signedIdentityFor(spec.policy.signedIdentity, problems);
  const root = spec.policy.rootOfTrust;
  let requirement: PRSigstoreSigned | undefined;
  switch (root.policyType) {
    case "PublicKey": {
      const key = root.publicKey;
      if (!key) {
        problems.push("publicKey is required when policyType is PublicKey");
        break;
      }
      const keyProblem = publicKeyProblem(decode(key.keyData), "publicKey.keyData");
      if (keyProblem) problems.push(keyProblem);
      if (key.rekorKeyData) {
        needs("rekorKey");
        const rekorProblem = publicKeyProblem(decode(key.rekorKeyData), "publicKey.rekorKeyData", {
          ecdsaOnly: true,
        });
        if (rekorProblem) problems.push(rekorProblem);
      }
      requirement = {
        type: "sigstoreSigned",
        keyData: key.keyData,
        ...(key.rekorKeyData ? { rekorPublicKeyData: key.rekorKeyData } : {}),
        signedIdentity,
      };
      break;
    }
    case "FulcioCAWithRekor": {
      const fulcio = root.fulcioCAWithRekor;
      if (!fulcio) {
        problems.push("fulcioCAWithRekor is required when policyType is FulcioCAWithRekor");
        break;
      }
      needs("fulcio");
      const caProblem = certificatesProblem(decode(fulcio.fulcioCAData), "fulcioCAWithRekor.fulcioCAData");
      if (caProblem) problems.push(caProblem);
      const rekorProblem = publicKeyProblem(decode(fulcio.rekorKeyData), "fulcioCAWithRekor.rekorKeyData", {
        ecdsaOnly: true,
      });
      if (rekorProblem) problems.push(rekorProblem);
      if (!fulcio.fulcioSubject.oidcIssuer) problems.push("oidcIssuer not specified");
      if (!fulcio.fulcioSubject.signedEmail) problems.push("subjectEmail not specified");
      requirement = {
        type: "sigstoreSigned",
        fulcio: {
          caData: fulcio.fulcioCAData,
          oidcIssuer: fulcio.fulcioSubject.oidcIssuer,
          subjectEmail: fulcio.fulcioSubject.signedEmail,
        },
        rekorPublicKeyData: fulcio.rekorKeyData,
        signedIdentity,
      };
      break;
    }
    case "PKI": {
      const pki = root.pki;
      if (!pki) {
        problems.push("pki is required when policyType is PKI");
        break;
      }
      needs("pki");
      const rootsProblem = certificatesProblem(decode(pki.caRootsData), "pki.caRootsData");
      if (rootsProblem) problems.push(rootsProblem);
      if (pki.caIntermediatesData) {
        const intermediatesProblem = certificatesProblem(
          decode(pki.caIntermediatesData),
          "pki.caIntermediatesData",
        );
        if (intermediatesProblem) problems.push(intermediatesProblem);
      }
      const subject = pki.pkiCertificateSubject;
      if (!subject.email && !subject.hostname)
        problems.push("At least one of subjectEmail, subjectHostname must be specified");
      requirement = {
        type: "sigstoreSigned",
        pki: {
          caRootsData: pki.caRootsData,
          ...(pki.caIntermediatesData ? { caIntermediatesData: pki.caIntermediatesData } : {}),
          ...(subject.email ? { subjectEmail: subject.email } : {}),
          ...(subject.hostname ? { subjectHostname: subject.hostname } : {}),
        },
        signedIdentity,
      };
      break;
    }
    default:
      problems.push(`unknown policyType ${String((root as { policyType: unknown }).policyType)}`);
  }
  if (problems.length > 0 || !requirement) {
    return { ok: false, problems, ...(requirement && !unsupported ? { asGiven: requirement } : {}) };
  }
  return { ok: true, requirement };
}

/**
 * ClusterSimpleSigningPolicy spec → signedBy (GPGKeys). One armored key is passed through as
 * keyData; several are de-armored and concatenated into one binary keyring, because
 * containers/image reads only the first armored block of keyData.
 */
export function simpleSigningRequirement(
  spec: ClusterSimpleSigningPolicySpec,
): RequirementResult<PRSignedBy> {
  const problems: string[] = [];
  const signedIdentity = signedIdentityFor(spec.signedIdentity, problems);
  const packets: Uint8Array[] = [];
  spec.publicKeys.forEach((armored, i) => {
    const result = dearmorPublicKey(armored);
    if (result.ok) packets.push(result.packets);
    else problems.push(`publicKeys[${i}]: ${result.message}`);
  });
  if (spec.publicKeys.length === 0) problems.push("publicKeys must list at least one key");
  if (problems.length > 0) return { ok: false, problems };
  const keyring =
    spec.publicKeys.length === 1
      ? Buffer.from(spec.publicKeys[0] ?? "", "utf8")
      : Buffer.concat(packets.map((p) => Buffer.from(p)));
  return {
    ok: true,
    requirement: {
      type: "signedBy",
      keyType: "GPGKeys",
      keyData: keyring.toString("base64"),
      signedIdentity,
    },
  };
}
