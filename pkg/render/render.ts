// render(snapshot) → the node files, one MachineConfig per pool, and one outcome per policy.
// Pure and deterministic: no I/O, no clock; policies are processed in name order so the same
// inputs always give the same bytes. Problems with one policy are outcomes, never exceptions.
import type { ClusterImagePolicy } from "../apis/config/v1/clusterimagepolicy.ts";
import type { ImagePolicy } from "../apis/config/v1/imagepolicy.ts";
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import type { MachineConfigPool } from "../apis/machineconfiguration/v1/machineconfigpool.ts";
import type { ClusterSimpleSigningPolicy } from "../apis/signing/v1alpha1/clustersimplesigningpolicy.ts";
import type { PolicyRequirement } from "../containers/policy.ts";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import { serializePolicyJson } from "../containers/policy-serialize.ts";
import {
  parseRegistriesDYaml,
  serializeRegistriesDYaml,
  type RegistryNamespace,
} from "../containers/registries-d.ts";
import { scopeIsNestedInside } from "../containers/scope.ts";
import { featureGateState, isGateEnabled, SigstoreImageVerification } from "../featuregates/featuregates.ts";
import { compareStrings } from "../util/sorted.ts";
import { unsupportedFeature } from "./crio-version.ts";
import { gzipSync } from "node:zlib";
import { fitMachineConfigs, MACHINE_CONFIG_LIMIT_BYTES } from "./fit.ts";
import { textDataUrlLength } from "../ignition/ignition.ts";
import {
  generatedMachineConfigName,
  IgnitionFileCache,
  machineConfigBytes,
  registriesMachineConfig,
  type NodeFile,
} from "./machineconfig.ts";
import {
  payloadHasUnblockedMirror,
  REGISTRIES_CONF_PATH,
  renderRegistriesConf,
  SEARCH_REGISTRIES_PATH,
  searchRegistriesDropIn,
  UPSTREAM_BASE_REGISTRIES_CONF,
  validMirrorRules,
} from "./registries-conf.ts";
import { sigstoreAttachmentScopes, type RenderedRegistries } from "./sigstore-attachments.ts";
import { loadRegistriesConf, RegistriesConfError } from "../containers/registries-conf.ts";
import { dns1123LabelErrors, dns1123SubdomainErrors, nameProblem } from "../apis/names.ts";
import { nodeFilePath } from "../util/paths.ts";
import { conflictScopesMessage, type PolicyOutcome } from "./outcome.ts";
import {
  clusterPolicy,
  namespacePolicyJson,
  namespaceEntriesProblems,
  type ClusterPolicy,
  type ScopeRequirements,
} from "./policy-files.ts";
import { registryRules, scopeRuleViolation, type RegistryRules } from "./registry-rules.ts";
import { sigstoreRequirement, simpleSigningRequirement } from "./requirements.ts";
import { UPSTREAM_BASE_POLICY, type Snapshot } from "./snapshot.ts";

export const POLICY_JSON_PATH = "/etc/containers/policy.json";
export const SIGSTORE_REGISTRIES_PATH = "/etc/containers/registries.d/sigstore-registries.yaml";
export const NAMESPACE_POLICY_DIR = "/etc/crio/policies";
export const BUILT_IN_POOL_LABEL = "machineconfiguration.openshift.io/mco-built-in";

export interface Rendered {
  /** Node files per pool name (identical for pools that share a base policy). */
  files: Map<string, NodeFile[]>;
  machineConfigs: MachineConfig[];
  outcomes: PolicyOutcome[];
  /** Things worth logging that are not about one policy (dropped registry entries, compression). */
  warnings: string[];
  /** Problems that make the whole render unusable; the output must not be applied when non-empty. */
  errors: string[];
}

/** The cluster-wide and per-namespace scopes that survived, with what they require. */
interface CollectedScopes {
  cluster: ScopeRequirements;
  namespaces: Map<string, ScopeRequirements>;
  /** Scopes whose signatures are sigstore attachments. */
  sigstore: Set<string>;
  /** Scope → lookaside URL for GPG simple signing. */
  lookaside: Map<string, string>;
  outcomes: PolicyOutcome[];
}

const byName = <T extends { metadata: { name?: string; namespace?: string } }>(a: T, b: T): number =>
  compareStrings(a.metadata.namespace ?? "", b.metadata.namespace ?? "") ||
  compareStrings(a.metadata.name ?? "", b.metadata.name ?? "");

