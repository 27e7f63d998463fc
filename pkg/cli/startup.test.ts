// The command line loads only what a command uses: the offline commands never load the Kubernetes
// client, metrics or logging libraries (about a second of start-up on the CI machine), and the
// command list loads no package at all. The entry point runs as its own process with a module hook
// that records every module loaded, so an import added anywhere in a command's graph, however
// indirect, fails here.
import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { packageOf } from "./testing/module-trace.ts";

const root = join(import.meta.dirname, "../..");
const examples = join(root, "manifests/examples");
const digest = "sha256:" + "ab".repeat(32);
const CLUSTER_PACKAGES = ["@kubernetes/client-node", "prom-client", "winston"];

interface TracedRun {
  status: number | null;
  stderr: string;
  /** Every module loaded, as a URL. */
  urls: string[];
  /** The npm packages of those modules. */
  packages: Set<string>;
}

/** Runs `image-policy ARGS` from the TypeScript sources, recording the modules it loads. */
function modulesLoadedBy(args: string[]): TracedRun {
  const dir = mkdtempSync(join(tmpdir(), "cli-modules-"));
  const trace = join(dir, "modules.txt");
  const result = spawnSync(
    process.execPath,
    ["--import", join(root, "pkg/cli/testing/module-trace.ts"), join(root, "pkg/cli/main.ts"), ...args],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, MODULE_TRACE_FILE: trace, NODE_DISABLE_COMPILE_CACHE: "1" },
    },
  );
  const urls = readFileSync(trace, "utf8").split("\n").filter(Boolean);
  const packages = new Set(urls.map(packageOf).filter((p): p is string => p !== undefined));
  return { status: result.status, stderr: result.stderr, urls, packages };
}

describe("modules loaded per command", () => {
  it("--help loads no npm package", () => {
    const run = modulesLoadedBy(["--help"]);
    expect(run.status).toBe(0);
    expect([...run.packages]).toEqual([]);
  });

  it.each([
    ["render", ["render", "-f", examples, "-o", "out"], 1], // the examples hold a deliberate conflict
    ["validate", ["validate", "-f", examples], 0],
    ["crds", ["crds"], 0],
    ["check-update", ["check-update", `quay.io/openshift-release-dev/ocp-release@${digest}`], 0],
    ["verify --help", ["verify", "--help"], 0],
  ])("%s does not load the Kubernetes client, prom-client or winston", (_name, args, status) => {
    const run = modulesLoadedBy(args);
    expect({ status: run.status, stderr: run.stderr }).toMatchObject({ status });
    expect(CLUSTER_PACKAGES.filter((p) => run.packages.has(p))).toEqual([]);
  });

  it("validate and render use the precompiled validators, not ajv's compiler", () => {
    const run = modulesLoadedBy(["validate", "-f", examples]);
    expect(run.status).toBe(0);
    // ajv's runtime helpers (a module each) are expected; its compiler is some sixty modules.
    const ajvModules = run.urls.filter((url) => packageOf(url) === "ajv");
    expect(ajvModules.length).toBeLessThanOrEqual(2);
  });

  it("controller does load them (the trace sees what it should)", () => {
    const run = modulesLoadedBy(["controller", "--help"]);
    expect(run.status).toBe(0);
    expect(CLUSTER_PACKAGES.filter((p) => run.packages.has(p))).toEqual(CLUSTER_PACKAGES);
  });
});
