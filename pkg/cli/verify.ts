// `image-policy verify IMAGE...`: would a node admit these images? Evaluates the policy the way CRI-O
// (containers/image) does, against the real registries and signatures. See docs/verify.md.
import { NEWEST_CRIO } from "../render/crio-version.ts";
import { renderManifests } from "./manifest-render.ts";
import { policyFilesOf, type RenderedPolicyFiles } from "../render/node-files.ts";
import { parseArgs } from "node:util";
import { readBoundedFile } from "../util/bounded-read.ts";
import { parseRegistriesDFiles } from "../verify/registries-d.ts";
import {
  parseRegistriesConf,
  PolicyInputError,
  Verifier,
  formatVerdictText,
  type ImageVerdict,
  type NamespacePolicies,
  type VerifierOptions,
} from "../verify/index.ts";
import { EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, UsageError, type CommandIO } from "./io.ts";

export const verifyHelp = `Usage: image-policy verify IMAGE... (--policy FILE | -f MANIFEST_DIR | --cluster)
                           [--namespace NS] [--policy-dir DIR] [--registries-d DIR] [--registries-conf FILE]
                           [--insecure-registry HOST]... [--platform OS/ARCH[/VARIANT]]
                           [--output text|json] [--concurrency N] [--timeout SECONDS]

Checks each IMAGE against a containers-policy.json(5) exactly as a node does when it pulls it
(CRI-O, i.e. containers/image): the image is read from the registry (or the first mirror of
registries.conf that serves it), a multi-platform image is resolved to this platform's instance,
the policy section is chosen for the reference as written, and every requirement of that section
must pass: sigstoreSigned (keys, Rekor SETs, Fulcio, PKI; signatures from the sha256-<digest>.sig tag,
read only where registries.d sets use-sigstore-attachments), signedBy (GPG signatures from the
registries.d lookaside), reject, insecureAcceptAnything, signedBaseLayer.

Where the policy comes from (exactly one):
  --policy FILE          a policy.json (with --policy-dir DIR: CRI-O's per-namespace policy files)
  -f MANIFEST_DIR        render policy.json, registries.d and namespace files from manifests, with
                         the same engine as the controller (image-policy render)
  --cluster              render them from the cluster the current kubeconfig points at

  --namespace NS         the pod's namespace: <policy-dir>/NS.json replaces the cluster policy when it
                         exists, as CRI-O does
  --registries-d DIR     registries.d directory (use-sigstore-attachments, lookaside); default: none
                         (pass /etc/containers/registries.d for a node's)
  --registries-conf FILE registries.conf (mirrors, blocked and insecure registries)
  --insecure-registry H  reach H (host[:port]) without TLS verification or over plain HTTP
  --platform P           the platform of multi-platform images (default: this machine's)
  --output text|json     text: one line per image, then indented reasons and hints; json: one
                         object per image per line
  --concurrency N        images verified at once (default 8, at most 64)
  --timeout SECONDS      time limit of each registry request (default 30, at most 86400)

Exit status: 0 every image admitted, 1 some image rejected, 2 unusable input (bad reference, policy,
registries.d or registries.conf, or usage).`;

/** What runVerifyWith needs of a verifier. */
export type VerifierLike = Pick<Verifier, "verifyAll" | "close"> &
  Partial<Pick<Verifier, "configurationWarnings">>;

export interface VerifyDeps {
  /** Renders the node files from a folder of manifests (image-policy render's engine). */
  renderPolicyFromManifests?: (dir: string) => Promise<RenderedPolicyFiles>;
  /** Renders the node files from the live cluster. */
  renderPolicyFromCluster?: () => Promise<RenderedPolicyFiles>;
  /** Makes the verifier (tests replace it). */
  createVerifier?: (policy: string | Uint8Array, options: VerifierOptions, source: string) => VerifierLike;
}

export function runVerify(args: string[], io: CommandIO): Promise<number> {
  return runVerifyWith(args, io, {
    // The Kubernetes client is loaded only for --cluster.
    renderPolicyFromCluster: async () => (await import("./cluster-render.ts")).renderPolicyFromCluster(),
    renderPolicyFromManifests: async (dir) => {
      const result = renderManifests([dir], { crioVersion: NEWEST_CRIO });
      if (result.problems.length > 0 || !result.rendered) throw new Error(result.problems.join("; "));
      return policyFilesOf(result.rendered);
    },
  });
}

