// A test control plane: a real etcd and kube-apiserver on loopback, like controller-runtime's
// envtest. Authentication is by static bearer tokens (an admin in system:masters plus any users the
// caller declares), authorization is RBAC, and clients trust the API server's self-signed serving
// certificate through the CA it writes next to it.
//
// Every process runs in its own process group and is recorded (pid and start time) in a state file
// in the control plane's directory, so another process can restart the API server or stop
// everything (Jest's global teardown, see env.ts). A watchdog process stops everything when the
// process that started the control plane dies without stopping it (a crash, SIGKILL, Ctrl-C).
import crypto from "node:crypto";
import { spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { KubeConfig } from "@kubernetes/client-node";
import { stringify as toYaml } from "yaml";
import { waitForCustomResourcesListable } from "./crds.ts";
import { kubeRequest, type KubeRequestOptions, type KubeResponse } from "./http.ts";
import {
  fileSize,
  freeLoopbackPorts,
  isRunning,
  recordProcess,
  sleep,
  spawnLogged,
  stopProcess,
  tailFile,
  type ProcessRecord,
} from "./processes.ts";
import { readState, writeState, type ControlPlaneState, type UserRecord } from "./state.ts";
import { ensureTestTools, type TestTools } from "./tools.ts";

/** A user authenticated by a static token. Must be declared before the API server starts. */
export interface TestUser {
  name: string;
  groups?: readonly string[];
}

export interface ControlPlaneOptions {
  /** Extra token users (the admin, "test-admin" in system:masters, always exists). */
  users?: TestUser[];
  /** Per start of each process; default 60 s. */
  startTimeoutMs?: number;
  /** How long SIGTERM may take before SIGKILL; default 10 s. */
  stopGraceMs?: number;
  /** Extra kube-apiserver flags, e.g. "--feature-gates=…". */
  apiServerArgs?: string[];
  /** Binaries; default: hack/ensure-test-tools.sh. */
  tools?: TestTools;
  /** Where the control plane's temporary directory is created; default os.tmpdir(). */
  baseDir?: string;
  /** Keep the directory (logs, etcd data) after stop(); default: env IPC_KEEP_CONTROLPLANE=1. */
  keepDir?: boolean;
}

export const ADMIN_USER = "test-admin";
const CONTEXT = "envtest";
const STATE_FILE = "controlplane.json";
const WATCHDOG = path.join(path.dirname(fileURLToPath(import.meta.url)), "watchdog.ts");

/** Thrown when a process does not come up; the message carries the tail of its log. */
export class ControlPlaneStartError extends Error {
  readonly logTail: string;
  constructor(message: string, logTail: string) {
    super(`${message}\n--- last lines of the log ---\n${logTail}\n---`);
    this.name = "ControlPlaneStartError";
    this.logTail = logTail;
  }
}

export class ControlPlane {
  readonly stateFile: string;
  #state: ControlPlaneState;
  #kubeConfig: KubeConfig | undefined;

  /** Use startControlPlane() or attachControlPlane(). */
  constructor(stateFile: string, state: ControlPlaneState) {
    this.stateFile = stateFile;
    this.#state = state;
  }

  get dir(): string {
    return this.#state.dir;
  }
  /** The API server URL, https://127.0.0.1:<port>. Stays the same across API server restarts. */
  get server(): string {
    return this.#state.apiServer.server;
  }
  get etcdUrl(): string {
    return this.#state.etcd.url;
  }
  /** A kubeconfig file for the admin user (system:masters). */
  get kubeconfigPath(): string {
    return this.#state.kubeconfigPath;
  }
  get apiServerLogFile(): string {
    return this.#state.apiServer.logFile;
  }
  get etcdLogFile(): string {
    return this.#state.etcd.logFile;
  }
  get tools(): TestTools {
    return this.#state.tools;
  }
  /** PEM of the CA that signed the API server's serving certificate (with that certificate). */
  get caPem(): string {
    return fs.readFileSync(this.#state.apiServer.certFile, "utf8");
  }
  get users(): readonly TestUser[] {
    return this.#state.users.map(({ name, groups }) => ({ name, groups: [...groups] }));
  }

  /**
   * The admin's KubeConfig (user "test-admin" in system:masters, which bypasses RBAC). One shared
   * instance: don't change its current context; make your own with loadFromFile(kubeconfigPath).
   */
  get kubeConfig(): KubeConfig {
    if (!this.#kubeConfig) {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(this.kubeconfigPath);
      this.#kubeConfig = kubeConfig;
    }
    return this.#kubeConfig;
  }

  /**
   * A KubeConfig for a token user declared in ControlPlaneOptions.users (the API server reads its
   * token file only at start). `groups`, when given, must be the declared groups: a test should not
   * believe it runs with groups it does not have. For identities created on the fly use
   * kubeConfigForServiceAccount() (users.ts).
   */
  kubeConfigForUser(name: string, groups?: readonly string[]): KubeConfig {
    const user = this.#findUser(name, groups);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions(kubeConfigOptions(this.server, this.caPem, user));
    return kubeConfig;
  }

  /** Like kubeConfigForUser, as a kubeconfig file (for a controller started as a subprocess). */
  kubeconfigFileForUser(name: string, groups?: readonly string[]): string {
    const user = this.#findUser(name, groups);
    const file = path.join(this.dir, `kubeconfig-${user.name.replace(/[^A-Za-z0-9_.-]/g, "_")}.yaml`);
    fs.writeFileSync(file, kubeconfigYaml(this.server, this.caPem, user), { mode: 0o600 });
    return file;
  }

  /** A raw request as the admin; see http.ts. */
  request(method: string, requestPath: string, options?: KubeRequestOptions): Promise<KubeResponse> {
    return kubeRequest(this.kubeConfig, method, requestPath, options);
  }

  get apiServerRunning(): boolean {
    const record = this.#refresh().apiServer.process;
    return record !== null && isRunning(record);
  }

  /** Stops kube-apiserver (SIGTERM, then SIGKILL); etcd and its data stay. */
  async stopApiServer(): Promise<void> {
    const state = this.#refresh();
    const record = state.apiServer.process;
    if (record) await stopProcess(record, state.stopGraceMs);
    state.apiServer.process = null;
    this.#save();
  }

  /**
   * Starts kube-apiserver with the same flags (port, certificates, etcd) as before and waits until
   * /readyz says ok and custom resources can be listed. Existing KubeConfigs keep working: same
   * URL, CA and tokens.
   */
  async startApiServer(): Promise<void> {
    const state = this.#refresh();
    if (state.stopped) throw new Error(`the control plane in ${state.dir} was stopped`);
    if (state.apiServer.process && isRunning(state.apiServer.process)) return;
    const { apiServer } = state;
    const logStart = fileSize(apiServer.logFile);
    const record = await spawnLogged(state.tools.kubeApiServer, apiServer.args, apiServer.logFile);
    apiServer.process = record;
    this.#save();
    try {
      await this.#waitForApiServer(record, logStart);
    } catch (error) {
      await stopProcess(record, 0).catch(() => undefined);
      apiServer.process = null;
      this.#save();
      throw error;
    }
  }

  /** stopApiServer() then startApiServer(), e.g. to test that a controller survives it. */
  async restartApiServer(): Promise<void> {
    await this.stopApiServer();
    await this.startApiServer();
  }

  /**
   * Stops kube-apiserver, then etcd, then the watchdog, and removes the directory (unless keepDir).
   * Safe to call more than once and from any process.
   */
  async stop(options: { keepDir?: boolean } = {}): Promise<void> {
    const state = readState(this.stateFile);
    if (!state || state.stopped) return;
    this.#state = state;
    const errors: unknown[] = [];
    for (const record of [state.apiServer.process, state.etcd.process]) {
      if (record) await stopProcess(record, state.stopGraceMs).catch((error: unknown) => errors.push(error));
    }
    state.apiServer.process = null;
    state.etcd.process = null;
    state.stopped = true;
    this.#save();
    if (state.watchdog) await stopProcess(state.watchdog, 1000).catch(() => undefined);
    if (state.removeDir && !options.keepDir) fs.rmSync(state.dir, { recursive: true, force: true });
    if (errors.length > 0) throw new AggregateError(errors, "stopping the control plane failed");
  }

  async #startEtcd(): Promise<void> {
    const state = this.#refresh();
    const { etcd } = state;
    const logStart = fileSize(etcd.logFile);
    const record = await spawnLogged(state.tools.etcd, etcd.args, etcd.logFile);
    etcd.process = record;
    this.#save();
    const deadline = Date.now() + state.startTimeoutMs;
    let lastProblem: string;
    for (;;) {
      if (!isRunning(record)) {
        throw new ControlPlaneStartError("etcd exited during start", tailFile(etcd.logFile, 40, logStart));
      }
      try {
        const health = await httpGet(`${etcd.url}/health`);
        if (health.status === 200 && /"health"\s*:\s*"true"/.test(health.text)) return;
        lastProblem = `/health answered ${health.status}: ${health.text}`;
      } catch (error) {
        lastProblem = (error as Error).message;
      }
      if (Date.now() > deadline) {
        throw new ControlPlaneStartError(
          `etcd not healthy after ${state.startTimeoutMs / 1000} s (${lastProblem})`,
          tailFile(etcd.logFile, 40, logStart),
        );
      }
      await sleep(50);
    }
  }

  #startWatchdog(): void {
    const state = this.#refresh();
    const log = fs.openSync(path.join(state.dir, "watchdog.log"), "a");
    try {
      const child = spawn(process.execPath, [WATCHDOG, this.stateFile], {
        detached: true,
        stdio: ["ignore", log, log],
      });
      child.unref();
      if (child.pid === undefined) throw new Error(`cannot start ${WATCHDOG}`);
      state.watchdog = recordProcess(child.pid);
    } finally {
      fs.closeSync(log);
    }
    this.#save();
  }

  async #waitForApiServer(record: ProcessRecord, logStart: number): Promise<void> {
    const state = this.#state;
    const deadline = Date.now() + state.startTimeoutMs;
    let lastProblem = "no answer yet";
    for (;;) {
      if (!isRunning(record)) {
        throw new ControlPlaneStartError(
          "kube-apiserver exited during start",
          tailFile(state.apiServer.logFile, 40, logStart),
        );
      }
      // The serving certificate appears shortly after start; trust nothing else meanwhile.
      if (fs.existsSync(state.apiServer.certFile)) {
        try {
          const kubeConfig = new KubeConfig();
          kubeConfig.loadFromOptions(kubeConfigOptions(state.apiServer.server, this.caPem, state.admin));
          const ready = await kubeRequest(kubeConfig, "GET", "/readyz", { timeoutMs: 5000 });
          if (ready.status === 200 && ready.text.trim() === "ok") {
            await waitForCustomResourcesListable(kubeConfig, Math.max(deadline - Date.now(), 1000));
            return;
          }
          lastProblem = `/readyz answered ${ready.status}: ${ready.text.trim().split("\n").slice(-5).join(" | ")}`;
        } catch (error) {
          lastProblem = (error as Error).message;
        }
      }
      if (Date.now() > deadline) {
        throw new ControlPlaneStartError(
          `kube-apiserver not ready after ${state.startTimeoutMs / 1000} s (${lastProblem})`,
          tailFile(state.apiServer.logFile, 40, logStart),
        );
      }
      await sleep(100);
    }
  }

  /** See startControlPlane(). */
  static async start(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const tools = options.tools ?? (await ensureTestTools());
    const dir = fs.mkdtempSync(path.join(options.baseDir ?? os.tmpdir(), "ipc-controlplane-"));
    const keepDir = options.keepDir ?? process.env.IPC_KEEP_CONTROLPLANE === "1";
    const admin: UserRecord = { name: ADMIN_USER, groups: ["system:masters"], token: newToken() };
    const users = declareUsers(options.users ?? []);
    writeCredentials(dir, admin, users);
    const noFsync = await etcdSupportsNoFsync(tools.etcd);
    const stateFile = path.join(dir, STATE_FILE);

    // Another process can take a port between freeLoopbackPorts() and the bind; then start again.
    for (let attempt = 1; ; attempt++) {
      const [etcdClientPort, etcdPeerPort, apiServerPort] = (await freeLoopbackPorts(3)) as [
        number,
        number,
        number,
      ];
      const state: ControlPlaneState = {
        dir,
        removeDir: !keepDir,
        owner: recordProcess(process.pid),
        watchdog: null,
        tools,
        startTimeoutMs: options.startTimeoutMs ?? 60_000,
        stopGraceMs: options.stopGraceMs ?? 10_000,
        etcd: {
          url: `http://127.0.0.1:${etcdClientPort}`,
          args: etcdArgs(dir, etcdClientPort, etcdPeerPort, noFsync),
          logFile: path.join(dir, "etcd.log"),
          process: null,
        },
        apiServer: {
          server: `https://127.0.0.1:${apiServerPort}`,
          args: [
            ...apiServerArgs(dir, `http://127.0.0.1:${etcdClientPort}`, apiServerPort),
            ...(options.apiServerArgs ?? []),
          ],
          logFile: path.join(dir, "kube-apiserver.log"),
          certFile: path.join(dir, "certs", "apiserver.crt"),
          process: null,
        },
        kubeconfigPath: path.join(dir, "kubeconfig.yaml"),
        admin,
        users,
        stopped: false,
      };
      writeState(stateFile, state);
      const plane = new ControlPlane(stateFile, state);
      try {
        plane.#startWatchdog();
        await plane.#startEtcd();
        await plane.startApiServer();
        fs.writeFileSync(state.kubeconfigPath, kubeconfigYaml(plane.server, plane.caPem, admin), {
          mode: 0o600,
        });
        return plane;
      } catch (error) {
        await plane.stop({ keepDir: true }).catch(() => undefined);
        const portTaken =
          error instanceof ControlPlaneStartError && /address already in use/.test(error.logTail);
        if (portTaken && attempt < 3) {
          fs.rmSync(path.join(dir, "etcd-data"), { recursive: true, force: true });
          fs.rmSync(path.join(dir, "certs"), { recursive: true, force: true });
          continue;
        }
        if (error instanceof Error) error.message += `\n(logs and data kept in ${dir})`;
        throw error;
      }
    }
  }

  #findUser(name: string, groups: readonly string[] | undefined): UserRecord {
    const state = this.#state;
    const user = name === ADMIN_USER ? state.admin : state.users.find((u) => u.name === name);
    if (!user) {
      const declared = state.users.map((u) => u.name).join(", ") || "none";
      throw new Error(
        `user "${name}" is not declared on this control plane (declared: ${declared}). Token users ` +
          `must be passed in ControlPlaneOptions.users before start (for the shared control plane: ` +
          `sharedTestUsers in test/harness/users.ts); or use kubeConfigForServiceAccount().`,
      );
    }
    if (groups !== undefined && [...groups].sort().join("\n") !== [...user.groups].sort().join("\n")) {
      throw new Error(
        `user "${name}" was declared with groups [${user.groups.join(", ")}], not [${groups.join(", ")}]`,
      );
    }
    return user;
  }

  #refresh(): ControlPlaneState {
    const state = readState(this.stateFile);
    if (!state) throw new Error(`control plane state ${this.stateFile} is gone (stopped?)`);
    this.#state = state;
    return state;
  }

  #save(): void {
    writeState(this.stateFile, this.#state);
  }
}

