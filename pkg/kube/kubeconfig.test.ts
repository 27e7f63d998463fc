import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "@jest/globals";
import { loadKubeConfig } from "./kubeconfig.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kubeconfig-test-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function kubeconfigFile(name: string, server: string, contexts = ["main"]): string {
  const file = path.join(dir, name);
  fs.writeFileSync(
    file,
    [
      "apiVersion: v1",
      "kind: Config",
      `current-context: ${contexts[0]}`,
      "clusters:",
      ...contexts.map((c, i) => `- name: ${c}\n  cluster:\n    server: ${server}/${i}`),
      "users:",
      "- name: u\n  user:\n    token: t",
      "contexts:",
      ...contexts.map((c) => `- name: ${c}\n  context:\n    cluster: ${c}\n    user: u`),
    ].join("\n"),
  );
  return file;
}

const home = path.join(dir, "home");
const noHome = path.join(dir, "nohome");
fs.mkdirSync(path.join(home, ".kube"), { recursive: true });
fs.copyFileSync(kubeconfigFile("home-config", "https://home"), path.join(home, ".kube", "config"));
const missingToken = path.join(dir, "no-token");

describe("loadKubeConfig", () => {
  it("prefers the --kubeconfig file, and can select a context", () => {
    const file = kubeconfigFile("flag", "https://flag", ["one", "two"]);
    const loaded = loadKubeConfig({
      kubeconfig: file,
      context: "two",
      env: { KUBECONFIG: "x" },
      homeDir: home,
    });
    expect(loaded.source).toBe("flag");
    expect(loaded.kubeConfig.getCurrentCluster()?.server).toBe("https://flag/1");
  });

  it("then KUBECONFIG (several files, the first wins)", () => {
    const first = kubeconfigFile("env1", "https://env1");
    const second = kubeconfigFile("env2", "https://env2", ["other"]);
    const loaded = loadKubeConfig({ env: { KUBECONFIG: `${first}:${second}` }, homeDir: home });
    expect(loaded.source).toBe("KUBECONFIG");
    expect(loaded.kubeConfig.getCurrentCluster()?.server).toBe("https://env1/0");
    expect(loaded.kubeConfig.getContexts().map((c) => c.name)).toEqual(["main", "other"]);
  });

  it("then ~/.kube/config when not in a cluster", () => {
    const loaded = loadKubeConfig({
      env: { KUBERNETES_SERVICE_HOST: "10.0.0.1", KUBERNETES_SERVICE_PORT: "443" },
      homeDir: home,
      serviceAccountTokenFile: missingToken,
    });
    expect(loaded.source).toBe("home");
  });

  it("fails clearly when there is nothing", () => {
    expect(() => loadKubeConfig({ env: {}, homeDir: noHome, serviceAccountTokenFile: missingToken })).toThrow(
      /no Kubernetes configuration/,
    );
  });
});
