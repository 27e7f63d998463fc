// The release-update guard: a requested update to a release image outside the flavour's canonical
// registry/repository is refused before any registry is contacted, unless the update is forced. A
// compromised third-party signer trusted for workload images must not be able to sign a cluster
// update. Pure: the same rules feed `image-policy check-update`, the controller's watch of
// ClusterVersion, and the generated ValidatingAdmissionPolicy (see admission.ts).
import { parseDockerReference } from "../containers/reference.ts";

export type Flavour = "ocp" | "okd";

export const CANONICAL_RELEASE_REPOSITORIES: Record<Flavour, { domain: string; path: string }> = {
  ocp: { domain: "quay.io", path: "openshift-release-dev/ocp-release" },
  okd: { domain: "quay.io", path: "okd/scos-release" },
};

export function canonicalRepository(flavour: Flavour): string {
  const { domain, path } = CANONICAL_RELEASE_REPOSITORIES[flavour];
  return `${domain}/${path}`;
}

export interface UpdateRequest {
  /** spec.desiredUpdate.image; undefined or "" for a version-only update. */
  image?: string | undefined;
  force?: boolean | undefined;
}

export type GuardVerdict =
  | { decision: "not-applicable"; reason: string }
  | { decision: "accepted"; reason: string }
  | { decision: "rejected"; reason: string }
  /** Outside the canonical repository, but forced: let through with a warning. */
  | { decision: "forced"; reason: string; wouldReject: string };

const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;

/** Why `image` is not a canonical release pullspec for `flavour`, or undefined when it is. */
export function nonCanonicalReason(image: string, flavour: Flavour): string | undefined {
  const expected = canonicalRepository(flavour);
  const { domain, path } = CANONICAL_RELEASE_REPOSITORIES[flavour];
  const parsed = parseDockerReference(image);
  if (!parsed.ok)
    return `"${image}" is not a valid image reference (${parsed.message}); expected ${expected}`;
  const ref = parsed.reference;
  // The spelling must be the canonical one, not merely equivalent after normalisation: a
  // pullspec that relies on docker.io defaulting or on case-insensitive hosts is refused.
  if (!image.startsWith(`${ref.domain}/`)) {
    return `"${image}" names no registry (it would be pulled from ${ref.domain}); expected ${expected}`;
  }
  if (ref.domain !== domain) {
    const host = ref.domain.replace(/:\d+$/, "");
    const why =
      host === domain
        ? `the port in ${ref.domain}`
        : host.toLowerCase() === domain
          ? `the spelling ${ref.domain}`
          : `registry ${ref.domain}`;
    return `release images must come from ${expected}, not from ${why}`;
  }
  if (ref.path !== path) {
    const hint = ref.path.startsWith(path) ? " (a look-alike of the canonical repository)" : "";
    return `release images must come from ${expected}, not from repository ${ref.domain}/${ref.path}${hint}`;
  }
  if (ref.digest !== undefined && !SHA256_DIGEST.test(ref.digest)) {
    return `the digest ${ref.digest} is not a sha256 digest of 64 lowercase hex characters`;
  }
  return undefined;
}

export function checkUpdate(request: UpdateRequest, flavour: Flavour): GuardVerdict {
  const image = request.image ?? "";
  if (image === "") {
    return {
      decision: "not-applicable",
      reason: "a version-only update names no image; the update service's list governs it",
    };
  }
  const problem = nonCanonicalReason(image, flavour);
  if (problem === undefined)
    return { decision: "accepted", reason: `${image} is in ${canonicalRepository(flavour)}` };
  if (request.force) {
    return {
      decision: "forced",
      reason: `the update is forced: ${problem}. The image will run with full administrative access to the cluster.`,
      wouldReject: problem,
    };
  }
  return { decision: "rejected", reason: problem };
}

/**
 * The accepted pullspecs as one RE2/ECMAScript pattern: the canonical repository, an optional tag,
 * an optional sha256 digest. The admission policy's CEL uses it; a unit test proves it accepts
 * exactly what nonCanonicalReason accepts.
 */
export function canonicalPullspecPattern(flavour: Flavour): string {
  const repository = canonicalRepository(flavour).replace(/[.]/g, "\\.");
  return `^${repository}(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(@sha256:[a-f0-9]{64})?$`;
}