function baseOutcome(
  kind: PolicyOutcome["kind"],
  object: { metadata: { name?: string; namespace?: string; generation?: number } },
): Pick<PolicyOutcome, "kind" | "name" | "namespace" | "generation"> {
  const o: Pick<PolicyOutcome, "kind" | "name" | "namespace" | "generation"> = {
    kind,
    name: object.metadata.name ?? "",
  };
  if (object.metadata.namespace !== undefined) o.namespace = object.metadata.namespace;
  if (object.metadata.generation !== undefined) o.generation = object.metadata.generation;
  return o;
}

const invalid = (base: ReturnType<typeof baseOutcome>, message: string): PolicyOutcome => ({
  ...base,
  state: "Invalid",
  reason: "Invalid",
  message,
  appliedScopes: [],
});

/**
 * What an Invalid policy's scopes get, so that they never fall open: the requirement as the policy
 * states it when containers/image still parses it (as MCO writes it; the node then refuses images
 * in those scopes, and only those), else "reject".
 */
function closedRequirement(asGiven: PolicyRequirement | undefined): PolicyRequirement {
  if (asGiven) {
    const probe = parsePolicyJson(
      serializePolicyJson({
        default: [{ type: "reject" }],
        transports: { docker: { "example.com": [asGiven] } },
      }),
    );
    if (probe.ok) return asGiven;
  }
  return { type: "reject" };
}

function refusedMessage(problems: string[], closed: PolicyRequirement): string {
  const how =
    closed.type === "reject"
      ? 'its scopes are written as "reject"'
      : "the policy is written as given (as the Machine Config Operator writes it), which the nodes cannot satisfy";
  return `${problems.join("; ")}; ${how}: images in its scopes are refused until it is fixed`;
}

function append(map: ScopeRequirements, scope: string, requirement: PolicyRequirement): void {
  map.set(scope, [...(map.get(scope) ?? []), requirement]);
}

