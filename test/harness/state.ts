// The control plane's state file: everything needed to find, restart and stop its processes from
// another process than the one that started them (Jest's global setup starts the control plane,
// test files restart its API server, global teardown or the watchdog stops it). Node-only imports:
// watchdog.ts loads this outside Jest.
import fs from "node:fs";
import type { ProcessRecord } from "./processes.ts";
import type { TestTools } from "./tools.ts";

export interface UserRecord {
  name: string;
  groups: string[];
  token: string;
}

export interface ControlPlaneState {
  dir: string;
  /** Remove `dir` when the control plane stops. */
  removeDir: boolean;
  /** The process that started the control plane; the watchdog stops everything when it dies. */
  owner: ProcessRecord;
  watchdog: ProcessRecord | null;
  tools: TestTools;
  startTimeoutMs: number;
  stopGraceMs: number;
  etcd: { url: string; args: string[]; logFile: string; process: ProcessRecord | null };
  apiServer: {
    server: string;
    args: string[];
    logFile: string;
    /** The self-signed serving certificate and its CA, written by kube-apiserver on first start. */
    certFile: string;
    process: ProcessRecord | null;
  };
  kubeconfigPath: string;
  admin: UserRecord;
  users: UserRecord[];
  stopped: boolean;
}

export function readState(stateFile: string): ControlPlaneState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(stateFile, "utf8");
  } catch {
    return undefined;
  }
  return JSON.parse(text) as ControlPlaneState;
}

/** Atomic, so a reader in another process never sees half a file. */
export function writeState(stateFile: string, state: ControlPlaneState): void {
  const temporary = `${stateFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(state, null, 2) + "\n", { mode: 0o600 });
  fs.renameSync(temporary, stateFile);
}
