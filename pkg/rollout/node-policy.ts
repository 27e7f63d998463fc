// What a rendered MachineConfig (the Machine Config Operator's merge of every MachineConfig of a pool,
// `rendered-<pool>-<hash>`) makes CRI-O enforce: the requirement lists per docker scope of
// /etc/containers/policy.json and of each /etc/crio/policies/<namespace>.json. Rendered
// MachineConfigs run to hundreds of kilobytes; this keeps only one canonical line per
// (file, scope, requirement), so a cache of a few of them stays small.
import type { MachineConfig } from "../apis/machineconfiguration/v1/machineconfig.ts";
import type { PolicyRequirement } from "../containers/policy.ts";
import { decodeIgnitionFile, type IgnitionFile } from "../ignition/ignition.ts";

export const CLUSTER_POLICY_PATH = "/etc/containers/policy.json";
export const NAMESPACE_POLICY_DIR = "/etc/crio/policies";

/** Node file path → the set of `scope \0 canonical requirement` entries under its docker transport. */
export type NodePolicy = ReadonlyMap<string, ReadonlySet<string>>;

/** JSON with object keys sorted: two requirements are equal exactly when these strings are. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

const entryKey = (scope: string, requirement: unknown): string =>
  `${scope}\u0000${canonicalJson(requirement)}`;

function isPolicyFile(path: string): boolean {
  return (
    path === CLUSTER_POLICY_PATH || (path.startsWith(`${NAMESPACE_POLICY_DIR}/`) && path.endsWith(".json"))
  );
}

/**
 * The node policy a MachineConfig delivers. A policy file that cannot be decoded or parsed counts
 * as carrying nothing (the node would refuse it anyway). When a path occurs more than once, the
 * last occurrence wins, as Ignition applies them.
 */
export function nodePolicyOf(machineConfig: MachineConfig): NodePolicy {
  const config = machineConfig.spec?.config as { storage?: { files?: IgnitionFile[] } } | undefined;
  const files = new Map<string, Set<string>>();
  for (const file of config?.storage?.files ?? []) {
    if (typeof file?.path !== "string" || !isPolicyFile(file.path)) continue;
    const entries = new Set<string>();
    files.set(file.path, entries);
    try {
      const doc = JSON.parse(Buffer.from(decodeIgnitionFile(file)).toString("utf8")) as {
        transports?: { docker?: Record<string, unknown[]> };
      };
      for (const [scope, requirements] of Object.entries(doc.transports?.docker ?? {})) {
        if (!Array.isArray(requirements)) continue;
        for (const requirement of requirements) entries.add(entryKey(scope, requirement));
      }
    } catch {
      // undecodable or not JSON: carries nothing
    }
  }
  return files;
}

/** The node file where a policy's requirements live: policy.json, or its namespace's file. */
export function policyFilePath(namespace: string | undefined): string {
  return namespace === undefined ? CLUSTER_POLICY_PATH : `${NAMESPACE_POLICY_DIR}/${namespace}.json`;
}

/** Whether every scope of the policy carries its requirement in that file of the node policy. */
export function carries(
  node: NodePolicy,
  path: string,
  scopes: readonly string[],
  requirement: PolicyRequirement,
): boolean {
  const entries = node.get(path);
  if (!entries) return false;
  return scopes.every((scope) => entries.has(entryKey(scope, requirement)));
}
