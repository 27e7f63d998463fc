// Opening an image as CRI-O does (docker/docker_image_src.go newImageSource): the pull sources are
// tried in order — mirrors first, then the registry itself — and the first one that serves the
// manifest the reference names is *the* source: the per-platform instance and every signature are then
// read from it, with no further fallback. For an index or manifest list the instance is chosen for the
// platform like containers/image (pkg/registry chooseInstance).

import type { DockerReference } from "../containers/reference.ts";
import { referenceString } from "../containers/reference.ts";
import {
  NoMatchingInstanceError,
  RegistryError,
  chooseInstance,
  isImageManifestType,
  type ChooseInstanceOptions,
  type FetchedManifest,
  type ImageManifest,
  type RegistryClient,
} from "../registry/index.ts";
import type { PullSource } from "./registries-conf.ts";

export interface OpenedImage {
  /** The reference actually contacted (a mirror's, or the logical one). */
  physical: DockerReference;
  mirror: boolean;
  /** The manifest the reference named (an index, or the image itself). */
  top: FetchedManifest;
  /** The per-platform image manifest the policy is evaluated on. */
  instance: FetchedManifest & { parsed: ImageManifest };
}

export class ImageSourceError extends Error {
  override readonly name = "ImageSourceError";
}

/** Fetches a manifest by digest once per cache (content addressed, so never stale). */
export type ManifestFetcher = (ref: DockerReference, tagOrDigest: string) => Promise<FetchedManifest>;

export function cachingManifestFetcher(
  client: RegistryClient,
  cache: Map<string, Promise<FetchedManifest>>,
): ManifestFetcher {
  return (ref, tagOrDigest) => {
    const repo = { registry: ref.domain, repository: ref.path };
    if (!tagOrDigest.includes(":")) return client.getManifest(repo, tagOrDigest);
    const key = `${ref.domain}/${ref.path}@${tagOrDigest}`;
    let found = cache.get(key);
    if (found === undefined) {
      found = client.getManifest(repo, tagOrDigest);
      found.catch(() => cache.delete(key));
      cache.set(key, found);
    }
    return found;
  };
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Opens the image through its pull sources; the error reads like containers/image's. */
export async function openImage(
  sources: readonly PullSource[],
  fetchManifest: ManifestFetcher,
  platform: ChooseInstanceOptions,
): Promise<OpenedImage> {
  const failures: { ref: DockerReference; error: unknown }[] = [];
  for (const source of sources) {
    const ref = source.reference;
    let top: FetchedManifest;
    try {
      top = await fetchManifest(ref, ref.digest ?? ref.tag ?? "latest");
    } catch (error) {
      if (!(error instanceof RegistryError) && !(error instanceof TypeError)) throw error;
      failures.push({ ref, error });
      continue;
    }
    return {
      physical: ref,
      mirror: source.mirror,
      top,
      instance: await chooseFrom(ref, top, fetchManifest, platform),
    };
  }
  const primary = failures[failures.length - 1];
  if (primary === undefined) throw new ImageSourceError("no pull source to try");
  const primaryText = `reading manifest of ${referenceString(primary.ref)}: ${errorMessage(primary.error)}`;
  if (failures.length === 1) throw new ImageSourceError(primaryText);
  const extras = failures
    .slice(0, -1)
    .map((f) => `[${referenceString(f.ref)}: ${errorMessage(f.error)}]`)
    .join("\n");
  throw new ImageSourceError(`(Mirrors also failed: ${extras}): ${primaryText}`);
}

async function chooseFrom(
  ref: DockerReference,
  top: FetchedManifest,
  fetchManifest: ManifestFetcher,
  platform: ChooseInstanceOptions,
): Promise<OpenedImage["instance"]> {
  if (top.parsed.kind === "manifest") return top as OpenedImage["instance"];
  let digest: string;
  let mediaType: string;
  try {
    const chosen = chooseInstance(top.parsed, platform);
    digest = chosen.digest;
    mediaType = chosen.mediaType;
  } catch (error) {
    if (error instanceof NoMatchingInstanceError) throw new ImageSourceError(error.message);
    throw error;
  }
  if (!isImageManifestType(mediaType)) {
    throw new ImageSourceError(
      `the chosen instance ${digest} has media type ${mediaType}, not an image manifest`,
    );
  }
  let instance: FetchedManifest;
  try {
    instance = await fetchManifest(ref, digest);
  } catch (error) {
    if (!(error instanceof RegistryError)) throw error;
    throw new ImageSourceError(`reading manifest ${digest} in ${ref.domain}/${ref.path}: ${error.message}`);
  }
  if (instance.parsed.kind !== "manifest") {
    throw new ImageSourceError(
      `the instance ${digest} of ${ref.domain}/${ref.path} is not an image manifest`,
    );
  }
  return instance as OpenedImage["instance"];
}
