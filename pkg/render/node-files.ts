// The node files of one pool as the offline and cluster commands hand them on (verify -f and
// --cluster evaluate images against them): policy.json, registries.d, registries.conf and the
// namespace policies.
import { REGISTRIES_CONF_PATH } from "./registries-conf.ts";
import { NAMESPACE_POLICY_DIR, POLICY_JSON_PATH, SIGSTORE_REGISTRIES_PATH, type Rendered } from "./render.ts";
import { UPSTREAM_BASE_POLICY } from "./snapshot.ts";

/** The node files a pool would get, as verify -f and --cluster read them. */
export interface RenderedPolicyFiles {
  policyJson: string;
  /** registries.d file name → YAML. */
  registriesD: Record<string, string>;
  /** namespace → the /etc/crio/policies/<namespace>.json text. */
  namespaces: Record<string, string>;
  /** The rendered /etc/containers/registries.conf, when the cluster gets one (mirrors, blocks). */
  registriesConf?: string;
}

/** The node files of one pool (the worker pool when there is one), as verify takes them. */
export function policyFilesOf(rendered: Rendered): RenderedPolicyFiles {
  const files = rendered.files.get("worker") ?? [...rendered.files.values()][0] ?? [];
  const byPath = new Map(files.map((f) => [f.path, f.contents]));
  const registriesD: Record<string, string> = {};
  const registries = byPath.get(SIGSTORE_REGISTRIES_PATH);
  if (registries !== undefined) registriesD["sigstore-registries.yaml"] = registries;
  const namespaces: Record<string, string> = {};
  for (const [path, contents] of byPath) {
    if (path.startsWith(`${NAMESPACE_POLICY_DIR}/`))
      namespaces[path.slice(NAMESPACE_POLICY_DIR.length + 1, -".json".length)] = contents;
  }
  // With no policy at all the node keeps its base policy.json.
  const policyJson = byPath.get(POLICY_JSON_PATH) ?? UPSTREAM_BASE_POLICY;
  // Without a rendered registries.conf the node keeps the template's: no mirrors, nothing blocked.
  const registriesConf = byPath.get(REGISTRIES_CONF_PATH);
  return { policyJson, registriesD, namespaces, ...(registriesConf !== undefined ? { registriesConf } : {}) };
}
