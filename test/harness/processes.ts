// Child processes of the test control plane: started in their own process group with output to a
// log file, identified by pid *and* start time (so a recycled pid is never signalled), and stopped
// with SIGTERM then SIGKILL. Nothing here may import anything but node: modules, because
// watchdog.ts runs it directly under node (type stripping), outside Jest.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/** A process we started, as recorded in the control plane's state file. */
export interface ProcessRecord {
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks since boot); "" where /proc is not available. */
  startTime: string;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readProcStat(pid: number): { state: string; startTime: string } | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid …": comm may contain spaces and parentheses, so split after the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return { state: fields[0] ?? "", startTime: fields[19] ?? "" };
}

/** The record of a running process, for the state file. */
export function recordProcess(pid: number): ProcessRecord {
  return { pid, startTime: readProcStat(pid)?.startTime ?? "" };
}

/** True while the recorded process runs (a zombie, or another process that got the pid, is not it). */
export function isRunning(record: ProcessRecord): boolean {
  const stat = readProcStat(record.pid);
  if (stat === undefined) {
    if (fs.existsSync("/proc/self/stat")) return false;
    try {
      process.kill(record.pid, 0); // no /proc (not Linux): best effort
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === "EPERM";
    }
  }
  if (stat.state === "Z" || stat.state === "X") return false;
  return record.startTime === "" || stat.startTime === record.startTime;
}

function signalGroup(record: ProcessRecord, signal: NodeJS.Signals): void {
  if (!isRunning(record)) return;
  try {
    process.kill(-record.pid, signal); // the whole group: we start every process as a group leader
  } catch {
    try {
      process.kill(record.pid, signal);
    } catch {
      // exited in between
    }
  }
}

async function waitForExit(record: ProcessRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isRunning(record)) {
    if (Date.now() >= deadline) return false;
    await sleep(25);
  }
  return true;
}

/** SIGTERM to the process group, SIGKILL after `graceMs`. Resolves once the process is gone. */
export async function stopProcess(record: ProcessRecord, graceMs: number): Promise<void> {
  if (!isRunning(record)) return;
  signalGroup(record, "SIGTERM");
  if (await waitForExit(record, graceMs)) return;
  signalGroup(record, "SIGKILL");
  if (!(await waitForExit(record, 5000))) {
    throw new Error(`process ${record.pid} did not exit after SIGKILL`);
  }
}

/** Synchronous last resort (process "exit" handlers cannot wait): SIGKILL the group. */
export function killProcessNow(record: ProcessRecord): void {
  signalGroup(record, "SIGKILL");
}

/**
 * Starts `binary` as the leader of a new process group (so it outlives the Jest global-setup module
 * that started it and can be signalled as a group), with stdout and stderr appended to `logFile`.
 * Resolves once the process has been spawned; rejects when it could not be (missing binary).
 */
export async function spawnLogged(binary: string, args: string[], logFile: string): Promise<ProcessRecord> {
  fs.appendFileSync(logFile, `\n=== ${new Date().toISOString()} ${binary} ${args.join(" ")}\n`);
  const fd = fs.openSync(logFile, "a");
  try {
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", fd, fd] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    // The process is tracked through its record (pid + start time) from here on, by whichever
    // process holds the state file; this handle must not keep the event loop alive.
    child.unref();
    if (child.pid === undefined) throw new Error(`${binary} has no pid`);
    return recordProcess(child.pid);
  } finally {
    fs.closeSync(fd);
  }
}

/** The last `lines` lines of a log file from byte `from` on, for error messages. */
export function tailFile(file: string, lines = 40, from = 0): string {
  let text: string;
  try {
    const size = fs.statSync(file).size;
    const start = Math.max(from, size - 64 * 1024);
    const fd = fs.openSync(file, "r");
    try {
      const buffer = Buffer.alloc(size - start);
      fs.readSync(fd, buffer, 0, buffer.length, start);
      text = buffer.toString("utf8");
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    return `(cannot read ${file}: ${(error as Error).message})`;
  }
  return text.trim().split("\n").slice(-lines).join("\n");
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * `count` distinct free TCP ports on 127.0.0.1. All are held open until every one is found, so the
 * same call never returns a port twice; another process can still take one before we bind it,
 * which the caller handles by retrying with new ports.
 */
export async function freeLoopbackPorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
