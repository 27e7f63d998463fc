// Hints: the well-known reasons a node says "A signature was required, but no signature exists" (or
// refuses an identity) for an image its owner believes is signed. Each is checked, not guessed: a hint
// is given only when a registry lookup or the configuration shows the cause. Lookups here are HEAD
// requests; their failures only mean no hint.

import type { PolicyRequirement } from "../containers/policy.ts";
import {
  isNameOnly,
  parseDockerReference,
  referenceString,
  type DockerReference,
} from "../containers/reference.ts";
import type { RegistryClient } from "../registry/index.ts";
import type { OpenedImage } from "./image-source.ts";
import { useSigstoreAttachments, type RegistriesD } from "./registries-d.ts";
import { sigstoreAttachmentTag, type FetchedSignatures } from "./signature-source.ts";
import type { Hint } from "./types.ts";

const NO_SIGNATURE = "A signature was required, but no signature exists";

async function tagExists(client: RegistryClient, ref: DockerReference, tag: string): Promise<boolean> {
  try {
    await client.headManifest({ registry: ref.domain, repository: ref.path }, tag);
    return true;
  } catch {
    return false;
  }
}

export interface HintContext {
  client: RegistryClient;
  registriesD: RegistriesD;
  logical: DockerReference;
  opened: OpenedImage;
  fetched: FetchedSignatures | undefined;
  requirement: PolicyRequirement;
  message: string;
}

export async function hintsForRejection(ctx: HintContext): Promise<Hint[]> {
  const hints: Hint[] = [];
  const { opened, fetched, requirement, message } = ctx;
  const physical = opened.physical;
  const where = `${physical.domain}/${physical.path}`;
  if (requirement.type === "sigstoreSigned" && message.startsWith(NO_SIGNATURE) && fetched !== undefined) {
    const instanceTag = sigstoreAttachmentTag(opened.instance.digest);
    if (!fetched.attachments.value) {
      const sigExists = await tagExists(ctx.client, physical, instanceTag);
      const logicalEnabled = useSigstoreAttachments(ctx.registriesD, ctx.logical).value;
      const scope = referenceString(physical);
      if (opened.mirror && logicalEnabled) {
        hints.push({
          code: "mirror-attachments-disabled",
          message:
            `the image was pulled from the mirror ${where}, and registries.d does not set use-sigstore-attachments: true ` +
            `for it (only for ${ctx.logical.domain}/${ctx.logical.path}); nodes read signatures from the mirror that ` +
            `served the image, so every mirror needs its own registries.d entry` +
            (sigExists
              ? ` (the mirror does have ${instanceTag})`
              : ` and the ${instanceTag} tags mirrored with the images`),
        });
      } else {
        const typos = ctx.registriesD.warnings.filter((w) => w.includes("use-sigstore"));
        hints.push({
          code: "attachments-disabled",
          message:
            `registries.d does not set use-sigstore-attachments: true for ${scope} (or a scope containing it), so ` +
            `sigstore signatures are never read` +
            (sigExists ? `; a signature exists at ${where}:${instanceTag}` : "") +
            (typos.length > 0 ? ` (registries.d has keys a node ignores: ${typos.join("; ")})` : ""),
        });
      }
    } else {
      const hex = opened.instance.digest.replace(":", "-");
      if (await tagExists(ctx.client, physical, hex)) {
        hints.push({
          code: "cosign-bundle-format",
          message:
            `${where} has a tag ${hex} (no .sig): the OCI referrers fallback that cosign v3 writes for its new ` +
            `bundle format; nodes (containers/image) read only ${instanceTag}. Sign with cosign ` +
            `--new-bundle-format=false --use-signing-config=false (cosign v2 format)`,
        });
      }
      if (opened.top.digest !== opened.instance.digest) {
        const indexTag = sigstoreAttachmentTag(opened.top.digest);
        if (await tagExists(ctx.client, physical, indexTag)) {
          hints.push({
            code: "index-signed-not-instance",
            message:
              `the image index ${opened.top.digest} is signed (${indexTag}) but the platform instance ` +
              `${opened.instance.digest} is not; nodes verify the instance they pull. Sign with cosign sign --recursive`,
          });
        }
      }
    }
  }
  if (requirement.type === "signedBy" && message.startsWith(NO_SIGNATURE) && fetched !== undefined) {
    if (fetched.lookaside.from === undefined) {
      hints.push({
        code: "lookaside-missing",
        message:
          `registries.d configures no lookaside for ${referenceString(physical)} (nor default-docker), so GPG ` +
          `signatures were looked for in the built-in ${fetched.lookaside.value}; add a lookaside URL for the registry`,
      });
    }
  }
  const identity = /^Signature for identity "(.*)" is not accepted$/.exec(message);
  if (
    identity !== null &&
    "signedIdentity" in requirement &&
    (requirement.signedIdentity.type === "matchRepoDigestOrExact" ||
      requirement.signedIdentity.type === "matchExact")
  ) {
    const signed = parseDockerReference(identity[1] ?? "");
    if (signed.ok && isNameOnly(signed.reference)) {
      hints.push({
        code: "identity-repository-only",
        message:
          `the signature names only a repository (${identity[1]}), as cosign signatures do; ` +
          `${requirement.signedIdentity.type} needs a tag or digest there. Use signedIdentity matchRepository ` +
          `(or remapIdentity / exactRepository)`,
      });
    }
  }
  return hints;
}
