// `image-policy render -f DIR_OR_FILES`: renders node files and MachineConfigs from manifests,
// offline, with the engine the controller uses.
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileNameSegment, pathInside, PathEscapeError } from "../util/paths.ts";
import { parseArgs } from "node:util";
import { formatCrioVersion, NEWEST_CRIO, parseCrioVersion } from "../render/crio-version.ts";
import { outcomeLabel, type PolicyOutcome } from "../render/outcome.ts";
import type { NodeFile } from "../render/machineconfig.ts";
import type { Rendered } from "../render/render.ts";
import { machineConfigYaml } from "./machineconfig-yaml.ts";
import { renderManifests } from "./manifest-render.ts";
import type { Snapshot } from "../render/snapshot.ts";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "./io.ts";

export const renderHelp = `Usage: image-policy render -f DIR_OR_FILE [-f …] [-o OUT] [--format files|machineconfigs|both]
                           [--crio-version X.Y] [--profile PROFILE]

Renders, offline and with the controller's engine, what the nodes of a cluster would get from the
manifests given: ClusterImagePolicy, ImagePolicy, ClusterSimpleSigningPolicy, and optionally a
FeatureGate, a ClusterVersion (desired release, overrides), the Image config (allowed/blocked
registries), ImageDigestMirrorSets, ImageTagMirrorSets and MachineConfigPools.

Defaults for what is not given: the SigstoreImageVerification feature gate on (Default feature
set), pools master and worker, the upstream base policy.json, CRI-O ${formatCrioVersion(NEWEST_CRIO)}.
Release-payload manifests (with release.openshift.io annotations, like the managed 'openshift'
policy) are filtered with the cluster-version operator's include rules against the FeatureGate and
the ClusterVersion's spec.overrides.

Every manifest is validated first, as the API server would; an invalid policy is reported and left
out. One line per policy says what happened: Applied, ConflictScopes, Invalid, Ignored (feature gate
off) or Excluded (release manifest not included).

  -o OUT           write the result under OUT: files as OUT/etc/… (OUT/<pool>/etc/… when pools differ),
                   MachineConfigs as OUT/machineconfigs/99-<pool>-generated-registries.yaml
  --format         what to write: files, machineconfigs or both (default both)
  --crio-version   the CRI-O release on the nodes; policies it cannot parse are Invalid
  --profile        the cluster profile for release-manifest include rules
                   (default self-managed-high-availability)

Input refused whole (exit 2, nothing written): one of our kinds under an apiVersion that is not
served, or none; two objects of one kind with one name; no manifest; a file over 3 MiB or not a
regular file; a MachineConfigPool name the API server refuses.

Exit status: 0 every policy applied, 1 some policy invalid or conflicting, 2 unusable input.`;

export function runRender(args: string[], io: CommandIO): number {
  const { values } = parseArgs({
    args,
    options: {
      filename: { type: "string", short: "f", multiple: true },
      output: { type: "string", short: "o" },
      format: { type: "string", default: "both" },
      "crio-version": { type: "string" },
      profile: { type: "string" },
    },
    strict: true,
  });
  const paths = values.filename ?? [];
  if (paths.length === 0) throw new UsageError("render needs at least one -f DIR_OR_FILE");
  if (!["files", "machineconfigs", "both"].includes(values.format)) {
    throw new UsageError(`unknown --format "${values.format}" (files, machineconfigs or both)`);
  }
  const crioVersion =
    values["crio-version"] === undefined ? NEWEST_CRIO : parseCrioVersion(values["crio-version"]);
  if (!crioVersion)
    throw new UsageError(`--crio-version must look like 1.33, got "${values["crio-version"]}"`);

  const result = renderManifests(paths, {
    crioVersion,
    ...(values.profile ? { profile: values.profile } : {}),
  });
  for (const w of result.rendered?.warnings ?? []) io.err(`warning: ${w}`);
  for (const p of result.problems) io.err(p);
  const { built, rendered } = result;
  if (result.problems.length > 0 || !built || !rendered) return EXIT_USAGE;
  for (const i of built.ignored) io.err(`${i.source}: ${i.kind} is not an input of render; ignored`);
  const invalidOutcomes = result.invalidOutcomes;
  const outcomes = [...invalidOutcomes, ...rendered.outcomes].sort((a, b) =>
    outcomeLabel(a) < outcomeLabel(b) ? -1 : outcomeLabel(a) > outcomeLabel(b) ? 1 : 0,
  );
  for (const o of outcomes) io.out(outcomeLine(o));
  for (const e of built.excluded) io.out(`Excluded        ${e.name}: ${e.reason}`);

  if (values.output) {
    const written = writeOutput(values.output, values.format, rendered, built.snapshot, io);
    if (!written) return EXIT_USAGE;
  }
  return outcomes.some((o) => o.state === "Invalid" || o.state === "ConflictScopes")
    ? EXIT_FINDINGS
    : EXIT_OK;
}

