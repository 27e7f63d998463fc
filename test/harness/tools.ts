// The control plane's binaries, from hack/ensure-test-tools.sh (which builds or fetches them into
// a cache outside the repository on first use).
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface TestTools {
  kubeApiServer: string;
  etcd: string;
  /** The kube-apiserver version the script pins, e.g. "v1.34.4". */
  k8sVersion: string;
}

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let cached: Promise<TestTools> | undefined;

/**
 * Runs hack/ensure-test-tools.sh once per process. Its progress (a first run builds kube-apiserver,
 * 10-20 minutes) goes to our stderr, and its last lines into the error when it fails; its stdout is
 * the KEY=path lines.
 */
export function ensureTestTools(): Promise<TestTools> {
  cached ??= runEnsureScript().catch((error: unknown) => {
    cached = undefined; // let a later caller try again
    throw error;
  });
  return cached;
}

async function runEnsureScript(): Promise<TestTools> {
  const get = await runToolScript("ensure-test-tools.sh");
  return { kubeApiServer: get("KUBE_APISERVER"), etcd: get("ETCD"), k8sVersion: get("K8S_VERSION") };
}

/**
 * Runs one of the hack/ensure-*.sh scripts: its progress goes to our stderr as it happens, its last
 * lines into the error when it fails; its stdout is KEY=path lines, read with the returned getter.
 */
export async function runToolScript(name: string): Promise<(key: string) => string> {
  const script = path.join(repoRoot, "hack", name);
  const child = spawn("bash", [script], { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    process.stderr.write(chunk); // progress of a long first build, as it happens
    stderr = (stderr + chunk).slice(-8192);
  });
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  if (exitCode !== 0) {
    const tail = stderr.trimEnd().split("\n").slice(-20).join("\n");
    throw new Error(`${script} failed (exit code ${exitCode}):\n${tail}`);
  }
  const values = new Map<string, string>();
  for (const line of stdout.split("\n")) {
    const eq = line.indexOf("=");
    if (eq > 0) values.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return (key: string): string => {
    const value = values.get(key);
    if (!value) throw new Error(`${script} printed no ${key}= line; its output was:\n${stdout}`);
    return value;
  };
}