function parsePlatform(value: string | undefined): VerifierOptions["platform"] {
  if (value === undefined) return undefined;
  const parts = value.split("/");
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === "")) {
    throw new UsageError(`--platform must look like linux/amd64 or linux/arm64/v8, got "${value}"`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return { os, architecture, ...(variant !== undefined ? { variant } : {}) };
}

function positiveInteger(name: string, value: string | undefined, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (!/^[1-9]\d*$/.test(value) || Number(value) > max) {
    throw new UsageError(`${name} must be an integer from 1 to ${max}, got "${value}"`);
  }
  return Number(value);
}

/** More than any node's policy.json (a MachineConfig holds at most 1.5 MiB, compressed). */
export const MAX_POLICY_BYTES = 16 * 1024 * 1024;

export async function runVerifyWith(args: string[], io: CommandIO, deps: VerifyDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      policy: { type: "string" },
      filename: { type: "string", short: "f" },
      cluster: { type: "boolean", default: false },
      namespace: { type: "string" },
      "policy-dir": { type: "string" },
      "registries-d": { type: "string" },
      "registries-conf": { type: "string" },
      "insecure-registry": { type: "string", multiple: true },
      platform: { type: "string" },
      output: { type: "string", default: "text" },
      concurrency: { type: "string" },
      timeout: { type: "string" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (positionals.length === 0) throw new UsageError("verify needs at least one IMAGE");
  const sources = [values.policy !== undefined, values.filename !== undefined, values.cluster].filter(
    Boolean,
  ).length;
  if (sources !== 1) throw new UsageError("give exactly one of --policy FILE, -f MANIFEST_DIR, --cluster");
  if (values.output !== "text" && values.output !== "json") {
    throw new UsageError(`unknown output "${values.output}" (text or json)`);
  }
  if (values["policy-dir"] !== undefined && values.policy === undefined) {
    throw new UsageError("--policy-dir goes with --policy (-f and --cluster render the namespace files)");
  }
  const concurrency = positiveInteger("--concurrency", values.concurrency, 8, 64);
  // setTimeout takes at most 2^31-1 ms; a day is already more than any registry needs.
  const timeoutMs = positiveInteger("--timeout", values.timeout, 30, 86_400) * 1000;
  const platform = parsePlatform(values.platform);

  let policy: string | Uint8Array;
  let policySource: string;
  let registriesD: VerifierOptions["registriesD"] = values["registries-d"];
  let namespacePolicies: NamespacePolicies | undefined;
  let registriesConf: VerifierOptions["registriesConf"] = values["registries-conf"];
  if (values.policy !== undefined) {
    try {
      policy = await readBoundedFile(values.policy, MAX_POLICY_BYTES);
    } catch (error) {
      io.err(`image-policy verify: reading ${values.policy}: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    policySource = values.policy;
    if (values["policy-dir"] !== undefined) namespacePolicies = { dir: values["policy-dir"] };
  } else {
    const how = values.cluster ? "--cluster" : "-f";
    const render: (() => Promise<RenderedPolicyFiles>) | undefined = values.cluster
      ? deps.renderPolicyFromCluster
      : deps.renderPolicyFromManifests &&
        (() =>
          (deps.renderPolicyFromManifests as NonNullable<typeof deps.renderPolicyFromManifests>)(
            values.filename ?? "",
          ));
    if (render === undefined) {
      throw new UsageError(
        `${how} is not available yet in this build; render the files with ` +
          "`image-policy render -f DIR -o OUT` and pass --policy OUT/etc/containers/policy.json " +
          "--registries-d OUT/etc/containers/registries.d --policy-dir OUT/etc/crio/policies",
      );
    }
    let rendered: RenderedPolicyFiles;
    try {
      rendered = await render();
    } catch (error) {
      io.err(`image-policy verify: rendering the policy: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
    policy = rendered.policyJson;
    policySource = values.cluster
      ? "policy.json rendered from the cluster"
      : `policy.json rendered from ${values.filename}`;
    if (values["registries-d"] === undefined) registriesD = rendered.registriesD;
    // The node pulls through the registries.conf the render delivers: its mirrors and blocks.
    if (values["registries-conf"] === undefined && rendered.registriesConf !== undefined) {
      try {
        registriesConf = parseRegistriesConf(rendered.registriesConf);
      } catch (error) {
        io.err(`image-policy verify: the rendered registries.conf: ${(error as Error).message}`);
        return EXIT_USAGE;
      }
    }
    namespacePolicies = { files: Object.fromEntries(Object.entries(rendered.namespaces)) };
  }

  if (registriesD !== undefined && typeof registriesD !== "string") {
    try {
      registriesD = parseRegistriesDFiles(registriesD as Record<string, string>);
    } catch (error) {
      io.err(`image-policy verify: registries.d: ${(error as Error).message}`);
      return EXIT_USAGE;
    }
  }
  const options: VerifierOptions = {
    concurrency,
    timeoutMs,
    ...(registriesD !== undefined ? { registriesD } : {}),
    ...(registriesConf !== undefined ? { registriesConf } : {}),
    ...(namespacePolicies !== undefined ? { namespacePolicies } : {}),
    ...(values["insecure-registry"] !== undefined ? { insecureRegistries: values["insecure-registry"] } : {}),
    ...(platform !== undefined ? { platform } : {}),
  };
  const create = deps.createVerifier ?? ((p, o, s) => new Verifier(p, o, s));
  let verifier: VerifierLike;
  try {
    verifier = create(policy, options, policySource);
  } catch (error) {
    if (!(error instanceof PolicyInputError)) throw error;
    io.err(`image-policy verify: ${error.message}`);
    return EXIT_USAGE;
  }
  let verdicts: ImageVerdict[];
  try {
    for (const warning of (await verifier.configurationWarnings?.()) ?? []) io.err(`warning: ${warning}`);
    const namespace = values.namespace;
    verdicts = await verifier.verifyAll(
      positionals.map((image) => (namespace !== undefined ? { image, namespace } : { image })),
    );
  } finally {
    verifier.close();
  }
  for (const verdict of verdicts) {
    if (values.output === "json") io.out(JSON.stringify(verdict));
    else io.out(formatVerdictText(verdict).join("\n"));
  }
  if (verdicts.some((v) => v.inputError)) return EXIT_USAGE;
  return verdicts.every((v) => v.admitted) ? EXIT_OK : EXIT_FINDINGS;
}
