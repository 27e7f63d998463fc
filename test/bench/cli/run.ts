// Command-line benchmark: prints figures, asserts nothing. Run with `node test/bench/cli/run.ts`
// after `make build` (`make bench-cli` does both). Each command runs as a whole process, as a user
// runs it: `--help`, `validate -f` and `render -f … -o` on the render benchmark's typical cluster
// written as a folder of manifests (570 files). Wall times are the median of N runs without the
// compile cache, with an empty one (the first run after an install or upgrade) and with a warm
// one; then one CPU-profiled run per command says where the time goes: loading modules (resolving,
// compiling, linking and evaluating them, by package) against the work itself.
//
//   --runs N      runs per figure (default 7)
//   --cli FILE    the entry point to time (default dist/pkg/cli/main.js), e.g. an older build's
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { packageOf } from "../../../pkg/cli/testing/module-trace.ts";
import { writeTypicalManifests } from "./manifests.ts";
import { originalFile } from "./source-map.ts";

const root = resolve(import.meta.dirname, "../../..");
const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "7" },
    cli: { type: "string", default: join(root, "dist/pkg/cli/main.js") },
  },
});
const runs = Number(values.runs);
const cli = resolve(values.cli);
/** The tree the timed command belongs to (another build's, with --cli). */
const cliRoot = ((): string => {
  for (let dir = dirname(cli); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return dir;
  }
  return root;
})();
const work = mkdtempSync(join(tmpdir(), "bench-cli-"));
const manifests = join(work, "manifests");
const fileCount = writeTypicalManifests(manifests);

interface Case {
  label: string;
  args: (out: string) => string[];
}

const cases: Case[] = [
  { label: "--help", args: () => ["--help"] },
  { label: "validate -f typical", args: () => ["validate", "-f", manifests] },
  { label: "render -f typical -o OUT", args: (out) => ["render", "-f", manifests, "-o", out] },
];

type Mode = "no cache" | "cold cache" | "warm cache";
const modes: Mode[] = ["no cache", "cold cache", "warm cache"];

let failures = 0;
let outputs = 0;

/** The environment of one run: the compile cache lives under TMPDIR unless disabled. */
function environment(mode: Mode, warmTmp: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.NODE_COMPILE_CACHE;
  delete env.NODE_DISABLE_COMPILE_CACHE;
  if (mode === "no cache") env.NODE_DISABLE_COMPILE_CACHE = "1";
  env.TMPDIR = mode === "cold cache" ? mkdtempSync(join(work, "cold-")) : warmTmp;
  return env;
}

/** Runs the command once; its wall time in milliseconds. */
function runOnce(args: string[], env: NodeJS.ProcessEnv, nodeFlags: string[] = []): number {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [...nodeFlags, cli, ...args], {
    env,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) {
    failures++;
    const reason = result.stderr.split("\n").find((l) => l.trim() !== "") ?? "";
    console.log(`  ! ${args[0]} exited ${result.status}: ${reason}`);
  }
  return ms;
}

/** A file of the bundle (it has a source map beside it): its top level evaluates many modules. */
const isBundled = (url: string): boolean => existsSync(`${url.replace(/^file:\/\//, "")}.map`);

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const figure = (xs: number[]): string =>
  `${median(xs).toFixed(0)} ms (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`;

function timeCase(c: Case, mode: Mode, warmTmp: string): number[] {
  const times: number[] = [];
  if (mode === "warm cache") runOnce(c.args(join(work, `out-${outputs++}`)), environment(mode, warmTmp));
  for (let i = 0; i < runs; i++) {
    const out = join(work, `out-${outputs++}`);
    times.push(runOnce(c.args(out), environment(mode, warmTmp)));
    rmSync(out, { recursive: true, force: true });
  }
  return times;
}

console.log(
  `CLI process times: ${relative(cliRoot, cli)}${cliRoot === root ? "" : " of another tree"}, ` +
    `Node ${process.version}, ${availableParallelism()} CPUs, ` +
    `load average ${loadavg()[0]?.toFixed(2)} at start`,
);
console.log(`typical cluster as ${fileCount} manifest files; median of ${runs} runs (min–max)\n`);

const baseline: number[] = [];
for (let i = 0; i < runs; i++) {
  const start = process.hrtime.bigint();
  spawnSync(process.execPath, ["-e", "0"]);
  baseline.push(Number(process.hrtime.bigint() - start) / 1e6);
}
console.log(`${"node -e 0".padEnd(26)} ${figure(baseline)}`);

const warmTmp = mkdtempSync(join(work, "warm-"));
console.log(`${"".padEnd(26)} ${modes.map((m) => m.padEnd(24)).join("")}`);
for (const c of cases) {
  const row = modes.map((mode) => figure(timeCase(c, mode, warmTmp)).padEnd(24));
  console.log(`${c.label.padEnd(26)} ${row.join("")}`);
}
console.log(`load average ${loadavg()[0]?.toFixed(2)} at the end (2 CPUs: above 1, other work shared them)`);