function outcomeLine(o: PolicyOutcome): string {
  const what = outcomeLabel(o);
  const scopes = `${o.appliedScopes.length} scope${o.appliedScopes.length === 1 ? "" : "s"}`;
  switch (o.state) {
    case "Applied":
      return `Applied         ${what} (${scopes})${o.notes ? `: ${o.notes.join("; ")}` : ""}`;
    case "ConflictScopes":
      return `ConflictScopes  ${what} (${scopes} applied): ${[o.message, ...(o.notes ?? [])].join("; ")}`;
    default:
      return `${o.state.padEnd(16)}${what}: ${o.message}`;
  }
}

/** Writes under OUT only (every path goes through pathInside); false, with one line said, on failure. */
function writeOutput(
  out: string,
  format: string,
  rendered: Rendered,
  snapshot: Snapshot,
  io: CommandIO,
): boolean {
  const writes: { path: string; text: string }[] = [];
  try {
    if (existsSync(out) && !statSync(out).isDirectory()) {
      io.err(`-o ${out}: not a directory`);
      return false;
    }
    if (format !== "machineconfigs") {
      const perPool = [...rendered.files.values()];
      const allAlike = perPool.every((files) => sameNodeFiles(files, perPool[0] ?? []));
      for (const [pool, files] of rendered.files) {
        const root = allAlike ? out : pathInside(out, fileNameSegment(pool));
        for (const file of files) writes.push({ path: pathInside(root, file.path), text: file.contents });
        if (allAlike) break;
      }
    }
    if (format !== "files") {
      for (const mc of rendered.machineConfigs) {
        const name = fileNameSegment(`${mc.metadata.name ?? ""}.yaml`);
        writes.push({
          path: pathInside(out, `machineconfigs/${name}`),
          text: machineConfigYaml(mc),
        });
      }
    }
    // Every path is checked before the first write, so a refused one leaves OUT untouched.
    for (const { path, text } of writes) {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  } catch (error) {
    io.err(`-o ${out}: ${error instanceof PathEscapeError ? error.message : writeErrorText(error)}`);
    return false;
  }
  const fileCount = [...rendered.files.values()][0]?.length ?? 0;
  io.err(
    `wrote ${format === "machineconfigs" ? 0 : fileCount} node file(s) and ${format === "files" ? 0 : rendered.machineConfigs.length} MachineConfig(s) for ${snapshot.pools.length} pool(s) to ${out}`,
  );
  return true;
}

/**
 * Whether two pools get the same node files. Compared field by field, not as JSON: each pool's
 * namespace files repeat the whole cluster policy, megabytes that serialising would copy for nothing.
 */
function sameNodeFiles(a: readonly NodeFile[], b: readonly NodeFile[]): boolean {
  return (
    a.length === b.length &&
    a.every((file, i) => {
      const other = b[i];
      return (
        other !== undefined &&
        file.path === other.path &&
        file.contents === other.contents &&
        file.gzip === other.gzip
      );
    })
  );
}

function writeErrorText(error: unknown): string {
  const { code, path } = error as { code?: string; path?: string };
  if (code === "ENOTDIR")
    return `cannot write ${path ?? "a file"}: a part of the path is a file, not a directory`;
  if (code === "EACCES" || code === "EPERM") return `cannot write ${path ?? "a file"}: permission denied`;
  if (code === "ENOSPC") return `cannot write ${path ?? "a file"}: no space left on the device`;
  return error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
}