function collectScopes(snapshot: Snapshot, rules: RegistryRules, sigstoreEnabled: boolean): CollectedScopes {
  const collected: CollectedScopes = {
    cluster: new Map(),
    namespaces: new Map(),
    sigstore: new Set(),
    lookaside: new Map(),
    outcomes: [],
  };
  const ignored = (base: ReturnType<typeof baseOutcome>): PolicyOutcome => ({
    ...base,
    state: "Ignored",
    reason: "FeatureGateDisabled",
    message: `the ${SigstoreImageVerification} feature gate is disabled: sigstore policies are not rendered`,
    appliedScopes: [],
  });

  for (const cip of [...snapshot.clusterImagePolicies].sort(byName)) {
    collected.outcomes.push(clusterImagePolicyOutcome(cip));
  }
  function clusterImagePolicyOutcome(cip: ClusterImagePolicy): PolicyOutcome {
    const base = baseOutcome("ClusterImagePolicy", cip);
    if (!sigstoreEnabled) return ignored(base);
    const result = sigstoreRequirement(cip.spec, snapshot.crioVersion);
    if (!result.ok) {
      const closed = closedRequirement(result.asGiven);
      for (const scope of cip.spec.scopes) {
        append(collected.cluster, scope, closed);
        if (closed.type === "sigstoreSigned") collected.sigstore.add(scope);
      }
      return invalid(base, refusedMessage(result.problems, closed));
    }
    const violations = cip.spec.scopes
      .map((s) => scopeRuleViolation(s, rules, "clusterimagePolicy"))
      .filter((v) => v !== undefined);
    if (violations.length > 0) return invalid(base, violations.join("; "));
    for (const scope of cip.spec.scopes) {
      append(collected.cluster, scope, result.requirement);
      collected.sigstore.add(scope);
    }
    return {
      ...base,
      state: "Applied",
      reason: "Applied",
      message: "all scopes are applied",
      appliedScopes: [...cip.spec.scopes],
      requirement: result.requirement,
    };
  }

  for (const cssp of [...snapshot.simpleSigningPolicies].sort(byName)) {
    collected.outcomes.push(simpleSigningOutcome(cssp));
  }
  function simpleSigningOutcome(cssp: ClusterSimpleSigningPolicy): PolicyOutcome {
    const base = baseOutcome("ClusterSimpleSigningPolicy", cssp);
    const result = simpleSigningRequirement(cssp.spec);
    if (!result.ok) {
      const closed = closedRequirement(undefined);
      for (const scope of cssp.spec.scopes) append(collected.cluster, scope, closed);
      return invalid(base, refusedMessage(result.problems, closed));
    }
    const violations = cssp.spec.scopes
      .map((s) => scopeRuleViolation(s, rules, "simple signing policy"))
      .filter((v) => v !== undefined);
    if (violations.length > 0) return invalid(base, violations.join("; "));
    const lookaside = cssp.spec.lookaside;
    if (lookaside) {
      // registries.d holds one lookaside per scope; containers/image refuses a scope in two files.
      const clash = cssp.spec.scopes.find(
        (s) => collected.lookaside.has(s) && collected.lookaside.get(s) !== lookaside,
      );
      if (clash) {
        return invalid(
          base,
          `scope ${clash} already reads signatures from ${collected.lookaside.get(clash) ?? ""}; one lookaside per scope`,
        );
      }
    }
    for (const scope of cssp.spec.scopes) {
      append(collected.cluster, scope, result.requirement);
      if (lookaside) collected.lookaside.set(scope, lookaside);
    }
    return {
      ...base,
      state: "Applied",
      reason: "Applied",
      message: "all scopes are applied",
      appliedScopes: [...cssp.spec.scopes],
      requirement: result.requirement,
    };
  }

  const clusterScopes = [...collected.cluster.keys()];
  for (const ip of [...snapshot.imagePolicies].sort(byName)) {
    collected.outcomes.push(imagePolicyOutcome(ip));
  }
  function imagePolicyOutcome(ip: ImagePolicy): PolicyOutcome {
    const base = baseOutcome("ImagePolicy", ip);
    if (!sigstoreEnabled) return ignored(base);
    // The namespace names a node file (/etc/crio/policies/<namespace>.json): one the API server
    // would refuse never reaches a path.
    // A manifest without a namespace (or an empty one) goes to "default", as kubectl apply puts it.
    const namespace = ip.metadata.namespace || "default";
    const namespaceProblem = nameProblem("metadata.namespace", namespace, dns1123LabelErrors(namespace));
    if (namespaceProblem) return invalid(base, namespaceProblem);
    const namespaceSupport = unsupportedFeature(snapshot.crioVersion, "namespacePolicies");
    if (namespaceSupport) return invalid(base, namespaceSupport);
    const result = sigstoreRequirement(ip.spec, snapshot.crioVersion);
    const conflicting = ip.spec.scopes.filter((s) => clusterScopes.some((c) => scopeIsNestedInside(s, c)));
    const surviving = ip.spec.scopes.filter((s) => !conflicting.includes(s));
    const namespaceScopes = (): ScopeRequirements => {
      let scopes = collected.namespaces.get(namespace);
      if (!scopes) {
        scopes = new Map();
        collected.namespaces.set(namespace, scopes);
      }
      return scopes;
    };
    if (!result.ok) {
      const closed = closedRequirement(result.asGiven);
      for (const scope of surviving) {
        append(namespaceScopes(), scope, closed);
        if (closed.type === "sigstoreSigned") collected.sigstore.add(scope);
      }
      return invalid(base, refusedMessage(result.problems, closed));
    }
    const violations = surviving
      .map((s) => scopeRuleViolation(s, rules, "imagePolicy"))
      .filter((v) => v !== undefined);
    if (violations.length > 0) return invalid(base, violations.join("; "));
    const scopes = namespaceScopes();
    for (const scope of surviving) {
      append(scopes, scope, result.requirement);
      collected.sigstore.add(scope);
    }
    if (conflicting.length === 0) {
      return {
        ...base,
        state: "Applied",
        reason: "Applied",
        message: "all scopes are applied",
        appliedScopes: surviving,
        requirement: result.requirement,
      };
    }
    return {
      ...base,
      state: "ConflictScopes",
      reason: "ConflictScopes",
      message: conflictScopesMessage(conflicting),
      appliedScopes: surviving,
      conflictingScopes: conflicting,
      requirement: result.requirement,
    };
  }
  return collected;
}

/**
 * registries.d: sigstore attachments for every policy scope and the repositories its images are
 * pulled from instead (mirrors, over the rendered registries.conf); GPG lookasides.
 */
function sigstoreRegistriesYaml(
  collected: CollectedScopes,
  registries: RenderedRegistries | undefined,
): { yaml?: string; problems: Map<string, string> } {
  const attachments = sigstoreAttachmentScopes(collected.sigstore, registries);
  const entries = new Map<string, RegistryNamespace>();
  for (const scope of attachments.scopes) entries.set(scope, { useSigstoreAttachments: true });
  for (const [scope, lookaside] of collected.lookaside)
    entries.set(scope, { ...entries.get(scope), lookaside });
  if (entries.size === 0) return { problems: attachments.problems };
  return {
    yaml: serializeRegistriesDYaml({ docker: Object.fromEntries(entries) }),
    problems: attachments.problems,
  };
}