// Modules loaded, by package (one run per command, warm cache, through the tracing hook).
console.log("\nModules loaded (warm cache):");
for (const c of cases) {
  const traceFile = join(work, `modules-${outputs}.txt`);
  runOnce(
    c.args(join(work, `out-${outputs++}`)),
    environment("warm cache", warmTmp, { MODULE_TRACE_FILE: traceFile }),
    ["--import", join(root, "pkg/cli/testing/module-trace.ts")],
  );
  const urls = readFileSync(traceFile, "utf8").split("\n").filter(Boolean);
  const byPackage = new Map<string, number>();
  for (const url of urls) {
    const name =
      packageOf(url) ??
      (url.startsWith("node:") ? "node: built-ins" : isBundled(url) ? "(bundle files)" : "(this project)");
    byPackage.set(name, (byPackage.get(name) ?? 0) + 1);
  }
  const top = [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 8);
  console.log(
    `  ${c.label.padEnd(24)} ${urls.length} modules: ${top.map(([p, n]) => `${p} ${n}`).join(", ")}`,
  );
}

// Where the time goes: one CPU profile per command (warm cache).
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

type Category = { kind: "load" | "work" | "gc" | "other"; owner: string };

/** The package or source folder code belongs to; a bundled frame is traced to its source file. */
function ownerOf(url: string, line = 0, column = 0): { name: string; library: boolean } {
  const path = originalFile(url, line, column) ?? url.replace(/^file:\/\//, "");
  const pkg = packageOf(path);
  if (pkg) return { name: pkg, library: true };
  const rel = relative(cliRoot, path).split("/");
  return { name: (rel[0] === "dist" ? rel.slice(1, 3) : rel.slice(0, 2)).join("/"), library: false };
}

const frameOwner = (f: CallFrame) => ownerOf(f.url, f.lineNumber, f.columnNumber);

function analyse(profile: CpuProfile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id);
  const stackOf = (id: number): CallFrame[] => {
    const frames: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const node = byId.get(at);
      if (node) frames.push(node.callFrame);
    }
    return frames; // innermost first
  };
  const isFile = (f: CallFrame) => f.url.startsWith("file://") || f.url.startsWith("/");
  const isEntry = (f: CallFrame) => f.url.replace(/^file:\/\//, "") === cli;
  // A module's top-level code is an anonymous function at line 0, column 0 of its file.
  const isModuleBody = (f: CallFrame) =>
    f.functionName === "" && f.lineNumber === 0 && f.columnNumber === 0 && isFile(f) && !isEntry(f);
  const categories = new Map<number, Category>();
  const categorise = (id: number): Category => {
    const known = categories.get(id);
    if (known) return known;
    const frames = stackOf(id);
    const leaf = frames[0]?.functionName ?? "";
    let category: Category;
    const body = frames.find(isModuleBody);
    if (leaf === "(garbage collector)") category = { kind: "gc", owner: "" };
    else if (body)
      category = {
        kind: "load",
        owner: isBundled(body.url) ? "(evaluating bundled modules)" : ownerOf(body.url).name,
      };
    else if (frames.some((f) => f.url.startsWith("node:internal/modules/")))
      category = { kind: "load", owner: "(resolve, read, compile, link)" };
    else {
      const code = frames.find(isFile);
      category = code ? { kind: "work", owner: frameOwner(code).name } : { kind: "other", owner: "" };
    }
    categories.set(id, category);
    return category;
  };
  const totals = { load: 0, work: 0, gc: 0, other: 0 };
  const loadBy = new Map<string, number>();
  const workBy = new Map<string, number>();
  const inclusive = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const dt = (profile.timeDeltas[i] ?? 0) / 1000;
    const c = categorise(id);
    totals[c.kind] += dt;
    if (c.kind === "load") loadBy.set(c.owner, (loadBy.get(c.owner) ?? 0) + dt);
    if (c.kind === "work") {
      workBy.set(c.owner, (workBy.get(c.owner) ?? 0) + dt);
      const seen = new Set<string>();
      for (const f of stackOf(id)) {
        if (!isFile(f) || !f.functionName) continue;
        const owner = frameOwner(f);
        if (owner.library) continue;
        const key = `${f.functionName} (${owner.name})`;
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + dt);
      }
    }
  });
  const total = totals.load + totals.work + totals.gc + totals.other;
  const ms = (x: number) => `${x.toFixed(0)} ms`;
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, v]) => `${k} ${ms(v)}`)
      .join(", ");
  console.log(
    `    sampled ${ms(total)}: loading modules ${ms(totals.load)}, work ${ms(totals.work)}, ` +
      `garbage collection ${ms(totals.gc)}, Node start-up and other ${ms(totals.other)}`,
  );
  console.log(`    loading, by package: ${top(loadBy, 8)}`);
  if (totals.work >= 1) {
    console.log(`    work, by package: ${top(workBy, 6)}`);
    console.log(`    work, this project's functions (inclusive): ${top(inclusive, 8)}`);
  }
}

console.log("\nWhere the time goes (CPU profile of one run each, warm cache; the profiler adds some):");
for (const c of cases) {
  const dir = join(work, `profile-${outputs}`);
  mkdirSync(dir);
  runOnce(c.args(join(work, `out-${outputs++}`)), environment("warm cache", warmTmp), [
    "--cpu-prof",
    "--cpu-prof-dir",
    dir,
    "--cpu-prof-interval",
    "250",
  ]);
  const file = readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  console.log(`  ${c.label}`);
  if (file) analyse(JSON.parse(readFileSync(join(dir, file), "utf8")) as CpuProfile);
}

rmSync(work, { recursive: true, force: true });
if (failures > 0) {
  console.log(`\n${failures} run(s) failed`);
  process.exitCode = 1;
}
