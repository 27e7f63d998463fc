// Where the controller's credentials come from, in controller-runtime's order (GetConfig): the
// --kubeconfig flag, the KUBECONFIG environment variable, the in-cluster service account, then
// ~/.kube/config. Unlike client-node's loadFromDefault, finding nothing is an error rather than a
// silent http://localhost:8080.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";

export const SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

export interface LoadKubeConfigOptions {
  /** A kubeconfig file (the --kubeconfig flag). */
  kubeconfig?: string;
  /** A context of the kubeconfig other than its current one. */
  context?: string;
  /** Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Default os.homedir(). */
  homeDir?: string;
  /** Default SERVICE_ACCOUNT_TOKEN (tests point it elsewhere). */
  serviceAccountTokenFile?: string;
}

export type KubeConfigSource = "flag" | "KUBECONFIG" | "in-cluster" | "home";

export function loadKubeConfig(options: LoadKubeConfigOptions = {}): {
  kubeConfig: KubeConfig;
  source: KubeConfigSource;
} {
  const env = options.env ?? process.env;
  const kubeConfig = new KubeConfig();
  let source: KubeConfigSource;
  const homeConfig = path.join(options.homeDir ?? os.homedir(), ".kube", "config");
  if (options.kubeconfig) {
    kubeConfig.loadFromFile(options.kubeconfig);
    source = "flag";
  } else if (env.KUBECONFIG) {
    // Several files separated by ':' are merged, the first definition of a name winning, as
    // kubectl does (client-node's mergeConfig throws on duplicate names instead).
    const files = env.KUBECONFIG.split(path.delimiter).filter(Boolean);
    kubeConfig.loadFromFile(files[0] ?? "");
    for (const file of files.slice(1)) {
      const more = new KubeConfig();
      more.loadFromFile(file);
      const absent =
        <T extends { name: string }>(have: T[]) =>
        (item: T) =>
          !have.some((h) => h.name === item.name);
      kubeConfig.clusters = [...kubeConfig.clusters, ...more.clusters.filter(absent(kubeConfig.clusters))];
      kubeConfig.users = [...kubeConfig.users, ...more.users.filter(absent(kubeConfig.users))];
      kubeConfig.contexts = [...kubeConfig.contexts, ...more.contexts.filter(absent(kubeConfig.contexts))];
      kubeConfig.currentContext ||= more.currentContext;
    }
    source = "KUBECONFIG";
  } else if (
    env.KUBERNETES_SERVICE_HOST &&
    env.KUBERNETES_SERVICE_PORT &&
    fs.existsSync(options.serviceAccountTokenFile ?? SERVICE_ACCOUNT_TOKEN)
  ) {
    // client-node re-reads the token file on every request (bound tokens rotate hourly).
    kubeConfig.loadFromCluster();
    source = "in-cluster";
  } else if (fs.existsSync(homeConfig)) {
    kubeConfig.loadFromFile(homeConfig);
    source = "home";
  } else {
    throw new Error(
      "no Kubernetes configuration: pass --kubeconfig, set KUBECONFIG, run in a pod with a service account, " +
        `or create ${homeConfig}`,
    );
  }
  if (options.context) kubeConfig.setCurrentContext(options.context);
  if (!kubeConfig.getCurrentCluster()) {
    throw new Error(`the Kubernetes configuration (${source}) has no current cluster`);
  }
  return { kubeConfig, source };
}