/** Adds, to each outcome that applies a scope, why some of that scope's mirrors were left out. */
function noteAttachmentProblems(outcomes: PolicyOutcome[], problems: Map<string, string>): void {
  if (problems.size === 0) return;
  for (const outcome of outcomes) {
    const notes = outcome.appliedScopes.flatMap((scope) => {
      const problem = problems.get(scope);
      return problem === undefined ? [] : [problem];
    });
    if (notes.length > 0) outcome.notes = [...(outcome.notes ?? []), ...notes];
  }
}

function builtInPools(pools: MachineConfigPool[]): MachineConfigPool[] {
  const builtIn = pools.filter((p) => p.metadata.labels?.[BUILT_IN_POOL_LABEL] !== undefined);
  return (builtIn.length > 0 ? builtIn : pools).slice().sort(byName);
}

export function render(snapshot: Snapshot): Rendered {
  const warnings: string[] = [];
  const errors: string[] = [];
  const gates = featureGateState(snapshot.featureGate, snapshot.clusterVersion?.status?.desired?.version);
  const mirrorObjects = {
    imageDigestMirrorSets: snapshot.imageDigestMirrorSets,
    imageTagMirrorSets: snapshot.imageTagMirrorSets,
    imageContentSourcePolicies: snapshot.imageContentSourcePolicies,
  };
  const mirrorRules = validMirrorRules(mirrorObjects);
  warnings.push(...mirrorRules.warnings);
  const registrySources = snapshot.image?.spec?.registrySources;
  const rules = registryRules(snapshot.image, snapshot.clusterVersion?.status?.desired?.image, (payload) =>
    payloadHasUnblockedMirror(
      payload,
      registrySources?.insecureRegistries ?? [],
      registrySources?.blockedRegistries ?? [],
      mirrorRules,
    ),
  );
  warnings.push(...rules.warnings);
  const collected = collectScopes(snapshot, rules, isGateEnabled(gates, SigstoreImageVerification));

  const registriesConf = renderRegistriesConf(
    {
      insecure: registrySources?.insecureRegistries,
      blocked: rules.registriesBlocked,
      mirrors: mirrorRules,
      baseText: UPSTREAM_BASE_REGISTRIES_CONF,
    },
    Object.values(mirrorObjects).reduce((n, list) => n + list.length, 0),
  );
  warnings.push(...registriesConf.warnings);
  let registries: RenderedRegistries | undefined;
  if (registriesConf.text !== undefined && registriesConf.conf !== undefined) {
    // A registries.conf containers/image refuses stops every pull on the node, like a bad policy.json.
    try {
      registries = { edited: registriesConf.conf, loaded: loadRegistriesConf(registriesConf.text) };
    } catch (error) {
      if (!(error instanceof RegistriesConfError)) throw error;
      errors.push(`${REGISTRIES_CONF_PATH} would not parse: ${error.message}`);
    }
  }
  const searchDropIn = searchRegistriesDropIn(registrySources?.containerRuntimeSearchRegistries);

  const needPolicy =
    rules.allowed !== undefined ||
    rules.blocked !== undefined ||
    collected.cluster.size > 0 ||
    collected.namespaces.size > 0;
  let registriesYaml: string | undefined;
  if (needPolicy) {
    const attachments = sigstoreRegistriesYaml(collected, registries);
    registriesYaml = attachments.yaml;
    noteAttachmentProblems(collected.outcomes, attachments.problems);
  }
  if (registriesYaml !== undefined) {
    const check = parseRegistriesDYaml(registriesYaml);
    if (!check.ok) errors.push(`${SIGSTORE_REGISTRIES_PATH} would not parse: ${check.message}`);
  }
  const registriesFiles = {
    before:
      registriesConf.text === undefined
        ? []
        : [{ path: REGISTRIES_CONF_PATH, contents: registriesConf.text }],
    after: searchDropIn === undefined ? [] : [{ path: SEARCH_REGISTRIES_PATH, contents: searchDropIn }],
  };

  const files = new Map<string, NodeFile[]>();
  const filesByBase = new Map<string, NodeFile[]>();
  const pools = builtInPools(snapshot.pools);
  // A pool's name becomes a MachineConfig name (and a folder of `render -o`): refuse the render
  // rather than deliver an object the API server refuses or a path outside its folder.
  for (const pool of pools) {
    const poolName = pool.metadata.name ?? "";
    const machineConfigName = generatedMachineConfigName(poolName);
    const problem =
      nameProblem("metadata.name", poolName, dns1123SubdomainErrors(poolName)) ??
      nameProblem(
        "the generated MachineConfig's name",
        machineConfigName,
        dns1123SubdomainErrors(machineConfigName),
      );
    if (problem) errors.push(`MachineConfigPool ${JSON.stringify(poolName)}: ${problem}`);
  }
  if (errors.length > 0) return { files, machineConfigs: [], outcomes: collected.outcomes, warnings, errors };
  for (const pool of pools) {
    const poolName = pool.metadata.name ?? "";
    const baseText = snapshot.basePolicies?.[poolName] ?? UPSTREAM_BASE_POLICY;
    let poolFiles = filesByBase.get(baseText);
    if (!poolFiles) {
      poolFiles = [
        ...registriesFiles.before,
        ...nodeFiles(baseText, needPolicy, rules, collected, registriesYaml, errors),
        ...registriesFiles.after,
      ];
      filesByBase.set(baseText, poolFiles);
    }
    files.set(poolName, poolFiles);
  }

  const cache = new IgnitionFileCache();
  const build = (compressed: ReadonlySet<string>): MachineConfig[] =>
    pools.map((pool) =>
      registriesMachineConfig(
        pool.metadata.name ?? "",
        (files.get(pool.metadata.name ?? "") ?? []).map((f) =>
          compressed.has(f.path) ? { ...f, gzip: true } : f,
        ),
        snapshot.image,
        snapshot.controllerVersion,
        cache,
      ),
    );
  const emptyBytes = Math.max(
    0,
    ...pools.map((pool) =>
      machineConfigBytes(
        registriesMachineConfig(pool.metadata.name ?? "", [], snapshot.image, snapshot.controllerVersion),
      ),
    ),
  );
  const fitted = fitMachineConfigs({
    files: [...new Set([...files.values()].flat())],
    build,
    emptyBytes,
    encodedBytes: (file, gzip) =>
      gzip
        ? cache.get(file, true).contents.source.length
        : textDataUrlLength(Buffer.byteLength(file.contents, "utf8")),
  });
  warnings.push(...fitted.warnings);
  errors.push(...fitted.errors);
  for (const [pool, poolFiles] of files) {
    files.set(
      pool,
      poolFiles.map((f) => (fitted.compressed.has(f.path) ? { ...f, gzip: true } : f)),
    );
  }
  return { files, machineConfigs: fitted.machineConfigs, outcomes: collected.outcomes, warnings, errors };
}

