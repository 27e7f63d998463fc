// `image-policy check-update PULLSPEC`: the release-update guard's verdict for one pullspec.
import { parseArgs } from "node:util";
import { checkUpdate, type Flavour } from "../updateguard/guard.ts";
import { EXIT_FINDINGS, EXIT_OK, UsageError, type CommandIO } from "./io.ts";

export const checkUpdateHelp = `Usage: image-policy check-update PULLSPEC [--flavour ocp|okd] [--force] [--output text|json]

Says whether a cluster update to the release image PULLSPEC passes the release-update guard: the
image must be in the flavour's canonical repository (ocp: quay.io/openshift-release-dev/ocp-release,
okd: quay.io/okd/scos-release), by tag or by sha256 digest. Look-alikes (other registries, ports,
repository prefixes, path tricks, uppercase, malformed digests) are refused with the reason.
--force models spec.desiredUpdate.force: the update passes with a warning.

Output: one line "accepted|rejected|forced: REASON" (or a JSON object with --output json).
Exit status: 0 accepted (or forced), 1 rejected, 2 usage error.`;

export function runCheckUpdate(args: string[], io: CommandIO): number {
  const { values, positionals } = parseArgs({
    args,
    options: {
      flavour: { type: "string", default: "ocp" },
      force: { type: "boolean", default: false },
      output: { type: "string", default: "text" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length !== 1) throw new UsageError("check-update needs exactly one PULLSPEC");
  if (values.flavour !== "ocp" && values.flavour !== "okd")
    throw new UsageError(`unknown flavour "${values.flavour}" (ocp or okd)`);
  if (values.output !== "text" && values.output !== "json")
    throw new UsageError(`unknown output "${values.output}" (text or json)`);
  const pullspec = positionals[0] ?? "";
  const verdict = checkUpdate({ image: pullspec, force: values.force }, values.flavour as Flavour);
  if (values.output === "json")
    io.out(JSON.stringify({ pullspec, flavour: values.flavour, force: values.force, ...verdict }));
  else io.out(`${verdict.decision}: ${verdict.reason}`);
  return verdict.decision === "rejected" ? EXIT_FINDINGS : EXIT_OK;
}
