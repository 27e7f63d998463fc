// Whatever a hostile folder of manifests holds, every policy file `image-policy render` writes is
// accepted by containers/image itself (hack/policy-judge): a file it refused would stop every pull
// on a node. The folders are the fuzz corpus of pkg/cli/hostile.test.ts, sampled with a fixed seed.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "@jest/globals";
import fc from "fast-check";
import { main } from "../../pkg/cli/main.ts";
import { capture } from "../../pkg/cli/testing/capture.ts";
import { hostileFolder, writeHostileFolder } from "../../pkg/cli/testing/hostile-folders.ts";
import { buildPolicyJudge, repoRoot } from "../harness/tools.ts";

const FOLDERS = 500;
const SEED = 20261202;

function policyFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string): void => {
    if (!fs.existsSync(d)) return;
    for (const entry of fs.readdirSync(d)) {
      const full = path.join(d, entry);
      if (fs.statSync(full).isDirectory()) walk(full);
      else if (entry.endsWith(".json")) found.push(full);
    }
  };
  walk(dir);
  return found;
}

describe("render on hostile folders: containers/image accepts every policy file written", () => {
  let judgePath = "";
  beforeAll(
    () => {
      judgePath = buildPolicyJudge();
    },
    15 * 60 * 1000,
  );

  it(`on ${FOLDERS} random folders (seed ${SEED})`, async () => {
    const keyData =
      /keyData: (.*)/.exec(
        fs.readFileSync(path.join(repoRoot, "manifests/examples/20-team-a-imagepolicies.yaml"), "utf8"),
      )?.[1] ?? "";
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "hostile-judge-"));
    const written: string[] = [];
    const statuses = new Map<number, number>();
    for (const [i, files] of fc.sample(hostileFolder(keyData), { numRuns: FOLDERS, seed: SEED }).entries()) {
      const dir = path.join(work, `in-${i}`);
      fs.mkdirSync(dir);
      writeHostileFolder(dir, files);
      const out = path.join(work, `out-${i}`);
      const status = await main(["render", "-f", dir, "-o", out], capture());
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      written.push(...policyFiles(out));
    }
    process.stdout.write(
      `\nhostile folders: ${[...statuses].map(([s, n]) => `exit ${s}: ${n}`).join(", ")}; ${written.length} policy files judged\n`,
    );
    // Not vacuous: many folders render, and namespace files are among what is judged.
    expect(written.length).toBeGreaterThanOrEqual(40);
    expect(written.some((f) => f.includes(`${path.sep}policies${path.sep}`))).toBe(true);
    const verdicts = execFileSync(judgePath, ["parse", ...written], { encoding: "utf8", maxBuffer: 64 << 20 })
      .split("\n")
      .filter((line) => line !== "");
    expect(verdicts.filter((line) => !line.startsWith("ok "))).toEqual([]);
    expect(verdicts).toHaveLength(written.length);
  }, 120_000);
});
