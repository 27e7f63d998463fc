// signedIdentity: whether the docker-reference inside a signature is acceptable for the image being
// pulled, exactly as containers/image's signature/policy_reference_match.go decides it. The image's
// identity is the *logical* reference (what was asked for, with ":latest" added to a bare name), never
// the mirror that served it.

import type { PolicyReferenceMatch } from "../containers/policy.ts";
import {
  isNameOnly,
  parseDockerReference,
  referenceString,
  repositoryName,
  type DockerReference,
} from "../containers/reference.ts";

/** ParseNormalizedNamed, or undefined where Go would return an error (which never matches). */
function parseNormalized(s: string): DockerReference | undefined {
  const parsed = parseDockerReference(s);
  return parsed.ok ? parsed.reference : undefined;
}

/** reference.ParseNamed: like ParseNormalizedNamed, but only for input already in canonical form. */
function parseCanonicalNamed(s: string): DockerReference | undefined {
  const parsed = parseNormalized(s);
  return parsed !== undefined && referenceString(parsed) === s ? parsed : undefined;
}

/** matchRepoDigestOrExactReferenceValues. */
function matchRepoDigestOrExact(intended: DockerReference, signature: DockerReference): boolean {
  if (isNameOnly(signature)) return false;
  if (intended.tag !== undefined) return referenceString(signature) === referenceString(intended);
  if (intended.digest !== undefined) return repositoryName(signature) === repositoryName(intended);
  return false;
}

/** prmRemapIdentity.refMatchesPrefix: prefix at a "/" boundary of the repository name. */
function remapMatchesPrefix(name: string, prefix: string): boolean {
  if (name.length < prefix.length) return false;
  if (name.length === prefix.length) return name === prefix;
  return name.startsWith(prefix) && name[prefix.length] === "/";
}

/**
 * Whether `signedReference` (the signature's docker-reference, untrusted) is accepted for the
 * image `intended` under `match`.
 */
export function signedIdentityMatches(
  match: PolicyReferenceMatch,
  intended: DockerReference,
  signedReference: string,
): boolean {
  switch (match.type) {
    case "matchExact": {
      const signature = parseNormalized(signedReference);
      if (signature === undefined || isNameOnly(intended) || isNameOnly(signature)) return false;
      return referenceString(signature) === referenceString(intended);
    }
    case "matchRepoDigestOrExact": {
      const signature = parseNormalized(signedReference);
      return signature !== undefined && matchRepoDigestOrExact(intended, signature);
    }
    case "matchRepository": {
      const signature = parseNormalized(signedReference);
      return signature !== undefined && repositoryName(signature) === repositoryName(intended);
    }
    case "exactReference": {
      const wanted = parseNormalized(match.dockerReference);
      const signature = parseNormalized(signedReference);
      if (wanted === undefined || signature === undefined) return false;
      if (isNameOnly(wanted) || isNameOnly(signature)) return false;
      return referenceString(signature) === referenceString(wanted);
    }
    case "exactRepository": {
      const wanted = parseNormalized(match.dockerRepository);
      const signature = parseNormalized(signedReference);
      if (wanted === undefined || signature === undefined) return false;
      return repositoryName(signature) === repositoryName(wanted);
    }
    case "remapIdentity": {
      const signature = parseNormalized(signedReference);
      if (signature === undefined) return false;
      let remapped: DockerReference | undefined = intended;
      if (remapMatchesPrefix(repositoryName(intended), match.prefix)) {
        // strings.Replace(ref.String(), prefix, signedPrefix, 1), then ParseNamed (canonical form only).
        remapped = parseCanonicalNamed(
          referenceString(intended).replace(match.prefix, () => match.signedPrefix),
        );
      }
      return remapped !== undefined && matchRepoDigestOrExact(remapped, signature);
    }
  }
}
