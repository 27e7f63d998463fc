// The shipped command line is a bundle (hack/build-cli.ts, `make build`); every other test runs
// the TypeScript sources. This one checks that the bundle is the same program: each command loads
// (the libraries left outside the bundle included), and it renders what the sources render.
import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { main } from "../../pkg/cli/main.ts";
import { capture } from "../../pkg/cli/testing/capture.ts";

const root = resolve(import.meta.dirname, "../..");
const bundle = join(root, "dist/pkg/cli/main.js");

function runBundle(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [bundle, ...args], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, NODE_DISABLE_COMPILE_CACHE: "1" },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else files.set(relative(dir, path), readFileSync(path, "utf8"));
    }
  };
  walk(dir);
  return files;
}

describe("the bundled command line (dist/pkg/cli/main.js)", () => {
  it("has been built (make build)", () => {
    expect(existsSync(bundle)).toBe(true);
  });

  it.each(["render", "validate", "crds", "check-update", "verify", "controller"])(
    "loads the %s command and prints its help as the sources do",
    async (command) => {
      const io = capture();
      expect(await main([command, "--help"], io)).toBe(0);
      const bundled = runBundle([command, "--help"]);
      expect(bundled.stderr).toBe("");
      expect(bundled.status).toBe(0);
      expect(bundled.stdout).toBe(`${io.stdout.join("\n")}\n`);
    },
  );

  it("renders the examples exactly as the sources do", async () => {
    const work = mkdtempSync(join(tmpdir(), "cli-bundle-"));
    try {
      const io = capture();
      const status = await main(["render", "-f", "manifests/examples", "-o", join(work, "sources")], io);
      const bundled = runBundle(["render", "-f", "manifests/examples", "-o", join(work, "bundle")]);
      expect(bundled.status).toBe(status);
      expect(bundled.stdout).toBe(`${io.stdout.join("\n")}\n`);
      const fromSources = tree(join(work, "sources"));
      expect(fromSources.size).toBeGreaterThan(0);
      expect(tree(join(work, "bundle"))).toEqual(fromSources);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it("validates the examples exactly as the sources do", async () => {
    const io = capture();
    const status = await main(["validate", "-f", "manifests/examples"], io);
    const bundled = runBundle(["validate", "-f", "manifests/examples"]);
    expect(bundled.status).toBe(status);
    expect(bundled.stdout).toBe(`${io.stdout.join("\n")}\n`);
    expect(bundled.stderr).toBe(io.stderr.length > 0 ? `${io.stderr.join("\n")}\n` : "");
  });

  it("runs verify (sigstore and OpenPGP libraries) to a verdict", () => {
    // Nothing listens on port 1: the verdict is a pull error, reached through the whole verifier.
    const bundled = runBundle(["verify", "-f", "manifests/examples", "127.0.0.1:1/team/app:v1"]);
    expect(bundled.stderr).not.toMatch(/Cannot find|Dynamic require|is not a function/);
    expect(`${bundled.stdout}${bundled.stderr}`).toMatch(/127\.0\.0\.1:1\/team\/app:v1/);
    expect([0, 1, 2, 3]).toContain(bundled.status);
  });
});
