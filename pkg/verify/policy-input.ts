// Which policy applies: the cluster policy (policy.json), unless a namespace is given and CRI-O's
// namespace file `<signature_policy_dir>/<namespace>.json` exists, which then *replaces* it (CRI-O
// server/image_pull.go contextForNamespace; nothing is merged). Policies are parsed with
// pkg/containers' strict reader, which accepts exactly what containers/image accepts.

import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parsePolicyJson } from "../containers/policy-parse.ts";
import type { Policy } from "../containers/policy.ts";

/** A policy, or its policy.json text or bytes. */
export type PolicyInput = Policy | string | Uint8Array;

export class PolicyInputError extends Error {
  override readonly name = "PolicyInputError";
}

export interface LoadedPolicy {
  policy: Policy;
  /** Where it came from, for verdicts ("policy.json", "/etc/crio/policies/ns.json"). */
  source: string;
}

export function loadPolicy(input: PolicyInput, source: string): LoadedPolicy {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return { policy: input, source };
  const parsed = parsePolicyJson(input);
  if (!parsed.ok) {
    const where = parsed.path ? ` (at ${parsed.path})` : "";
    throw new PolicyInputError(`invalid policy in ${JSON.stringify(source)}: ${parsed.message}${where}`);
  }
  return { policy: parsed.policy, source };
}

/** Namespace policies: files in a directory (CRI-O's signature_policy_dir), or given as texts. */
export type NamespacePolicies = { dir: string } | { files: Readonly<Record<string, PolicyInput>> };

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The policy CRI-O uses for a pull in `namespace` (undefined: no namespace, the cluster policy). */
export async function policyForNamespace(
  cluster: LoadedPolicy,
  namespaces: NamespacePolicies | undefined,
  namespace: string | undefined,
): Promise<LoadedPolicy> {
  if (namespace === undefined || namespace === "" || namespaces === undefined) return cluster;
  if (!NAMESPACE_NAME.test(namespace))
    throw new PolicyInputError(`invalid namespace name ${JSON.stringify(namespace)}`);
  if ("files" in namespaces) {
    const input = Object.hasOwn(namespaces.files, namespace) ? namespaces.files[namespace] : undefined;
    return input === undefined ? cluster : loadPolicy(input, `${namespace}.json`);
  }
  const path = join(namespaces.dir, `${namespace}.json`);
  try {
    await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return cluster;
    throw new PolicyInputError(`checking ${path}: ${(error as Error).message}`);
  }
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch (error) {
    throw new PolicyInputError(`reading ${path}: ${(error as Error).message}`);
  }
  return loadPolicy(bytes, path);
}
