// containers/image as the judge of the renderer: every golden policy.json, every registries.conf of
// the MCO corpus, and the policy files and registries.conf (with its search drop-in) of a few
// hundred random valid clusters must be accepted by a real containers/image (hack/policy-judge,
// the library CRI-O uses; registries.conf through its own sysregistriesv2).
import { afterAll, beforeAll, describe, expect, it } from "@jest/globals";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { render } from "../../pkg/render/render.ts";
import { snapshotArbitrary } from "../../pkg/render/testing/arbitraries.ts";
import { buildPolicyJudge, judgeRegistriesConf } from "../harness/tools.ts";

const root = join(import.meta.dirname, "../..");
let judge = "";
let work = "";

function jsonFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return jsonFilesUnder(path);
    return path.endsWith(".json") ? [path] : [];
  });
}

/** containers/image's verdict per file: "ok FILE" or "error FILE: message". */
function judgeFiles(files: string[]): string[] {
  const out = execFileSync(judge, ["parse", ...files], { encoding: "utf8", maxBuffer: 256 << 20 });
  return out.trim().split("\n");
}

beforeAll(() => {
  judge = buildPolicyJudge();
  work = mkdtempSync(join(tmpdir(), "render-judge-"));
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe("rendered policies judged by containers/image", () => {
  it("accepts every golden policy file", () => {
    const files = jsonFilesUnder(join(root, "test/fixtures/render"));
    expect(files.length).toBeGreaterThanOrEqual(2);
    const verdicts = judgeFiles(files);
    expect(verdicts.filter((v) => !v.startsWith("ok "))).toEqual([]);
    expect(verdicts).toHaveLength(files.length);
  });

  it("accepts the policy files of 300 random valid clusters", () => {
    const snapshots = fc.sample(snapshotArbitrary, { numRuns: 300, seed: 20261123 });
    const files: string[] = [];
    snapshots.forEach((snapshot, i) => {
      const rendered = render(snapshot);
      expect(rendered.errors).toEqual([]);
      for (const file of rendered.files.get("worker") ?? []) {
        if (!file.path.endsWith(".json")) continue;
        const path = join(work, `${i}-${file.path.replaceAll("/", "_")}`);
        writeFileSync(path, file.contents);
        files.push(path);
      }
    });
    const verdicts = judgeFiles(files);
    expect(verdicts.filter((v) => !v.startsWith("ok "))).toEqual([]);
    expect(verdicts).toHaveLength(files.length);
    // The sample exercises namespace files too, not only policy.json.
    expect(files.filter((f) => f.includes("crio_policies")).length).toBeGreaterThan(50);
    expect(readFileSync(files[0] ?? "", "utf8").length).toBeGreaterThan(0);
  });

  it("accepts every registries.conf of the MCO corpus and of 300 random valid clusters, with their drop-ins", () => {
    const corpus = join(root, "test/fixtures/mco-corpus/cases");
    const files: { conf: string; dropinDir: string }[] = [];
    const emptyDropins = mkdtempSync(join(work, "no-dropins-"));
    for (const name of readdirSync(corpus)) {
      const conf = join(corpus, name, "expect/etc/containers/registries.conf");
      if (existsSync(conf))
        files.push({ conf, dropinDir: join(corpus, name, "expect/etc/containers/registries.conf.d") });
    }
    const corpusCount = files.length;
    const snapshots = fc.sample(snapshotArbitrary, { numRuns: 300, seed: 20261202 });
    snapshots.forEach((snapshot, i) => {
      const rendered = render(snapshot);
      expect(rendered.errors).toEqual([]);
      const worker = rendered.files.get("worker") ?? [];
      const conf = worker.find((f) => f.path === "/etc/containers/registries.conf");
      if (!conf) return;
      const dir = mkdtempSync(join(work, `case-${i}-`));
      const dropinDir = join(dir, "registries.conf.d");
      mkdirSync(dropinDir);
      for (const f of worker.filter((f) => f.path.startsWith("/etc/containers/registries.conf.d/")))
        writeFileSync(join(dropinDir, f.path.split("/").pop() ?? ""), f.contents);
      writeFileSync(join(dir, "registries.conf"), conf.contents);
      files.push({ conf: join(dir, "registries.conf"), dropinDir });
    });
    expect(corpusCount).toBeGreaterThan(80);
    // The sample renders registries.conf for most clusters (mirrors, insecure or blocked registries).
    expect(files.length - corpusCount).toBeGreaterThan(150);
    const refused = files.flatMap(({ conf, dropinDir }) =>
      judgeRegistriesConf([conf], {
        judge,
        dropinDir: existsSync(dropinDir) ? dropinDir : emptyDropins,
      }).filter((v) => !v.ok),
    );
    expect(refused).toEqual([]);
  });
});
