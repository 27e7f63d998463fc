// Manifests on disk → validated objects → snapshot → render: shared by `image-policy render` and
// `image-policy verify -f`, so both see exactly what the controller would render.
import type { KubeObject } from "../apis/meta.ts";
import { readManifests } from "../manifests/read.ts";
import type { CrioVersion } from "../render/crio-version.ts";
import { snapshotFromManifests, type ManifestSnapshot } from "../render/manifest-snapshot.ts";
import type { PolicyOutcome } from "../render/outcome.ts";
import { render, type Rendered } from "../render/render.ts";
import { loadCrdCatalog } from "../validate/crd-catalog.ts";
import { formatFieldError } from "../validate/field-error.ts";
import { manifestSetProblems } from "../validate/manifest-set.ts";
import { UnknownKindError, validateObject } from "../validate/validate.ts";
import { CONTROLLER_VERSION } from "./version.ts";

export interface ManifestRender {
  /** Problems that make the input unusable (unreadable files, invalid singletons, render errors). */
  problems: string[];
  /** Policies refused by schema validation (the render continues without them). */
  invalidOutcomes: PolicyOutcome[];
  built?: ManifestSnapshot;
  rendered?: Rendered;
}

const POLICY_KINDS = ["ClusterImagePolicy", "ImagePolicy", "ClusterSimpleSigningPolicy"];

export function renderManifests(
  paths: string[],
  options: { crioVersion: CrioVersion; profile?: string },
): ManifestRender {
  const manifests = readManifests(paths);
  const problems = manifests.problems.map((p) => `${p.source}: ${p.message}`);
  if (problems.length > 0) return { problems, invalidOutcomes: [] };
  if (manifests.documents.length === 0) {
    return {
      problems: [`no manifests found in ${paths.join(", ")}: nothing to render`],
      invalidOutcomes: [],
    };
  }

  const catalog = loadCrdCatalog();
  problems.push(...manifestSetProblems(manifests.documents, catalog, { duplicates: true }));
  if (problems.length > 0) return { problems, invalidOutcomes: [] };
  const usable: { source: string; object: KubeObject }[] = [];
  const invalidOutcomes: PolicyOutcome[] = [];
  for (const { source, object } of manifests.documents) {
    let errors: string[];
    try {
      errors = validateObject(catalog, object).errors.map(formatFieldError);
    } catch (error) {
      if (!(error instanceof UnknownKindError)) throw error;
      errors = []; // kinds render does not read are reported by the snapshot builder
    }
    const kube = object as unknown as KubeObject;
    if (errors.length === 0) {
      usable.push({ source, object: kube });
    } else if (POLICY_KINDS.includes(kube.kind)) {
      const outcome: PolicyOutcome = {
        kind: kube.kind as PolicyOutcome["kind"],
        name: kube.metadata?.name ?? "",
        state: "Invalid",
        reason: "Invalid",
        message: errors.join("; "),
        appliedScopes: [],
      };
      if (kube.metadata?.namespace) outcome.namespace = kube.metadata.namespace;
      invalidOutcomes.push(outcome);
    } else {
      problems.push(...errors.map((e) => `${source}: ${kube.kind}/${kube.metadata?.name ?? ""}: ${e}`));
    }
  }
  if (problems.length > 0) return { problems, invalidOutcomes };

  const built = snapshotFromManifests(usable, {
    crioVersion: options.crioVersion,
    controllerVersion: CONTROLLER_VERSION,
    ...(options.profile ? { profile: options.profile } : {}),
  });
  if (built.problems.length > 0) return { problems: built.problems, invalidOutcomes, built };
  const rendered = render(built.snapshot);
  return { problems: rendered.errors.map((e) => `error: ${e}`), invalidOutcomes, built, rendered };
}
