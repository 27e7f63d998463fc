// Identities other than the admin, for least-privilege (RBAC) tests.
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";

/**
 * Token users of the shared control plane (Jest's global setup declares them; a static token file
 * cannot change while the API server runs). They have no permissions until a test binds some.
 * Add a user here when a test needs a fixed user name; use kubeConfigForServiceAccount() for
 * anything that can be a service account.
 */
export const sharedTestUsers = [{ name: "test-unprivileged", groups: ["test-group"] }] as const;

export interface ServiceAccountOptions {
  /** Token lifetime; the API server's minimum is 600 s. Default 3600 s. */
  expirationSeconds?: number;
}

/**
 * A KubeConfig that authenticates as the service account `namespace/name` (created when missing)
 * with a token from the TokenRequest API, so it is the identity a controller has in a cluster:
 * user system:serviceaccount:<namespace>:<name>, groups system:serviceaccounts and
 * system:serviceaccounts:<namespace>. `adminKubeConfig` supplies the cluster and must be allowed to
 * create service accounts and tokens.
 */
export async function kubeConfigForServiceAccount(
  adminKubeConfig: KubeConfig,
  namespace: string,
  name: string,
  options: ServiceAccountOptions = {},
): Promise<KubeConfig> {
  const core = adminKubeConfig.makeApiClient(CoreV1Api);
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  } catch (error) {
    if ((error as { code?: number }).code !== 409) throw error;
  }
  const tokenRequest = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds ?? 3600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`no token for service account ${namespace}/${name}`);
  const cluster = adminKubeConfig.getCurrentCluster();
  if (!cluster) throw new Error("the admin KubeConfig has no current cluster");
  const userName = `system:serviceaccount:${namespace}:${name}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [cluster],
    users: [{ name: userName, token }],
    contexts: [{ name: "envtest", cluster: cluster.name, user: userName, namespace }],
    currentContext: "envtest",
  });
  return kubeConfig;
}