function nodeFiles(
  baseText: string,
  needPolicy: boolean,
  rules: RegistryRules,
  collected: CollectedScopes,
  registriesYaml: string | undefined,
  errors: string[],
): NodeFile[] {
  if (!needPolicy) return [];
  let cluster: ClusterPolicy;
  try {
    cluster = clusterPolicy(baseText, rules, collected.cluster);
  } catch (error) {
    errors.push((error as Error).message);
    return [];
  }
  const files: NodeFile[] = [{ path: POLICY_JSON_PATH, contents: cluster.text }];
  // Every namespace file repeats the cluster policy: refuse early, before building gigabytes of
  // text, when even compressed they cannot fit in one MachineConfig.
  const compressedCluster = Math.ceil((gzipSync(cluster.text).length * 4) / 3);
  if (collected.namespaces.size * compressedCluster > MACHINE_CONFIG_LIMIT_BYTES) {
    errors.push(
      `${collected.namespaces.size} namespace policy files, each repeating the ${cluster.text.length}-byte cluster policy ` +
        `(${compressedCluster} bytes compressed), cannot fit in one MachineConfig (${MACHINE_CONFIG_LIMIT_BYTES} bytes): ` +
        `reduce the cluster policies or the namespaces with ImagePolicies`,
    );
    return files;
  }
  if (registriesYaml !== undefined) files.push({ path: SIGSTORE_REGISTRIES_PATH, contents: registriesYaml });
  for (const namespace of [...collected.namespaces.keys()].sort(compareStrings)) {
    const scopes = collected.namespaces.get(namespace);
    if (!scopes || scopes.size === 0) continue;
    files.push({
      path: nodeFilePath(NAMESPACE_POLICY_DIR, `${namespace}.json`),
      contents: namespacePolicyJson(cluster.policy, scopes),
    });
  }
  // The last line of defence: a file containers/image refuses stops every pull on the node.
  // policy.json is parsed back whole; a namespace file's own entries are checked as the parser
  // would check them (namespaceEntriesProblems).
  const clusterCheck = parsePolicyJson(cluster.text);
  if (!clusterCheck.ok) errors.push(`${POLICY_JSON_PATH} would not parse: ${clusterCheck.message}`);
  for (const [namespace, problem] of namespaceEntriesProblems(collected.namespaces)) {
    errors.push(`${NAMESPACE_POLICY_DIR}/${namespace}.json would not parse: ${problem}`);
  }
  return files;
}
