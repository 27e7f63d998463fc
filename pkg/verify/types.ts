// The verifier's result model: one verdict per image, with the policy section that applied, the
// outcome of each requirement of that section, and hints about the well-known reasons a node rejects
// an image that its owner believes is signed.

import type { PolicyRequirementType } from "../containers/policy.ts";

/** Which policy list applied: a scope of a transport, or the policy's default. */
export type MatchedSection = { transport: string; scope: string } | "default";

export type RequirementOutcome = "accepted" | "rejected" | "not-evaluated";

export interface RequirementResult {
  index: number;
  type: PolicyRequirementType;
  outcome: RequirementOutcome;
  /** containers/image's words for a rejection. */
  message?: string;
  /** One line per signature examined (for signature-verifying requirements). */
  signatures?: SignatureResult[];
}

export interface SignatureResult {
  /** Where the signature came from: the attachment tag and layer, or the lookaside URL. */
  source: string;
  format: "sigstore" | "simple-signing" | "other";
  accepted: boolean;
  /** Why it was not accepted (containers/image's message), or what accepted it. */
  detail: string;
}

export type HintCode =
  | "cosign-bundle-format"
  | "index-signed-not-instance"
  | "mirror-attachments-disabled"
  | "attachments-disabled"
  | "lookaside-missing"
  | "identity-repository-only"
  | "no-signature-verification";

export interface Hint {
  code: HintCode;
  message: string;
}

/** Where the image was read from: the first registry of the pull sources that served the manifest. */
export interface ImageSourceInfo {
  /** host[:port]/path of the registry actually contacted. */
  repository: string;
  /** True when that was a mirror from registries.conf, not the image's own registry. */
  mirror: boolean;
  /** Digest of the manifest the reference named (an index for multi-platform images). */
  digest: string;
  /** The per-platform instance the policy was evaluated on (equal to digest for single images). */
  instanceDigest: string;
}

export interface ImageVerdict {
  /** The image reference as given. */
  image: string;
  /** The reference containers/image evaluates ("docker://host/repo:tag"), when it parsed. */
  reference?: string;
  admitted: boolean;
  /** The input itself is unusable (malformed reference, unreadable policy): not a policy decision. */
  inputError?: boolean;
  /** Which policy file applied (the cluster policy, or a namespace file that replaced it). */
  policySource?: string;
  section?: MatchedSection;
  source?: ImageSourceInfo;
  requirements: RequirementResult[];
  /** containers/image's overall error for a rejected image, as a node would log it. */
  error?: string;
  hints: Hint[];
}

/** How a section is written in reasons and JSON: `docker "scope"` or `default`. */
export function describeSection(section: MatchedSection): string {
  return section === "default"
    ? "the policy's default requirements"
    : `transports.${section.transport}[${JSON.stringify(section.scope)}]`;
}
