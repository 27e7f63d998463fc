// The control plane's binaries, from hack/ensure-test-tools.sh (which builds or fetches them into
// a cache outside the repository on first use).
import { execFileSync, spawn } from "node:child_process";
import { createServer } from "node:net";
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

/**
 * The path of hack/policy-judge (our front end to containers/image), built on first use and cached
 * by hack/build-policy-judge.sh; the build's progress goes to our stderr.
 */
export function buildPolicyJudge(): string {
  const out = execFileSync("bash", [path.join(repoRoot, "hack", "build-policy-judge.sh")], {
    cwd: repoRoot,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  return out.trim().split("\n").pop() ?? "";
}

/** The judge's verdict on one file: `ok FILE` or `error FILE: message`. */
export type JudgeFileVerdict = { file: string; ok: true } | { file: string; ok: false; error: string };

/**
 * containers/image's verdict on each registries.conf, in the order given: `policy-judge
 * parse-registries`, which loads the file the way a node does (sysregistriesv2.GetRegistries and
 * UnqualifiedSearchRegistries), with `dropinDir` as its registries.conf.d (none when not given). The
 * error is containers/image's message, on one line. `judge` is a built judge (default: built now).
 */
export function judgeRegistriesConf(
  files: readonly string[],
  options: { dropinDir?: string; judge?: string } = {},
): JudgeFileVerdict[] {
  const judge = options.judge ?? buildPolicyJudge();
  const dropins = options.dropinDir === undefined ? [] : ["--dropin-dir", options.dropinDir];
  const out = execFileSync(judge, ["parse-registries", ...files, ...dropins], {
    encoding: "utf8",
    maxBuffer: 64 << 20,
  });
  const lines = out.split("\n");
  return files.map((file, i): JudgeFileVerdict => {
    const line = lines[i] ?? "";
    if (line === `ok ${file}`) return { file, ok: true };
    if (line.startsWith(`error ${file}: `))
      return { file, ok: false, error: line.slice(`error ${file}: `.length) };
    throw new Error(
      `policy-judge parse-registries: no verdict for ${file} (line ${i + 1}: ${JSON.stringify(line)})`,
    );
  });
}

/** A TCP port free on 127.0.0.1 right now (for a server the test starts next). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}