/** Starts etcd and kube-apiserver on free loopback ports and waits until both are ready. */
export function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  return ControlPlane.start(options);
}

/** A handle on a control plane started by another process (see env.ts). */
export function attachControlPlane(stateFile: string): ControlPlane {
  const state = readState(stateFile);
  if (!state) throw new Error(`no control plane state at ${stateFile}`);
  if (state.stopped) throw new Error(`the control plane in ${state.dir} was stopped`);
  return new ControlPlane(stateFile, state);
}

function etcdArgs(dir: string, clientPort: number, peerPort: number, noFsync: boolean): string[] {
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return [
    "--name=test",
    `--data-dir=${path.join(dir, "etcd-data")}`,
    `--listen-client-urls=${client}`,
    `--advertise-client-urls=${client}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    // The data is thrown away after the run: skip fsync, which dominates etcd's latency on CI disks.
    ...(noFsync ? ["--unsafe-no-fsync=true"] : []),
  ];
}

function apiServerArgs(dir: string, etcdUrl: string, port: number): string[] {
  // envtest's defaults (controller-runtime pkg/internal/testing/controlplane/apiserver.go), with
  // token instead of client-certificate authentication.
  return [
    `--etcd-servers=${etcdUrl}`,
    `--cert-dir=${path.join(dir, "certs")}`,
    `--secure-port=${port}`,
    "--bind-address=127.0.0.1",
    // Also puts 127.0.0.1 into the self-signed serving certificate, so clients can verify it.
    "--advertise-address=127.0.0.1",
    "--service-cluster-ip-range=10.0.0.0/24",
    "--allow-privileged=true",
    // No service-account controller runs, so pods would be rejected for want of a token.
    "--disable-admission-plugins=ServiceAccount",
    "--authorization-mode=RBAC",
    `--token-auth-file=${path.join(dir, "tokens.csv")}`,
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${path.join(dir, "sa-signer.pub")}`,
    `--service-account-signing-key-file=${path.join(dir, "sa-signer.key")}`,
  ];
}

