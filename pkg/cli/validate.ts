// `image-policy validate -f FILE_OR_DIR…`: validates manifests offline with the same schemas and
// CEL rules the API server enforces.
import { parseArgs } from "node:util";
import { readManifests } from "../manifests/read.ts";
import { loadCrdCatalog } from "../validate/crd-catalog.ts";
import { formatFieldError } from "../validate/field-error.ts";
import { UnknownKindError, validateObject } from "../validate/validate.ts";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "./io.ts";
import { manifestSetProblems } from "../validate/manifest-set.ts";

export const validateHelp = `Usage: image-policy validate -f FILE_OR_DIR [-f FILE_OR_DIR…] [--strict]

Validates Kubernetes manifests (multi-document YAML or JSON; directories are searched for
*.yaml, *.yml and *.json) against this controller's CRDs, offline: the OpenAPI schemas and the
CEL rules, with the API server's own error messages.

Each error is printed as  SOURCE: KIND/NAME: FIELD: MESSAGE
Fields the schema does not declare are reported as warnings (the API server drops them; kubectl
apply rejects them); --strict turns them into errors.

Exit status: 0 every object is valid, 1 some object or file is invalid, 2 unusable input (nothing
found; one of our kinds under an apiVersion that is not served, or none) or usage error.`;

export function runValidate(args: string[], io: CommandIO): number {
  const { values } = parseArgs({
    args,
    options: { filename: { type: "string", short: "f", multiple: true }, strict: { type: "boolean" } },
    allowPositionals: false,
    strict: true,
  });
  const paths = values.filename ?? [];
  if (paths.length === 0) throw new UsageError("validate needs at least one -f FILE_OR_DIR");

  const catalog = loadCrdCatalog();
  const manifests = readManifests(paths);
  if (manifests.documents.length === 0 && manifests.problems.length === 0) {
    io.err(`no manifests found in ${paths.join(", ")}`);
    return EXIT_USAGE;
  }
  // Our kinds under an apiVersion that is not served would skip every check: refuse the input.
  const setProblems = manifestSetProblems(manifests.documents, catalog, { duplicates: false });
  if (setProblems.length > 0) {
    for (const problem of setProblems) io.err(problem);
    return EXIT_USAGE;
  }
  let invalid = manifests.problems.length;
  for (const problem of manifests.problems) io.err(`${problem.source}: ${problem.message}`);

  let valid = 0;
  for (const { source, object } of manifests.documents) {
    let result;
    try {
      result = validateObject(catalog, object);
    } catch (error) {
      if (!(error instanceof UnknownKindError)) throw error;
      io.err(`${source}: ${error.message}`);
      invalid++;
      continue;
    }
    const name = `${result.kind}/${result.name || "(unnamed)"}`;
    const errors = [...result.errors, ...(values.strict ? result.unknownFields : [])];
    for (const error of errors) io.err(`${source}: ${name}: ${formatFieldError(error)}`);
    if (!values.strict) {
      for (const warning of result.unknownFields)
        io.err(`${source}: ${name}: warning: ${formatFieldError(warning)}`);
    }
    if (errors.length > 0) invalid++;
    else valid++;
  }
  io.out(`${valid} valid, ${invalid} invalid`);
  return invalid > 0 ? EXIT_FINDINGS : EXIT_OK;
}
