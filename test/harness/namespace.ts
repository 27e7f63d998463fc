// A namespace per test. The test control plane runs no kube-controller-manager, so nothing would
// empty and remove a deleted namespace: it would stay Terminating with its objects, which a
// controller watching all namespaces keeps seeing. cleanup() does the namespace controller's work.
import crypto from "node:crypto";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { kubeRequest } from "./http.ts";

export const TEST_NAMESPACE_LABEL = "image-policy-controller.test/harness";

export interface TestNamespace {
  name: string;
  /** Deletes every object in the namespace, then the namespace itself. Safe to call twice. */
  cleanup(): Promise<void>;
}

/** Creates `<prefix>-<random>` (prefix made a valid DNS label). */
export async function createTestNamespace(kubeConfig: KubeConfig, prefix: string): Promise<TestNamespace> {
  const base =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 50)
      .replace(/-+$/, "") || "test";
  const name = `${base}-${crypto.randomBytes(4).toString("hex")}`;
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({
    body: { metadata: { name, labels: { [TEST_NAMESPACE_LABEL]: "true" } } },
  });
  let cleaned = false;
  return {
    name,
    async cleanup() {
      if (cleaned) return;
      cleaned = true;
      await deleteNamespace(kubeConfig, name);
    },
  };
}

interface ApiResource {
  name: string;
  namespaced: boolean;
  verbs: string[];
}

/** API paths (e.g. "/apis/apps/v1") of every group version, preferred versions only. */
async function groupVersionPaths(kubeConfig: KubeConfig): Promise<string[]> {
  const response = await kubeRequest(kubeConfig, "GET", "/apis");
  const groups =
    (response.json as { groups?: { preferredVersion?: { groupVersion?: string } }[] }).groups ?? [];
  return [
    "/api/v1",
    ...groups.flatMap((g) =>
      g.preferredVersion?.groupVersion ? [`/apis/${g.preferredVersion.groupVersion}`] : [],
    ),
  ];
}

/** Deletes the namespace's objects of every kind (without waiting for finalizers), then finalizes it. */
export async function deleteNamespace(kubeConfig: KubeConfig, name: string): Promise<void> {
  const collections: string[] = [];
  for (const base of await groupVersionPaths(kubeConfig)) {
    const response = await kubeRequest(kubeConfig, "GET", base);
    if (response.status !== 200) continue; // e.g. an aggregated API that is not available
    for (const resource of (response.json as { resources?: ApiResource[] }).resources ?? []) {
      if (
        resource.namespaced &&
        !resource.name.includes("/") &&
        resource.verbs.includes("deletecollection")
      ) {
        collections.push(`${base}/namespaces/${name}/${resource.name}`);
      }
    }
  }
  await Promise.all(collections.map((collection) => kubeRequest(kubeConfig, "DELETE", collection)));
  const deleted = await kubeRequest(kubeConfig, "DELETE", `/api/v1/namespaces/${name}`);
  if (deleted.status === 404) return;
  if (deleted.status >= 300) throw new Error(`deleting namespace ${name}: ${deleted.status} ${deleted.text}`);
  // Remove the "kubernetes" finalizer, which only the namespace controller would remove.
  const finalized = await kubeRequest(kubeConfig, "PUT", `/api/v1/namespaces/${name}/finalize`, {
    body: { apiVersion: "v1", kind: "Namespace", metadata: { name }, spec: { finalizers: [] } },
  });
  if (finalized.status >= 300 && finalized.status !== 404) {
    throw new Error(`finalizing namespace ${name}: ${finalized.status} ${finalized.text}`);
  }
}