async function etcdSupportsNoFsync(etcd: string): Promise<boolean> {
  const child = spawn(etcd, ["--help"], { stdio: ["ignore", "pipe", "pipe"] });
  let help = "";
  child.stdout.on("data", (chunk: Buffer) => (help += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (help += chunk.toString()));
  await new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  });
  return help.includes("--unsafe-no-fsync");
}

function newToken(): string {
  return crypto.randomBytes(24).toString("hex");
}

function declareUsers(users: readonly TestUser[]): UserRecord[] {
  const seen = new Set<string>([ADMIN_USER]);
  return users.map(({ name, groups = [] }) => {
    // The token file is CSV with the groups in one quoted field: keep names and groups plain.
    for (const value of [name, ...groups]) {
      if (!value || /[",\n\r]/.test(value))
        throw new Error(`invalid user or group name ${JSON.stringify(value)}`);
    }
    if (seen.has(name)) throw new Error(`user "${name}" declared twice (or reserved)`);
    seen.add(name);
    return { name, groups: [...groups], token: newToken() };
  });
}

function writeCredentials(dir: string, admin: UserRecord, users: readonly UserRecord[]): void {
  // Static token file: token,user,uid[,"group1,group2"]
  const lines = [admin, ...users].map(({ name, groups, token }) =>
    [token, name, `uid-${name}`, ...(groups.length > 0 ? [`"${groups.join(",")}"`] : [])].join(","),
  );
  fs.writeFileSync(path.join(dir, "tokens.csv"), lines.join("\n") + "\n", { mode: 0o600 });
  const { publicKey, privateKey } = crypto.generateKeyPairSync("rsa", {
    modulusLength: 2048,
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  fs.writeFileSync(path.join(dir, "sa-signer.key"), privateKey, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, "sa-signer.pub"), publicKey);
}

function kubeConfigOptions(server: string, caPem: string, user: UserRecord): object {
  return {
    clusters: [
      { name: CONTEXT, server, caData: Buffer.from(caPem).toString("base64"), skipTLSVerify: false },
    ],
    users: [{ name: user.name, token: user.token }],
    contexts: [{ name: CONTEXT, cluster: CONTEXT, user: user.name }],
    currentContext: CONTEXT,
  };
}

function kubeconfigYaml(server: string, caPem: string, user: UserRecord): string {
  return toYaml({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: CONTEXT,
        cluster: { server, "certificate-authority-data": Buffer.from(caPem).toString("base64") },
      },
    ],
    users: [{ name: user.name, user: { token: user.token } }],
    contexts: [{ name: CONTEXT, context: { cluster: CONTEXT, user: user.name } }],
    "current-context": CONTEXT,
  });
}

function httpGet(url: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { timeout: 2000 }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
      response.on("error", reject);
    });
    request.on("timeout", () => request.destroy(new Error(`GET ${url} timed out`)));
    request.on("error", reject);
  });
}
