import { describe, expect, it } from "@jest/globals";
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");
const uid = process.getuid?.();
const cacheName = `image-policy-compile-cache${uid === undefined ? "" : `-${uid}`}`;
const digest = "sha256:" + "ab".repeat(32);

/** Runs `image-policy check-update …` from the sources with this environment. */
function run(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const base: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!("NODE_COMPILE_CACHE" in env)) delete base.NODE_COMPILE_CACHE;
  delete base.NODE_DISABLE_COMPILE_CACHE;
  return spawnSync(
    process.execPath,
    [join(root, "pkg/cli/main.ts"), "check-update", `quay.io/openshift-release-dev/ocp-release@${digest}`],
    { encoding: "utf8", env: base },
  );
}

describe("the module compile cache", () => {
  it("lives in a directory of this user's under the temporary directory, closed to others", () => {
    const tmp = mkdtempSync(join(tmpdir(), "cc-"));
    expect(run({ TMPDIR: tmp }).status).toBe(0);
    const dir = join(tmp, cacheName);
    expect(statSync(dir).mode & 0o077).toBe(0);
    expect(readdirSync(dir).length).toBeGreaterThan(0); // Node's per-version folder
  });

  it("goes where NODE_COMPILE_CACHE says", () => {
    const tmp = mkdtempSync(join(tmpdir(), "cc-"));
    const chosen = join(tmp, "chosen");
    expect(run({ TMPDIR: tmp, NODE_COMPILE_CACHE: chosen }).status).toBe(0);
    expect(readdirSync(chosen).length).toBeGreaterThan(0);
    expect(existsSync(join(tmp, cacheName))).toBe(false);
  });

  it.each([
    ["a symbolic link", (tmp: string, dir: string) => symlinkSync(mkdtempSync(join(tmp, "elsewhere-")), dir)],
    [
      "writable by others",
      (_tmp: string, dir: string) => {
        mkdirSync(dir);
        chmodSync(dir, 0o777);
      },
    ],
    ["a file", (_tmp: string, dir: string) => writeFileSync(dir, "")],
  ])("is not used when its directory is %s, and the command still runs", (_what, plant) => {
    const tmp = mkdtempSync(join(tmpdir(), "cc-"));
    const dir = join(tmp, cacheName);
    plant(tmp, dir);
    const result = run({ TMPDIR: tmp });
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const planted = statSync(dir);
    if (planted.isDirectory()) expect(readdirSync(dir)).toEqual([]);
  });

  it("is skipped silently when the temporary directory cannot be written", () => {
    const tmp = mkdtempSync(join(tmpdir(), "cc-"));
    const notADirectory = join(tmp, "file");
    writeFileSync(notADirectory, "");
    const result = run({ TMPDIR: join(notADirectory, "sub") });
    expect(result).toMatchObject({ status: 0, stderr: "" });
    expect(result.stdout).toMatch(/^accepted: /);
  });
});
